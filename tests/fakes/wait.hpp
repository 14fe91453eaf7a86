#pragma once
// Polling for what a test cannot be told about (another process's files, rows, logs).
#include <functional>

namespace madoguchi::testing {

// True as soon as `done()` is; false when it is still false after `timeout_ms`.
bool wait_until(const std::function<bool()>& done, int timeout_ms);

}  // namespace madoguchi::testing
