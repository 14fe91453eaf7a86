// Every bad-input answer of SECURITY.md against the real binary: 401 (counted), 404, 400,
// 413, 431. After each, the gateway still serves and nothing of the refused webhook was
// stored.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "tests/fakes/line_webhooks.hpp"
#include "tests/integration/harness.hpp"

namespace madoguchi::testing {
namespace {

class GatewayBadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    gateway_ = h_.start();
    client_ = std::make_unique<HttpClient>(gateway_->port());
  }

  // A valid, signable webhook with one text event; its id is remembered as "must not
  // be stored".
  std::string refused_body(std::string_view text = "これは保存されてはいけません") {
    auto id = f_.next_event_id();
    refused_ids_.push_back(id);
    return line_webhook_body({f_.text(id, f_.next_user_id(), text, f_.next_message_id())});
  }

  // The same for a body assembled by hand; `id` must appear in it.
  std::string refused_raw(const std::string& id, std::string body) {
    refused_ids_.push_back(id);
    return body;
  }

  HttpResponse post(const std::string& body, const Headers& headers, const std::string& target = "/webhooks/line/demo") {
    auto r = client_->post(target, body, headers);
    EXPECT_TRUE(r) << "transport error: " << r.error().message();
    return r ? *r : HttpResponse{};
  }

  HttpResponse post_signed_raw(const std::string& body) { return post(body, line_headers(h_.channel_secret(), body)); }

  // The gateway still answers, still stores a good webhook, and stored none of the
  // refused ones.
  void expect_still_serving_and_nothing_refused_stored() {
    HttpClient fresh(gateway_->port());
    auto health = fresh.get("/healthz");
    ASSERT_TRUE(health) << health.error().message();
    EXPECT_EQ(health->status, 200u);
    const auto good_id = f_.next_event_id();
    auto good = line_webhook_body({f_.text(good_id, f_.next_user_id(), "大丈夫です", f_.next_message_id())});
    auto r = post_signed(fresh, h_.channel_secret(), good);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->status, 200u) << r->body;

    auto stored = h_.stored_external_ids();
    for (const auto& id : refused_ids_) EXPECT_FALSE(stored.contains(id)) << "refused webhook stored: " << id;
    EXPECT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[good_id], 1);
  }

  double signature_failures_metric() {
    auto metrics = client_->get("/metrics");
    EXPECT_TRUE(metrics);
    return metrics ? std::max(0.0, metric_total(metrics->body, "madoguchi_signature_failures_total")) : -1;
  }

  GatewayHarness h_;
  std::unique_ptr<GatewayProcess> gateway_;
  std::unique_ptr<HttpClient> client_;
  LineEventFactory f_{4242};
  std::vector<std::string> refused_ids_;
};

TEST_F(GatewayBadInput, MissingOrWrongSignatureIs401AndCounted) {
  const auto json = Headers{{"content-type", "application/json"}};
  auto missing = post(refused_body(), json);
  EXPECT_EQ(missing.status, 401u) << missing.body;
  EXPECT_NE(missing.body.find("signature"), std::string::npos) << missing.body;

  auto body = refused_body();
  auto other_secret = post(body, line_headers(h_.channel_secret() + "x", body));
  EXPECT_EQ(other_secret.status, 401u);

  // The signature of another body: a replayed header on changed content.
  auto signed_for = refused_body();
  auto tampered = refused_body();
  auto replayed = post(tampered, {{"content-type", "application/json"},
                                  {"x-line-signature", line_signature(h_.channel_secret(), signed_for)}});
  EXPECT_EQ(replayed.status, 401u);

  auto garbage = post(refused_body(), {{"x-line-signature", "not base64 at all!"}});
  EXPECT_EQ(garbage.status, 401u);
  auto empty = post(refused_body(), {{"x-line-signature", ""}});
  EXPECT_EQ(empty.status, 401u);

  EXPECT_EQ(signature_failures_metric(), 5.0);
  expect_still_serving_and_nothing_refused_stored();

  client_->close();
  EXPECT_TRUE(stopped_cleanly(*gateway_));
  auto stats = h_.stats();
  EXPECT_EQ(stats.at("signature_failures").to_number<std::int64_t>(), 5) << boost::json::serialize(stats);
}

TEST_F(GatewayBadInput, UnknownAccountOrChannelIs404) {
  auto body = refused_body();
  auto r = post(body, line_headers(h_.channel_secret(), body), "/webhooks/line/nobody");
  EXPECT_EQ(r.status, 404u) << r.body;
  auto other_channel = refused_body();
  r = post(other_channel, line_headers(h_.channel_secret(), other_channel), "/webhooks/meta/demo");
  EXPECT_EQ(r.status, 404u) << r.body;
  // Not a signature failure: nobody could have signed for an account that does not exist.
  EXPECT_EQ(signature_failures_metric(), 0.0);
  expect_still_serving_and_nothing_refused_stored();
}

// A GET on a webhook URL is a provider's URL check; LINE has none, so it is refused with
// the allowed method, and an unknown account stays 404 (the same answer as for POST).
TEST_F(GatewayBadInput, GetOnALineWebhookIs405AndUnknownAccountIs404) {
  auto line = client_->get("/webhooks/line/demo?hub.mode=subscribe&hub.challenge=123");
  ASSERT_TRUE(line) << line.error().message();
  EXPECT_EQ(line->status, 405u) << line->body;
  EXPECT_NE(line->body.find("POST"), std::string::npos) << line->body;
  EXPECT_EQ(line->body.find("123"), std::string::npos);  // the challenge is never echoed
  auto unknown = client_->get("/webhooks/line/nobody?hub.challenge=1");
  ASSERT_TRUE(unknown) << unknown.error().message();
  EXPECT_EQ(unknown->status, 404u) << unknown->body;
  expect_still_serving_and_nothing_refused_stored();
}

