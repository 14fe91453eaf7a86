// How LINE's answers count for the outbox, and the request bodies it sends.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "adapters/line/line_outbound.hpp"
#include "gateway/core/errc.hpp"

namespace madoguchi::adapters::line {
namespace {

HttpExchange answer(unsigned status, std::string body = "{}", std::string retry_after = "") {
  HttpExchange x;
  x.request_written = true;
  x.status = status;
  x.body = std::move(body);
  x.retry_after = std::move(retry_after);
  return x;
}

HttpExchange failure(errc e, bool written) {
  HttpExchange x;
  x.error = make_error_code(e);
  x.request_written = written;
  return x;
}

TEST(LineOutbound, SuccessAndRepeatedRetryKeyAreDelivered) {
  EXPECT_EQ(classify_answer(false, answer(200)).kind, DeliveryKind::delivered);
  EXPECT_EQ(classify_answer(true, answer(200)).kind, DeliveryKind::delivered);
  auto conflict = classify_answer(false, answer(409, R"({"message":"The retry key is already accepted"})"));
  EXPECT_EQ(conflict.kind, DeliveryKind::delivered);
  EXPECT_EQ(conflict.code, "already_accepted");
}

TEST(LineOutbound, RateLimitUsesRetryAfterSeconds) {
  auto r = classify_answer(false, answer(429, R"({"message":"The API rate limit has been exceeded."})", "7"));
  EXPECT_EQ(r.kind, DeliveryKind::retriable);
  EXPECT_EQ(r.retry_after_ms, 7000);
  EXPECT_FALSE(r.reason_ja.empty());
  EXPECT_EQ(classify_answer(false, answer(429, "{}", "Wed, 21 Oct 2026 07:28:00 GMT")).retry_after_ms, 0);
  EXPECT_EQ(classify_answer(false, answer(429, "{}", "999999")).retry_after_ms, 3'600'000);
}

TEST(LineOutbound, MonthlyLimitIsPermanent) {
  auto r = classify_answer(false, answer(429, R"({"message":"You have reached your monthly limit."})"));
  EXPECT_EQ(r.kind, DeliveryKind::permanent);
  EXPECT_EQ(r.code, "monthly_limit");
  EXPECT_NE(r.reason_ja.find("上限"), std::string::npos);
}

TEST(LineOutbound, ClientErrorsArePermanentWithJapaneseReasons) {
  for (unsigned s : {400u, 401u, 403u, 404u, 413u}) {
    auto r = classify_answer(false, answer(s, R"({"message":"x"})"));
    EXPECT_EQ(r.kind, DeliveryKind::permanent) << s;
    EXPECT_EQ(r.code, "http_" + std::to_string(s));
    EXPECT_FALSE(r.reason_ja.empty());
    EXPECT_NE(r.reason_ja.find("。"), std::string::npos) << "Japanese: " << r.reason_ja;
  }
  EXPECT_NE(classify_answer(false, answer(401)).reason_ja.find("アクセストークン"), std::string::npos);
}

TEST(LineOutbound, InvalidReplyTokenHasItsOwnCode) {
  auto r = classify_answer(true, answer(400, R"({"message":"Invalid reply token"})"));
  EXPECT_EQ(r.kind, DeliveryKind::permanent);
  EXPECT_EQ(r.code, "reply_token_invalid");
  EXPECT_TRUE(r.reply_handle_spent);
  EXPECT_EQ(classify_answer(false, answer(400, R"({"message":"Invalid reply token"})")).code, "http_400");
}

TEST(LineOutbound, ServerErrorsAndTransportFailuresAreRetriable) {
  auto e = classify_answer(false, answer(502));
  EXPECT_EQ(e.kind, DeliveryKind::retriable);
  EXPECT_TRUE(e.maybe_sent);
  auto connect = classify_answer(false, failure(errc::upstream_connect_failed, false));
  EXPECT_EQ(connect.kind, DeliveryKind::retriable);
  EXPECT_FALSE(connect.maybe_sent);
  auto timeout = classify_answer(true, failure(errc::upstream_timeout, true));
  EXPECT_EQ(timeout.kind, DeliveryKind::retriable);
  EXPECT_EQ(timeout.code, "timeout");
  EXPECT_TRUE(timeout.maybe_sent);
}

TEST(LineOutbound, BodiesHoldTextMessages) {
  auto push = boost::json::parse(push_body("U1", {"a", "い"}));
  EXPECT_EQ(push.at("to").as_string(), "U1");
  ASSERT_EQ(push.at("messages").as_array().size(), 2u);
  EXPECT_EQ(push.at("messages").at(1).at("type").as_string(), "text");
  EXPECT_EQ(push.at("messages").at(1).at("text").as_string(), "い");
  auto reply = boost::json::parse(reply_body("rt", {"\"quoted\"\n"}));
  EXPECT_EQ(reply.at("replyToken").as_string(), "rt");
  EXPECT_EQ(reply.at("messages").at(0).at("text").as_string(), "\"quoted\"\n");
}

}  // namespace
}  // namespace madoguchi::adapters::line
