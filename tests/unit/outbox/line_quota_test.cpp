// LINE quota figures for /metrics and the 80% warning, against the fake LINE API.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <fstream>
#include <sstream>

#include "adapters/line/line_quota.hpp"
#include "tests/unit/outbox/outbox_fixture.hpp"

namespace madoguchi::outbox::testing {
namespace {

bool poll(adapters::line::LineQuotaMonitor& monitor, boost::asio::io_context& io) {
  auto future = boost::asio::co_spawn(io, monitor.poll_once(), boost::asio::use_future);
  io.restart();
  io.run();
  return future.get();
}

std::string read_log(const std::filesystem::path& file, Log& log) {
  log.flush();
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_F(OutboxTest, QuotaIsReadAndWarnedAboveEightyPercent) {
  boost::asio::io_context io;
  adapters::line::LineOutbound line(Secret(kToken), std::make_unique<adapters::HttpClient>(
      io.get_executor(), adapters::HttpClientOptions{fake_->base_url(), std::chrono::milliseconds(500)}));
  adapters::line::LineQuotaMonitor monitor("demo", line, *log_, std::chrono::seconds(60));
  fake_->set_quota(true, 1000, 500);
  ASSERT_TRUE(poll(monitor, io));
  EXPECT_TRUE(monitor.known());
  EXPECT_EQ(monitor.limit(), 1000);
  EXPECT_EQ(monitor.used(), 500);
  EXPECT_EQ(read_log(dir_ / "log.jsonl", *log_).find("line_quota_high"), std::string::npos);

  fake_->set_quota(true, 1000, 850);
  ASSERT_TRUE(poll(monitor, io));
  EXPECT_EQ(monitor.used(), 850);
  auto log = read_log(dir_ / "log.jsonl", *log_);
  EXPECT_NE(log.find("line_quota_high"), std::string::npos);

  fake_->set_quota(false, 0, 12);
  ASSERT_TRUE(poll(monitor, io));
  EXPECT_EQ(monitor.limit(), -1);  // no monthly limit
  EXPECT_EQ(monitor.used(), 12);
}

TEST_F(OutboxTest, QuotaUnavailableWithAWrongToken) {
  boost::asio::io_context io;
  adapters::line::LineOutbound line(Secret("wrong"), std::make_unique<adapters::HttpClient>(
      io.get_executor(), adapters::HttpClientOptions{fake_->base_url(), std::chrono::milliseconds(500)}));
  adapters::line::LineQuotaMonitor monitor("demo", line, *log_, std::chrono::seconds(60));
  EXPECT_FALSE(poll(monitor, io));
  EXPECT_FALSE(monitor.known());
}

}  // namespace
}  // namespace madoguchi::outbox::testing
