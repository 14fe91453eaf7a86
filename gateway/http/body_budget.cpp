#include "gateway/http/body_budget.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace madoguchi::http {
namespace {
// Trimming walks the heap: only worth it after a burst, not after every small webhook.
constexpr std::size_t kTrimAfterBytes = 16 * 1024 * 1024;
// "The burst is over": little is still held (steady webhooks are a few KiB each).
constexpr std::size_t kQuietBytes = 1024 * 1024;
}  // namespace

bool BodyBudget::reserve(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  if (bytes > capacity_ - in_flight_) return false;
  in_flight_ += bytes;
  return true;
}

void BodyBudget::release(std::size_t bytes) {
  bool trim = false;
  {
    std::lock_guard lock(mutex_);
    in_flight_ -= bytes;
    released_since_trim_ += bytes;
    if (in_flight_ <= kQuietBytes && released_since_trim_ >= kTrimAfterBytes) {
      released_since_trim_ = 0;
      trim = true;
    }
  }
#if defined(__GLIBC__)
  if (trim) malloc_trim(0);
#else
  (void)trim;
#endif
}

std::size_t BodyBudget::in_flight() const {
  std::lock_guard lock(mutex_);
  return in_flight_;
}

}  // namespace madoguchi::http
