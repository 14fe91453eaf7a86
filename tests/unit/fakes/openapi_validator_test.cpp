// The OpenAPI request checker against LINE's real messaging-api.yml: valid requests our
// client sends pass, and each kind of mistake is reported at the right place.
#include "tests/fakes/openapi_validator.hpp"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#ifndef MADOGUCHI_SHARED_DIR
#define MADOGUCHI_SHARED_DIR "/work/shared"
#endif

namespace {

using madoguchi::testing::OpenApiSpec;
using Headers = std::map<std::string, std::string>;
using Problems = std::vector<std::string>;

constexpr const char* kSpecFile = MADOGUCHI_SHARED_DIR "/specs/line-openapi/messaging-api.yml";
constexpr const char* kRetryKey = "123e4567-e89b-12d3-a456-426614174000";
constexpr const char* kUserId = "U4af4980629a1b2c3d4e5f60718293a4b";

const OpenApiSpec& spec() {
  static const OpenApiSpec loaded(kSpecFile);  // parsing 6000 lines of YAML once is enough
  return loaded;
}

Headers json_headers() { return {{"authorization", "Bearer test-token"}, {"content-type", "application/json"}}; }

std::string push_body(const std::string& messages) {
  return std::string(R"({"to":")") + kUserId + R"(","messages":)" + messages + "}";
}

Problems push(const std::string& body, Headers headers = json_headers()) {
  return spec().check_request("POST", "/v2/bot/message/push", headers, body);
}

Problems get(std::string_view target, Headers headers = {{"authorization", "Bearer test-token"}}) {
  return spec().check_request("GET", target, headers, "");
}

std::string listed(const Problems& problems) {
  std::string out;
  for (const auto& p : problems) out += "\n  " + p;
  return out.empty() ? " (none)" : out;
}

::testing::AssertionResult NoProblems(const Problems& problems) {
  if (problems.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "unexpected problems:" << listed(problems);
}

// Succeeds when one problem contains every one of `parts`.
::testing::AssertionResult HasProblem(const Problems& problems, std::initializer_list<std::string_view> parts) {
  for (const auto& p : problems) {
    bool all = true;
    for (auto part : parts) all = all && p.find(part) != std::string::npos;
    if (all) return ::testing::AssertionSuccess();
  }
  std::string wanted;
  for (auto part : parts) wanted += " \"" + std::string(part) + "\"";
  return ::testing::AssertionFailure() << "no problem mentions" << wanted << "; problems:" << listed(problems);
}

const std::string kText = R"({"type":"text","text":"こんにちは"})";

// ---- valid requests ----

TEST(OpenApiValidator, ValidPushHasNoProblems) {
  Headers headers = json_headers();
  headers["x-line-retry-key"] = kRetryKey;
  EXPECT_TRUE(NoProblems(push(push_body("[" + kText + "]"), headers)));
}

TEST(OpenApiValidator, ValidReplyHasNoProblems) {
  const std::string body = R"({"replyToken":"nHuyWiB7yP5Zw52FIkcQobQuGDXCTA","messages":[)" + kText + "]}";
  EXPECT_TRUE(NoProblems(spec().check_request("POST", "/v2/bot/message/reply", json_headers(), body)));
}

TEST(OpenApiValidator, QuotaGetsWithBearerAreValid) {
  EXPECT_TRUE(NoProblems(get("/v2/bot/message/quota")));
  EXPECT_TRUE(NoProblems(get("/v2/bot/message/quota/consumption")));
}

TEST(OpenApiValidator, UppercaseRetryKeyAndCharsetAreAccepted) {
  Headers headers = json_headers();
  headers["x-line-retry-key"] = "123E4567-E89B-12D3-A456-426614174000";
  headers["content-type"] = "application/json; charset=utf-8";
  EXPECT_TRUE(NoProblems(push(push_body("[" + kText + "]"), headers)));
}

TEST(OpenApiValidator, PathTemplatesMatchOneSegmentAndIgnoreServers) {
  EXPECT_TRUE(NoProblems(get("/v2/bot/message/325708/content")));  // declared with servers: api-data
  EXPECT_TRUE(NoProblems(get(std::string("/v2/bot/profile/") + kUserId)));
  EXPECT_TRUE(NoProblems(get("/v2/bot/richmenu/list")));  // literal path, not {richMenuId}
  // The file declares /v2/bot/richmenu/{richMenuId} (GET, DELETE) before this literal POST path.
  EXPECT_TRUE(NoProblems(spec().check_request("POST", "/v2/bot/richmenu/batch", json_headers(),
                                              R"({"operations":[{"type":"link","from":"richmenu-a","to":"b"}]})")));
  EXPECT_TRUE(HasProblem(get("/v2/bot/message//content"), {"unknown path"}));
}

TEST(OpenApiValidator, QueryStringIsStrippedButRequiredQueryParametersAreChecked) {
  EXPECT_TRUE(NoProblems(get("/v2/bot/message/delivery/push?date=20240131")));
  EXPECT_TRUE(HasProblem(get("/v2/bot/message/delivery/push"), {"query date", "required"}));
  EXPECT_TRUE(HasProblem(get("/v2/bot/message/delivery/pnp?date=2024-01-31"), {"query date", "does not match"}));
}

TEST(OpenApiValidator, QueryParametersAreTyped) {
  EXPECT_TRUE(NoProblems(get("/v2/bot/coupon?limit=20&status=RUNNING&status=CLOSED")));
  EXPECT_TRUE(HasProblem(get("/v2/bot/coupon?limit=0"), {"query limit", "at least 1"}));
  EXPECT_TRUE(HasProblem(get("/v2/bot/coupon?limit=many"), {"query limit", "expected integer"}));
  EXPECT_TRUE(HasProblem(get("/v2/bot/coupon?status=RUNNING&status=PAUSED"), {"query status[1]", "PAUSED"}));
}

TEST(OpenApiValidator, NestedDiscriminatorsAndFlexMessagesAreValid) {
  const std::string quick = R"({"type":"text","text":"pick","quickReply":{"items":[
      {"type":"action","action":{"type":"message","label":"Yes","text":"yes"}}]}})";
  const std::string flex = R"({"type":"flex","altText":"hi","contents":{"type":"bubble","body":{
      "type":"box","layout":"vertical","contents":[{"type":"text","text":"hello","wrap":true}]}}})";
  const std::string v2 = R"({"type":"textV2","text":"Hi {u}","substitution":{
      "u":{"type":"mention","mentionee":{"type":"user","userId":"U1"}}}})";
  EXPECT_TRUE(NoProblems(push(push_body("[" + quick + "," + flex + "," + v2 + "]"))));
}

