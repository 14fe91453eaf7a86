// Overload (issue 14, point 4): a global budget of request-body bytes in flight answers
// 503 beyond it and frees with each request; a body that stops arriving is cut off at the
// minimum-rate deadline, long before the whole-request deadline.
#include <gtest/gtest.h>

#include <chrono>

#include "gateway/http/body_budget.hpp"
#include "tests/unit/http/test_server.hpp"

namespace madoguchi::http {
namespace {

TEST(BodyBudget, ReservesUpToItsCapacityAndReleases) {
  BodyBudget budget(100);
  EXPECT_TRUE(budget.reserve(60));
  EXPECT_FALSE(budget.reserve(41));
  EXPECT_EQ(budget.in_flight(), 60u);
  {
    BodyBudget::Reservation held(&budget, 40);
    EXPECT_TRUE(budget.reserve(40));
    EXPECT_EQ(budget.in_flight(), 100u);
    budget.release(40);
  }  // `held` gives back its 40 (reserved by hand above, released by the reservation)
  EXPECT_EQ(budget.in_flight(), 20u);
  budget.release(20);
  EXPECT_TRUE(budget.reserve(100));
}

// A POST with a small body on a fresh connection: its status, 0 when closed unanswered.
std::pair<int, std::string> small_post(std::uint16_t port) {
  Client c(port);
  boost::system::error_code ec;
  asio::write(c.socket, asio::buffer(std::string_view("POST /echo/b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")), ec);
  bhttp::response<bhttp::string_body> res;
  bhttp::read(c.socket, c.buffer, res, ec);
  if (ec) return {0, ""};
  return {res.result_int(), std::string(res[bhttp::field::retry_after])};
}

TEST(Overload, BodiesBeyondTheGlobalBudgetAre503UntilTheBudgetIsFree) {
  Router router = test_router();
  auto options = small_options();
  options.body_budget_bytes = options.body_bytes;  // one chunked body (reserved at its limit) fills it
  RunningServer server(options, router);
  Client holder(server.port());
  holder.send("POST /echo/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
  // Polled, for up to 30 s on a loaded machine: once the server has read the holder's head,
  // every other body is refused.
  std::pair<int, std::string> answer;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (answer.first != 503 && std::chrono::steady_clock::now() < give_up) answer = small_post(server.port());
  EXPECT_EQ(answer.first, 503);
  EXPECT_EQ(answer.second, "1");  // Retry-After
  EXPECT_NE(server.metrics().render_prometheus().find(R"(route="overload",status="503")"), std::string::npos);
  // The holder's request is not hurt, and its end frees the budget.
  holder.send("0\r\n\r\n");
  EXPECT_EQ(holder.read().body(), "a:5:");
  EXPECT_EQ(small_post(server.port()).first, 200);
}

TEST(Overload, AStalledBodyIsCutOffAtTheMinimumRateDeadline) {
  Router router = test_router();
  auto options = small_options();
  options.header_timeout = std::chrono::seconds(1);
  options.request_timeout = std::chrono::seconds(300);
  RunningServer server(options, router);
  Client client(server.port());
  const auto start = std::chrono::steady_clock::now();
  client.send("POST /echo/a HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n0123456789");
  EXPECT_TRUE(client.closed_by_server());
  // Not a speed measurement: only that the rate deadline, not the 300 s one, closed it.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
}

}  // namespace
}  // namespace madoguchi::http
