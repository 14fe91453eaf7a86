#pragma once
// The baseline: a minimal Beast server that answers 200 to every request, run in a
// child process so its memory is measured apart from the load generator.
#include <sys/types.h>

#include <cstdint>

namespace madoguchi::bench {

struct ChildServer {
  pid_t pid = -1;
  std::uint16_t port = 0;
};

// Forks; the child serves on 127.0.0.1:0 with `threads` threads until killed.
ChildServer start_bare_server(int threads);

}  // namespace madoguchi::bench