// ---- authentication and headers ----

TEST(OpenApiValidator, MissingAuthorizationIsAProblem) {
  EXPECT_TRUE(HasProblem(push(push_body("[" + kText + "]"), {{"content-type", "application/json"}}),
                         {"authorization", "missing"}));
  EXPECT_TRUE(HasProblem(get("/v2/bot/message/quota", {}), {"authorization", "missing"}));
  EXPECT_TRUE(HasProblem(get("/v2/bot/message/quota", {{"authorization", ""}}), {"authorization", "missing"}));
}

TEST(OpenApiValidator, NonBearerAuthorizationIsAProblem) {
  Headers headers = json_headers();
  headers["authorization"] = "Basic x";
  EXPECT_TRUE(HasProblem(push(push_body("[" + kText + "]"), headers), {"authorization", "Bearer <token>"}));
  headers["authorization"] = "Bearer ";
  EXPECT_TRUE(HasProblem(push(push_body("[" + kText + "]"), headers), {"authorization", "Bearer <token>"}));
}

TEST(OpenApiValidator, MalformedRetryKeyIsAProblem) {
  for (const char* key : {"abc", "123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400g"}) {
    Headers headers = json_headers();
    headers["x-line-retry-key"] = key;
    EXPECT_TRUE(HasProblem(push(push_body("[" + kText + "]"), headers), {"header X-Line-Retry-Key", "not a UUID"}))
        << key;
  }
}

TEST(OpenApiValidator, HeaderLengthLimitsAreChecked) {
  Headers headers = json_headers();
  headers["x-line-delivery-tag"] = "short";
  const std::string body = R"({"to":"+818000001234","messages":[)" + kText + "]}";
  EXPECT_TRUE(HasProblem(spec().check_request("POST", "/bot/pnp/push", headers, body),
                         {"header X-Line-Delivery-Tag", "at least 16"}));
}

// ---- request line ----

TEST(OpenApiValidator, UnknownPathIsAProblem) {
  EXPECT_TRUE(HasProblem(spec().check_request("POST", "/v2/bot/message/pushh", json_headers(), "{}"),
                         {"POST /v2/bot/message/pushh", "unknown path"}));
  EXPECT_TRUE(HasProblem(get("/v2/bot/message/push/"), {"unknown path"}));
}

TEST(OpenApiValidator, WrongMethodIsAProblem) {
  EXPECT_TRUE(HasProblem(get("/v2/bot/message/push"), {"GET /v2/bot/message/push", "method", "POST"}));
  EXPECT_TRUE(HasProblem(spec().check_request("DELETE", "/v2/bot/message/quota", json_headers(), ""), {"method"}));
}

// ---- body ----

TEST(OpenApiValidator, MissingToIsAProblem) {
  const std::string body = R"({"messages":[)" + kText + "]}";
  EXPECT_TRUE(HasProblem(push(body), {"POST /v2/bot/message/push: to: required property missing"}));
}

TEST(OpenApiValidator, EmptyMessagesArrayIsAProblem) {
  EXPECT_TRUE(HasProblem(push(push_body("[]")), {"messages: 0 items, at least 1"}));
}

TEST(OpenApiValidator, SixMessagesAreAProblem) {
  std::string six = "[" + kText;
  for (int i = 0; i < 5; ++i) six += "," + kText;
  EXPECT_TRUE(HasProblem(push(push_body(six + "]")), {"POST /v2/bot/message/push: messages: 6 items, at most 5"}));
}

