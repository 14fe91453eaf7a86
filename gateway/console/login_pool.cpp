#include "gateway/console/login_pool.hpp"

#include <algorithm>

namespace madoguchi::console {

LoginPool::LoginPool(int threads, std::size_t max_queued) : max_queued_(max_queued) {
  for (int i = 0; i < std::max(threads, 1); ++i) threads_.emplace_back([this] { run(); });
}

LoginPool::~LoginPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

bool LoginPool::submit(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= max_queued_) return false;
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void LoginPool::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to answer
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

bool LoginThrottle::allow(const std::string& address, std::int64_t now_ms) {
  const double capacity = per_minute_;
  std::lock_guard lock(mutex_);
  if (buckets_.size() > 10'000)
    std::erase_if(buckets_, [&](const auto& b) {
      return b.second.tokens + static_cast<double>(now_ms - b.second.at_ms) * capacity / 60'000.0 >= capacity;
    });
  auto [it, fresh] = buckets_.try_emplace(address, Bucket{capacity, now_ms});
  auto& b = it->second;
  b.tokens = std::min(capacity, b.tokens + static_cast<double>(now_ms - b.at_ms) * capacity / 60'000.0);
  b.at_ms = now_ms;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace madoguchi::console
