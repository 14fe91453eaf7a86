#pragma once
// A token bucket per channel account: at most `per_second` requests on average, bursts up
// to one second's worth. acquire() suspends the caller until a token is free; it never
// fails. Used from the outbox worker's thread only.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <algorithm>
#include <chrono>

namespace madoguchi::outbox {

class RateLimiter {
 public:
  explicit RateLimiter(double per_second)
      : rate_(std::max(per_second, 0.001)), capacity_(std::max(per_second, 1.0)), tokens_(capacity_) {}

  boost::asio::awaitable<void> acquire() {
    using namespace std::chrono;
    for (;;) {
      refill();
      if (tokens_ >= 1.0) {
        tokens_ -= 1.0;
        co_return;
      }
      const auto wait = duration<double>((1.0 - tokens_) / rate_);
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor,
                                      duration_cast<steady_clock::duration>(wait));
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
  }

 private:
  void refill() {
    const auto now = std::chrono::steady_clock::now();
    tokens_ = std::min(capacity_, tokens_ + std::chrono::duration<double>(now - last_).count() * rate_);
    last_ = now;
  }
  double rate_, capacity_, tokens_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace madoguchi::outbox