TEST_F(GatewayBadInput, MalformedJsonIs400) {
  auto whole = refused_body();
  auto truncated = post_signed_raw(whole.substr(0, whole.size() - 3));
  EXPECT_EQ(truncated.status, 400u) << truncated.body;
  auto trailing = post_signed_raw(refused_body() + "{}");
  EXPECT_EQ(trailing.status, 400u) << trailing.body;
  auto not_object = post_signed_raw("[" + refused_body() + "]");
  EXPECT_EQ(not_object.status, 400u) << not_object.body;
  EXPECT_EQ(signature_failures_metric(), 0.0);
  expect_still_serving_and_nothing_refused_stored();
}

// A webhook whose deepest value sits at `depth` (the top-level object counts as 1).
std::string nested_webhook(LineEventFactory& f, const std::string& id, int depth) {
  // top object (1) > events array (2) > event object (3) > "deep" + (depth - 3) arrays
  std::string deep;
  for (int i = 0; i < depth - 3; ++i) deep += "[";
  for (int i = 0; i < depth - 3; ++i) deep += "]";
  auto event = boost::json::serialize(f.other(id, f.next_user_id(), "futureNested"));
  event.insert(event.size() - 1, ",\"deep\":" + deep);
  return R"({"destination":"U0123456789abcdef0123456789abcdef","events":[)" + event + "]}";
}

TEST_F(GatewayBadInput, JsonDeeperThan32Is400AndDepth32IsAccepted) {
  const auto deep_id = f_.next_event_id();
  auto too_deep = post_signed_raw(refused_raw(deep_id, nested_webhook(f_, deep_id, 33)));
  EXPECT_EQ(too_deep.status, 400u) << too_deep.body;
  auto far_too_deep_id = f_.next_event_id();
  auto far_too_deep = post_signed_raw(refused_raw(far_too_deep_id, nested_webhook(f_, far_too_deep_id, 5000)));
  EXPECT_EQ(far_too_deep.status, 400u) << far_too_deep.body;
  expect_still_serving_and_nothing_refused_stored();

  const auto ok_id = f_.next_event_id();
  auto at_limit = post_signed_raw(nested_webhook(f_, ok_id, 32));
  EXPECT_EQ(at_limit.status, 200u) << "depth 32 must be accepted: " << at_limit.body;
  EXPECT_EQ(h_.stored_external_ids().count(ok_id), 1u);
}

TEST_F(GatewayBadInput, DuplicateKeyIs400) {
  auto body = refused_body();
  // The same key twice in the event, once written with an escape.
  const auto at = body.find("\"mode\":\"active\"");
  ASSERT_NE(at, std::string::npos);
  auto duplicated = body;
  duplicated.insert(at, "\"mode\":\"standby\",");
  auto r = post_signed_raw(duplicated);
  EXPECT_EQ(r.status, 400u) << r.body;
  auto escaped = refused_body();
  escaped.insert(escaped.find("\"mode\":\"active\""), "\"m\\u006fde\":\"standby\",");
  r = post_signed_raw(escaped);
  EXPECT_EQ(r.status, 400u) << r.body;
  // Two "events" arrays at the top: which one would be stored?
  auto top = refused_body();
  top.insert(1, "\"events\":[],");
  r = post_signed_raw(top);
  EXPECT_EQ(r.status, 400u) << r.body;
  expect_still_serving_and_nothing_refused_stored();
}

TEST_F(GatewayBadInput, InvalidUtf8Is400) {
  for (std::string bad : {std::string("\xff"), std::string("\xc3"), std::string("\xe3\x81"),
                          std::string("\xed\xa0\x80") /* UTF-16 surrogate */, std::string("\xc0\xaf") /* overlong */}) {
    auto r = post_signed_raw(refused_body("相談" + bad + "です"));
    EXPECT_EQ(r.status, 400u) << r.body;
  }
  expect_still_serving_and_nothing_refused_stored();
}

TEST_F(GatewayBadInput, BodyOver1MiBIs413) {
  constexpr std::size_t limit = 1024 * 1024;
  auto probe = refused_body("");
  refused_ids_.pop_back();
  std::string padding(limit + 1 - probe.size(), 'a');
  auto body = refused_body(padding);
  ASSERT_EQ(body.size(), limit + 1);
  auto r = post_signed_raw(body);
  EXPECT_EQ(r.status, 413u) << r.body;
  expect_still_serving_and_nothing_refused_stored();

  // Exactly at the limit is not "too large" (whatever the adapter then thinks of it).
  auto at_limit = line_webhook_body({f_.text(f_.next_event_id(), f_.next_user_id(),
                                             std::string(limit - probe.size(), 'b'), f_.next_message_id())});
  ASSERT_EQ(at_limit.size(), limit);
  auto fresh = HttpClient(gateway_->port());
  auto ok = post_signed(fresh, h_.channel_secret(), at_limit);
  ASSERT_TRUE(ok);
  EXPECT_NE(ok->status, 413u);
  EXPECT_LT(ok->status, 500u) << ok->body;
}

TEST_F(GatewayBadInput, HeadersOver8KiBAre431) {
  auto body = refused_body();
  auto headers = line_headers(h_.channel_secret(), body);
  headers.emplace_back("x-padding", std::string(9 * 1024, 'p'));
  auto r = post(body, headers);
  EXPECT_EQ(r.status, 431u) << r.body;
  expect_still_serving_and_nothing_refused_stored();
}

}  // namespace
}  // namespace madoguchi::testing
