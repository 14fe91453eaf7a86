#pragma once
// Where password checks run: Argon2id takes tens of milliseconds and 64 MiB on purpose, and
// on the server's I/O threads 8 concurrent logins with unknown names took the median
// webhook latency from ~10 ms to 1.5 s. So login work runs on a few threads of its own,
// behind a bounded queue: beyond it submit() refuses and the API answers 503 with
// Retry-After (the answer is the same whatever the user name). Thread-safe. The destructor
// runs what is still queued (each task answers its request) and joins.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace madoguchi::console {

class LoginPool {
 public:
  LoginPool(int threads, std::size_t max_queued);
  ~LoginPool();
  LoginPool(const LoginPool&) = delete;
  LoginPool& operator=(const LoginPool&) = delete;

  // False (and `task` dropped) when `max_queued` tasks are already waiting.
  [[nodiscard]] bool submit(std::function<void()> task);

 private:
  void run();
  const std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// Login attempts per client address: a token bucket (`per_minute` attempts, refilled
// continuously), so one address cannot keep the pool busy. Bounded memory: full buckets
// are forgotten. Thread-safe.
class LoginThrottle {
 public:
  explicit LoginThrottle(int per_minute) : per_minute_(per_minute) {}
  // True when an attempt from `address` may run now (and takes a token).
  bool allow(const std::string& address, std::int64_t now_ms);

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t at_ms = 0;
  };
  const int per_minute_;
  std::mutex mutex_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace madoguchi::console
