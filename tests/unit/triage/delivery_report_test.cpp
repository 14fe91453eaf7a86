// Bounces read from the stored body of a delivery_report message (as mail_intake writes it).
#include <gtest/gtest.h>

#include <string>

#include "gateway/triage/delivery_report.hpp"

namespace madoguchi::triage {
namespace {

std::string body(const std::string& report_members) {
  return R"({"text":"配送エラー","event":{"report":{)" + report_members + "}}}";
}

TEST(DeliveryReport, AFailedReplyIsNamedByItsRetryKey) {
  const auto r = read_delivery_report(
      body(R"("original_message_id":"7f3a-key.0123456789abcdef0123@town.example","action":"failed","status":"5.1.1")"));
  EXPECT_TRUE(r.is_report);
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->retry_key, "7f3a-key");
  EXPECT_EQ(r.failure->code, "bounce_5.1.1");
  EXPECT_NE(r.failure->reason_ja.find("見つかりませんでした"), std::string::npos);
}

TEST(DeliveryReport, NewsThatIsNotAFailureChangesNothing) {
  for (const char* action : {"delayed", "relayed", "delivered", "expanded"}) {
    const auto r = read_delivery_report(body(std::string(R"("original_message_id":"k.t@town.example","action":")") +
                                             action + R"(","status":"4.4.7")"));
    EXPECT_TRUE(r.is_report) << action;
    EXPECT_FALSE(r.failure) << action;
  }
}

TEST(DeliveryReport, WithoutAnActionOnlyAPermanentStatusIsAFailure) {
  EXPECT_FALSE(read_delivery_report(body(R"("original_message_id":"k.t@town.example","status":"4.2.2")")).failure);
  const auto r = read_delivery_report(body(R"("original_message_id":"k.t@town.example","status":"5.2.2")"));
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(r.failure->retry_key, "k");
  EXPECT_NE(r.failure->reason_ja.find("メールボックス"), std::string::npos);
}

TEST(DeliveryReport, AnIdThatIsNotOneOfOursNamesNothing) {
  for (const char* id : {"", "no-at-sign", "nodot@town.example", ".token@town.example"}) {
    const auto r = read_delivery_report(
        body(std::string(R"("original_message_id":")") + id + R"(","action":"failed","status":"5.1.1")"));
    EXPECT_TRUE(r.is_report) << id;
    EXPECT_FALSE(r.failure) << id;
  }
}

TEST(DeliveryReport, AnOrdinaryOrUnreadableBodyIsNoReport) {
  EXPECT_FALSE(read_delivery_report(R"({"text":"こんにちは"})").is_report);
  EXPECT_FALSE(read_delivery_report(R"({"event":{"report":"failed"}})").is_report);
  EXPECT_FALSE(read_delivery_report("not json").is_report);
  EXPECT_FALSE(read_delivery_report("").is_report);
}

TEST(BounceReason, ChosenFromTheStatusCodeNeverFromTheServersWords) {
  EXPECT_NE(bounce_reason_ja("5.7.1").find("拒否"), std::string::npos);
  EXPECT_NE(bounce_reason_ja("5.7.1").find("（5.7.1）"), std::string::npos);
  EXPECT_EQ(bounce_reason_ja(""), "相手のメールサーバーから配送エラーが返ってきました。");
  EXPECT_EQ(bounce_reason_ja("5.3.0"), "相手のメールサーバーから配送エラーが返ってきました（5.3.0）。");
}

}  // namespace
}  // namespace madoguchi::triage
