// GET /api/channels: the console's channel names and limits come from ApiOptions (filled by
// the composition root from the channel adapters), and the reply limit it serves is read from
// Cases, the one the reply route enforces, counted in code points.
#include "tests/unit/console/api_fixture.hpp"

namespace madoguchi::console::test {
namespace {

constexpr std::size_t kReplyMax = 1200;

class ChannelsApiTest : public ApiTest {
 protected:
  CaseLimits case_limits() const override { return {100, kReplyMax, 32}; }
  ApiOptions api_options() const override {
    ApiOptions o;
    o.channels = {{"line", "LINE", "友だち追加が解除されています", 5000, true},
                  {"email", "メール", "", 0, false}};
    return o;
  }
  static std::string repeat(const std::string& s, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
  }
};

TEST_F(ChannelsApiTest, NeedsASession) {
  auto res = call("GET", "/api/channels");
  EXPECT_EQ(res.status, 401u);
  EXPECT_EQ(error_of(res), "not_logged_in");
}

TEST_F(ChannelsApiTest, ServesTheLabelsAndLimitsOfTheOptions) {
  auto s = login("a-counselor");
  auto res = call("GET", "/api/channels", "", &s);
  ASSERT_EQ(res.status, 200u) << res.body;
  EXPECT_EQ(res.content_type, "application/json; charset=utf-8");
  auto body = json::parse(res.body).as_object();
  EXPECT_EQ(body.size(), 2u);
  EXPECT_EQ(body.at("reply_max_chars").as_int64(), static_cast<std::int64_t>(kReplyMax));
  const auto& channels = body.at("channels").as_array();
  ASSERT_EQ(channels.size(), 2u);
  EXPECT_EQ(channels[0].as_object(), (json::object{{"type", "line"}, {"label", "LINE"}, {"message_max_units", 5000}}));
  EXPECT_EQ(channels[1].as_object(), (json::object{{"type", "email"}, {"label", "メール"}, {"message_max_units", 0}}));
  // The conversation's "channel" is the key the UI looks the label up by.
  auto queue = json::parse(call("GET", "/api/conversations", "", &s).body);
  EXPECT_EQ(queue.at("conversations").as_array()[0].at("channel").as_string(), channels[0].at("type").as_string());
}

TEST_F(ChannelsApiTest, TheServedReplyLimitIsEnforcedInCodePoints) {
  auto s = login("a-counselor");
  // 𠮷 is one code point and two UTF-16 units: the limit counts code points, as the UI does.
  const std::string at_limit = repeat("𠮷", kReplyMax);
  EXPECT_EQ(call("POST", conv("/replies"), R"({"text":")" + at_limit + R"("})", &s).status, 202u);
  auto over = call("POST", conv("/replies"), R"({"text":")" + at_limit + R"(x"})", &s);
  EXPECT_EQ(over.status, 413u);
  EXPECT_EQ(error_of(over), "too_large");
}

TEST_F(ApiTest, WithoutChannelsTheDefaultReplyLimitIsServed) {
  auto s = login("chief");
  auto body = json::parse(call("GET", "/api/channels", "", &s).body);
  EXPECT_TRUE(body.at("channels").as_array().empty());
  EXPECT_EQ(body.at("reply_max_chars").as_int64(), 20000);
}

}  // namespace
}  // namespace madoguchi::console::test