TEST(OpenApiValidator, MessageWithoutTypeIsAProblem) {
  EXPECT_TRUE(HasProblem(push(push_body(R"([)" + kText + R"(,{"text":"no type"}])")),
                         {"messages[1].type: required property missing"}));
}

TEST(OpenApiValidator, UnknownMessageTypeIsAProblem) {
  EXPECT_TRUE(HasProblem(push(push_body(R"([{"type":"txt","text":"hi"}])")), {"messages[0].type", "\"txt\"", "text"}));
}

TEST(OpenApiValidator, TextMessageWithoutTextIsAProblem) {
  EXPECT_TRUE(HasProblem(push(push_body(R"([{"type":"text"}])")), {"messages[0].text: required property missing"}));
}

TEST(OpenApiValidator, UnknownPropertyIsAProblem) {
  const Problems problems = push(push_body(R"([{"type":"text","text":"hi","txet":"typo"}])"));
  EXPECT_TRUE(HasProblem(problems, {"messages[0].txet: unknown property"}));
  EXPECT_EQ(problems.size(), 1u) << listed(problems);
  EXPECT_TRUE(HasProblem(push(R"({"to":"U1","messages":[)" + kText + R"(],"notificationDisabeld":true})"),
                         {"notificationDisabeld: unknown property"}));
}

TEST(OpenApiValidator, TyposDeepInsideFlexMessagesAreFound) {
  const std::string flex = R"({"type":"flex","altText":"hi","contents":{"type":"bubble","body":{
      "type":"box","layuot":"vertical","contents":[{"type":"text","text":"hello","wrap":"yes"}]}}})";
  const Problems problems = push(push_body("[" + flex + "]"));
  EXPECT_TRUE(HasProblem(problems, {"messages[0].contents.body.layuot: unknown property"}));
  EXPECT_TRUE(HasProblem(problems, {"messages[0].contents.body.layout: required property missing"}));
  EXPECT_TRUE(HasProblem(problems, {"messages[0].contents.body.contents[0].wrap: expected boolean, got string"}));
}

TEST(OpenApiValidator, NestedDiscriminatorValueIsChecked) {
  const std::string quick = R"({"type":"text","text":"pick","quickReply":{"items":[
      {"type":"action","action":{"type":"mesage","label":"Yes","text":"yes"}}]}})";
  EXPECT_TRUE(
      HasProblem(push(push_body("[" + quick + "]")), {"messages[0].quickReply.items[0].action.type", "mesage"}));
}

TEST(OpenApiValidator, LengthsCountCodePointsNotBytes) {
  std::string name;
  for (int i = 0; i < 20; ++i) name += "あ";  // 20 characters, 60 bytes; the limit is 20
  const auto with_sender = [&](const std::string& n) {
    return push(push_body(R"([{"type":"text","text":"hi","sender":{"name":")" + n + R"("}}])"));
  };
  EXPECT_TRUE(NoProblems(with_sender(name)));
  EXPECT_TRUE(HasProblem(with_sender(name + "あ"), {"messages[0].sender.name: 21 characters, at most 20"}));
}

TEST(OpenApiValidator, PatternsAreChecked) {
  const std::string body = R"({"to":["U1"],"messages":[)" + kText + R"(],"customAggregationUnits":["bad unit!"]})";
  EXPECT_TRUE(HasProblem(spec().check_request("POST", "/v2/bot/message/multicast", json_headers(), body),
                         {"customAggregationUnits[0]", "does not match"}));
}

TEST(OpenApiValidator, NonJsonBodyIsAProblem) {
  EXPECT_TRUE(HasProblem(push("to=U1&messages=hi"), {"body: not valid JSON"}));
  EXPECT_TRUE(HasProblem(push(push_body("[" + kText + "]").substr(1)), {"body: not valid JSON"}));
}

TEST(OpenApiValidator, ToAsNumberIsAProblem) {
  EXPECT_TRUE(HasProblem(push(R"({"to":12345,"messages":[)" + kText + "]}"), {"to: expected string, got integer"}));
}

TEST(OpenApiValidator, BodyFramingIsChecked) {
  EXPECT_TRUE(HasProblem(push(""), {"body: required but empty"}));
  EXPECT_TRUE(
      HasProblem(push(push_body("[" + kText + "]"), {{"authorization", "Bearer t"}}), {"content-type header missing"}));
  EXPECT_TRUE(
      HasProblem(push(push_body("[" + kText + "]"), {{"authorization", "Bearer t"}, {"content-type", "text/plain"}}),
                 {"content-type text/plain"}));
  EXPECT_TRUE(
      HasProblem(spec().check_request("GET", "/v2/bot/message/quota", json_headers(), "{}"), {"no request body"}));
}

TEST(OpenApiValidator, UnreadableSpecThrows) {
  EXPECT_THROW(OpenApiSpec("/nonexistent/messaging-api.yml"), std::runtime_error);
}

}  // namespace
