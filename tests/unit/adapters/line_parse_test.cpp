// Every event and message type of LINE's webhook.yml, from the fixtures in tests/fixtures/line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "adapters/common/json.hpp"
#include "adapters/line/line_events.hpp"
#include "adapters/line/line_inbound.hpp"

namespace madoguchi::adapters::line {
namespace {

namespace fs = std::filesystem;
const fs::path kFixtures = fs::path(MADOGUCHI_SOURCE_DIR) / "tests/fixtures/line";

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<NormalizedMessage> parse_body(const std::string& body) {
  std::vector<Secret> s;
  s.emplace_back("secret");
  LineInbound line("demo", std::move(s));
  auto r = line.parse({"demo", {}, body});
  EXPECT_TRUE(r) << (r ? "" : r.error().message());
  return r ? *r : std::vector<NormalizedMessage>{};
}

result<std::vector<NormalizedMessage>> try_parse(const std::string& body) {
  std::vector<Secret> s;
  s.emplace_back("secret");
  return LineInbound("demo", std::move(s)).parse({"demo", {}, body});
}

// The discriminator mappings of webhook.yml: event types and message types.
std::set<std::string> spec_mapping(const std::string& schema_ref_suffix) {
  std::set<std::string> out;
  std::ifstream in(fs::path(MADOGUCHI_SHARED_DIR) / "specs/line-openapi/webhook.yml");
  std::regex line(R"(^\s+(\w+):\s+"#/components/schemas/(\w+)\")");
  std::string text;
  while (std::getline(in, text)) {
    std::smatch m;
    if (std::regex_search(text, m, line) && m[2].str().ends_with(schema_ref_suffix)) out.insert(m[1]);
  }
  return out;
}

TEST(LineParse, FixturesCoverEveryEventTypeOfTheSpec) {
  auto spec_events = spec_mapping("Event");
  spec_events.erase("delivery");  // its schema is PnpDeliveryCompletionEvent: also an Event
  ASSERT_GE(spec_events.size(), 18u);
  std::set<std::string> seen;
  for (const auto& entry : fs::directory_iterator(kFixtures))
    for (const auto& m : parse_body(read(entry.path()))) seen.insert(m.event_type);
  for (const auto& type : spec_events) {
    EXPECT_TRUE(seen.count(type)) << "no fixture for " << type;
    EXPECT_TRUE(is_known_event_type(type)) << type;
  }
  EXPECT_TRUE(seen.count("delivery"));
  for (const auto& type : seen) EXPECT_EQ(type.find("unsupported"), std::string::npos) << type;
}

TEST(LineParse, FixturesCoverEveryMessageTypeOfTheSpec) {
  auto spec_types = spec_mapping("MessageContent");
  ASSERT_EQ(spec_types.size(), 7u);
  std::set<std::string> seen;
  for (const auto& entry : fs::directory_iterator(kFixtures))
    for (const auto& m : parse_body(read(entry.path())))
      if (m.event_type == "message") seen.insert(m.message_type);
  EXPECT_EQ(seen, spec_types);
}

TEST(LineParse, TextMessageBecomesANormalizedMessage) {
  auto ms = parse_body(read(kFixtures / "message_text.json"));
  ASSERT_EQ(ms.size(), 1u);
  const auto& m = ms[0];
  EXPECT_EQ(m.channel, "line");
  EXPECT_EQ(m.account, "demo");
  EXPECT_EQ(m.event_type, "message");
  EXPECT_EQ(m.message_type, "text");
  EXPECT_EQ(m.external_id.rfind("01HFIXTURE", 0), 0u);
  EXPECT_GT(m.provider_timestamp_ms, 1'700'000'000'000);
  EXPECT_EQ(m.source_kind, "user");
  EXPECT_EQ(m.sender_id, "U4af4980629a1b2c3d4e5f60718293a4b");
  EXPECT_EQ(m.thread_id, m.sender_id);
  EXPECT_EQ(m.text, "夜分にすみません。息子のことで相談したいです 😢");
  EXPECT_EQ(m.provider_message_id, "468789577898262530");
  EXPECT_NE(m.payload_json.find("replyToken"), std::string::npos);
  EXPECT_FALSE(m.reply_handle.empty());  // the reply token, for the outbound side
  EXPECT_NE(m.payload_json.find(m.reply_handle), std::string::npos);
  EXPECT_NE(m.payload_json.find("markAsReadToken"), std::string::npos);
  EXPECT_FALSE(m.has_media);
  EXPECT_FALSE(m.redelivery);
}

TEST(LineParse, GroupsAndRoomsAreTheirOwnThreads) {
  auto group = parse_body(read(kFixtures / "message_text_group.json")).at(0);
  EXPECT_EQ(group.source_kind, "group");
  EXPECT_EQ(group.thread_id, "group:Ca56f94637c0a1b2c3d4e5f60718293a4");
  auto room = parse_body(read(kFixtures / "message_text_room.json")).at(0);
  EXPECT_EQ(room.thread_id, "room:Ra8dbf4673c0a1b2c3d4e5f60718293a4");
}

TEST(LineParse, MediaHeldByLineIsFetchedLater) {
  EXPECT_TRUE(parse_body(read(kFixtures / "message_image.json")).at(0).has_media);
  EXPECT_TRUE(parse_body(read(kFixtures / "message_video.json")).at(0).has_media);
  EXPECT_TRUE(parse_body(read(kFixtures / "message_audio.json")).at(0).has_media);
  EXPECT_TRUE(parse_body(read(kFixtures / "message_file.json")).at(0).has_media);
  EXPECT_FALSE(parse_body(read(kFixtures / "message_image_external.json")).at(0).has_media);
  EXPECT_FALSE(parse_body(read(kFixtures / "message_sticker.json")).at(0).has_media);
}

TEST(LineParse, TheMediaHandleIsTheMessageIdOfContentLineHolds) {
  EXPECT_EQ(parse_body(read(kFixtures / "message_image.json")).at(0).media_handle, "354718705033693859");
  EXPECT_EQ(parse_body(read(kFixtures / "message_file.json")).at(0).media_handle, "325710");
  // External content (the sender's own URLs) is never fetched: no handle.
  EXPECT_EQ(parse_body(read(kFixtures / "message_image_external.json")).at(0).media_handle, "");
  EXPECT_EQ(parse_body(read(kFixtures / "message_text.json")).at(0).media_handle, "");
}

TEST(LineParse, FollowUnfollowUnsendChangeState) {
  EXPECT_EQ(parse_body(read(kFixtures / "follow.json")).at(0).effect, ContactEffect::reachable);
  EXPECT_EQ(parse_body(read(kFixtures / "unfollow.json")).at(0).effect, ContactEffect::unreachable);
  auto unsend = parse_body(read(kFixtures / "unsend.json")).at(0);
  EXPECT_EQ(unsend.effect, ContactEffect::hide_target);
  EXPECT_EQ(unsend.target_message_id, "468789577898262530");
  auto postback = parse_body(read(kFixtures / "postback.json")).at(0);
  EXPECT_NE(postback.payload_json.find("action=consult"), std::string::npos);
  auto activated = parse_body(read(kFixtures / "activated.json")).at(0);
  EXPECT_TRUE(activated.sender_id.empty());
}

TEST(LineParse, EmptyEventsAndUnknownTypes) {
  EXPECT_TRUE(parse_body(read(kFixtures / "verify_empty.json")).empty());
  auto ms = parse_body(R"({"destination":"U","events":[{"type":"futureThing","webhookEventId":"01X","timestamp":1},)"
                       R"({"type":"message","webhookEventId":"01Y","message":{"id":"9","type":"hologram"}}]})");
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(ms[0].event_type, "unsupported:futureThing");
  EXPECT_EQ(ms[1].event_type, "message");
  EXPECT_EQ(ms[1].message_type, "unsupported:hologram");
}

TEST(LineParse, RedeliveryFlagAndMissingEventIdStillDeduplicate) {
  auto a = parse_body(R"({"events":[{"type":"follow","timestamp":5,"deliveryContext":{"isRedelivery":true}}]})").at(0);
  auto b = parse_body(R"({"events":[{"type":"follow","timestamp":5,"deliveryContext":{"isRedelivery":true}}]})").at(0);
  EXPECT_TRUE(a.redelivery);
  EXPECT_EQ(a.external_id.rfind("sha256:", 0), 0u);
  EXPECT_EQ(a.external_id, b.external_id);
}

TEST(LineParse, BadShapesAreRefused) {
  for (const std::string& body : {std::string("[]"), std::string(R"({"events":{}})"), std::string(R"({"destination":"U"})"),
                                  std::string(R"({"events":[1]})"), std::string(R"({"events":[{"no":"type"}]})"),
                                  std::string(R"({"events":[{"type":"message","timestamp":"soon"}]})"),
                                  std::string(R"({"events":[{"type":"message"}]})"),
                                  std::string(R"({"events":[{"type":"unsend","unsend":{}}]})"),
                                  std::string(R"({"events":[{"type":"follow","source":"U1"}]})")}) {
    auto r = try_parse(body);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error(), errc::json_unexpected_shape) << body;
  }
}

TEST(UntrustedJson, LimitsEachWithItsOwnError) {
  auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  EXPECT_TRUE(parse_untrusted_json(nested(32)));
  EXPECT_EQ(parse_untrusted_json(nested(33)).error(), errc::json_too_deep);
  EXPECT_EQ(parse_untrusted_json(R"({"a":1,"a":2})").error(), errc::json_duplicate_key);
  EXPECT_EQ(parse_untrusted_json(R"({"x":{"a":1,"\u0061":2}})").error(), errc::json_duplicate_key);
  EXPECT_TRUE(parse_untrusted_json(R"({"a":{"a":1},"b":[{"a":1},{"a":2}]})"));  // same key, other objects
  EXPECT_EQ(parse_untrusted_json("{\"a\":\"\xff\xfe\"}").error(), errc::json_invalid_utf8);
  EXPECT_EQ(parse_untrusted_json("{\"a\":\"\xe3\x81\"}").error(), errc::json_invalid_utf8);  // truncated sequence
  EXPECT_EQ(parse_untrusted_json(R"({"a":1} x)").error(), errc::json_malformed);
  EXPECT_EQ(parse_untrusted_json(R"({"a":)").error(), errc::json_malformed);
  EXPECT_EQ(parse_untrusted_json("").error(), errc::json_malformed);
  // Beyond a double's range: Boost.JSON would read infinity and write "Infinity" back.
  EXPECT_EQ(parse_untrusted_json(R"({"timestamp":1e400})").error(), errc::json_malformed);
  EXPECT_EQ(parse_untrusted_json(R"([-1e400])").error(), errc::json_malformed);
  EXPECT_TRUE(parse_untrusted_json(R"([1.7976931348623157e308, 1e-400, 18446744073709551616])"));
  auto ok = parse_untrusted_json(R"({"text":"相談"})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->at("text").as_string(), "相談");
}

}  // namespace
}  // namespace madoguchi::adapters::line
