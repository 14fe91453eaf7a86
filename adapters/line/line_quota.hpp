#pragma once
// Polls a LINE account's monthly message quota and consumption for /metrics, and warns in
// the log when more than 80% is used (once per crossing, again after it falls back).
// poll() runs on the outbox worker's thread; the figures are read from any thread.
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>

#include "adapters/line/line_outbound.hpp"
#include "gateway/core/log.hpp"

namespace madoguchi::adapters::line {

class LineQuotaMonitor {
 public:
  LineQuotaMonitor(std::string account, LineOutbound& line, Log& log,
                   std::chrono::seconds interval, double warn_ratio = 0.8)
      : account_(std::move(account)), line_(line), log_(log), interval_(interval), warn_ratio_(warn_ratio) {}

  boost::asio::awaitable<void> run();       // polls until the worker stops
  boost::asio::awaitable<bool> poll_once();  // false when LINE did not answer

  const std::string& account() const { return account_; }
  bool known() const { return known_.load(); }
  std::int64_t limit() const { return limit_.load(); }  // -1 when unlimited
  std::int64_t used() const { return used_.load(); }

 private:
  std::string account_;
  LineOutbound& line_;
  Log& log_;
  std::chrono::seconds interval_;
  double warn_ratio_;
  bool warned_ = false;
  std::atomic<bool> known_{false};
  std::atomic<std::int64_t> limit_{-1};
  std::atomic<std::int64_t> used_{0};
};

}  // namespace madoguchi::adapters::line
