#include "adapters/line/line_quota.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace madoguchi::adapters::line {

boost::asio::awaitable<bool> LineQuotaMonitor::poll_once() {
  auto quota = co_await line_.quota();
  if (!quota) {
    log_.warn("line_quota_unavailable", {{"account", account_}});
    co_return false;
  }
  limit_ = quota->limited ? quota->limit : -1;
  used_ = quota->used;
  known_ = true;
  const bool high = quota->limited && quota->limit > 0 &&
                    static_cast<double>(quota->used) >= warn_ratio_ * static_cast<double>(quota->limit);
  if (high && !warned_)
    log_.warn("line_quota_high", {{"account", account_}, {"used", quota->used}, {"limit", quota->limit}});
  warned_ = high;
  co_return true;
}

boost::asio::awaitable<void> LineQuotaMonitor::run() {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (;;) {
    co_await poll_once();
    timer.expires_after(interval_);
    auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec) co_return;
  }
}

}  // namespace madoguchi::adapters::line
