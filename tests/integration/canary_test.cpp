// SECURITY.md: a canary in a message, a postback and a user id is found nowhere in the
// database file, its WAL and shared memory, the key files or the logs — not as UTF-8, nor
// as UTF-16, base64, hex or a JSON \u escape — while the messages are provably stored.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <boost/json/serialize.hpp>
#include <random>

#include "tests/fakes/line_webhooks.hpp"
#include "tests/fakes/sqlite_probe.hpp"
#include "tests/integration/harness.hpp"

namespace madoguchi::testing {
namespace {

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                           reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::u16string utf16(std::string_view utf8) {
  std::u16string out;
  for (std::size_t i = 0; i < utf8.size();) {
    auto c = static_cast<unsigned char>(utf8[i]);
    char32_t cp;
    int extra = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
    cp = extra == 0 ? c : extra == 1 ? (c & 0x1f) : extra == 2 ? (c & 0x0f) : (c & 0x07);
    for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3f);
    i += static_cast<std::size_t>(extra) + 1;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xd800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

// Every encoding of `canary` a careless implementation might leave on disk.
std::vector<std::pair<std::string, std::string>> forms(const std::string& canary) {
  std::vector<std::pair<std::string, std::string>> out{{"utf-8", canary}};
  std::string le, be, escaped, hex_lower, hex_upper;
  for (char16_t u : utf16(canary)) {
    le.push_back(static_cast<char>(u & 0xff));
    le.push_back(static_cast<char>(u >> 8));
    be.push_back(static_cast<char>(u >> 8));
    be.push_back(static_cast<char>(u & 0xff));
    char buf[8];
    if (u < 0x80) {
      escaped.push_back(static_cast<char>(u));
    } else {
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(u));
      escaped += buf;
    }
  }
  for (unsigned char c : canary) {
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02x", c);
    hex_lower += buf;
    std::snprintf(buf, sizeof buf, "%02X", c);
    hex_upper += buf;
  }
  out.insert(out.end(), {{"utf-16le", le}, {"utf-16be", be}, {"json-escape", escaped}, {"hex", hex_lower},
                         {"HEX", hex_upper}});
  std::string upper_escaped = escaped;
  for (std::size_t i = 0; i + 1 < upper_escaped.size(); ++i)
    if (upper_escaped[i] == '\\' && upper_escaped[i + 1] == 'u')
      for (std::size_t k = i + 2; k < i + 6; ++k) upper_escaped[k] = static_cast<char>(std::toupper(upper_escaped[k]));
  out.emplace_back("json-escape-upper", upper_escaped);
  // Base64 depends on where the canary starts modulo 3: keep the whole groups only.
  for (std::size_t skip = 0; skip < 3; ++skip) {
    auto whole = (canary.size() - skip) / 3 * 3;
    auto b64 = base64(std::string_view(canary).substr(skip, whole));
    out.emplace_back("base64+" + std::to_string(skip), b64);
    for (auto& c : b64) c = c == '+' ? '-' : c == '/' ? '_' : c;
    out.emplace_back("base64url+" + std::to_string(skip), b64);
  }
  return out;
}

struct Canaries {
  std::string text;      // ASCII, in message text
  std::string japanese;  // in message text
  std::string postback;  // postback data
  std::string user;      // inside the LINE user id
  std::vector<std::string> all() const { return {text, japanese, postback, user}; }
};

Canaries make_canaries() {
  std::random_device seed;
  std::mt19937_64 rng((static_cast<std::uint64_t>(seed()) << 32) ^ seed());
  std::string digits;
  for (int i = 0; i < 10; ++i) digits.push_back(static_cast<char>('0' + rng() % 10));
  return {"CANARY-" + random_hex(rng, 10), "カナリア" + digits, "CANARYPB-" + random_hex(rng, 10),
          "CANARYUSER" + random_hex(rng, 11)};
}

// Names every (file, canary, form) found; empty when clean.
std::vector<std::string> find_canaries(const std::vector<std::pair<std::string, std::string>>& haystacks,
                                       const Canaries& canaries) {
  std::vector<std::string> found;
  for (const auto& canary : canaries.all())
    for (const auto& [form, needle] : forms(canary))
      for (const auto& [name, bytes] : haystacks)
        if (bytes.find(needle) != std::string::npos) found.push_back(name + ": " + form + " of " + canary);
  return found;
}

TEST(GatewayCanary, ContentAndUserIdsNeverInClearInStoreWalOrLogs) {
  GatewayHarness h(HarnessOptions{.log_level = "trace"});  // the chattiest logs
  const auto c = make_canaries();
  LineEventFactory f(99);
  const std::string user = "U" + c.user;
  std::int64_t acknowledged = 0;
  std::string text_event_id;
  auto send = [&](HttpClient& client, const std::vector<boost::json::object>& events) {
    auto r = post_signed(client, h.channel_secret(), line_webhook_body(events));
    ASSERT_TRUE(r) << r.error().message();
    ASSERT_EQ(r->status, 200u) << r->body;
    auto answer = parse_answer(r->body);
    ASSERT_TRUE(answer);
    acknowledged += answer->stored;
  };

  {  // First run, stopped cleanly: its events are checkpointed into madoguchi.db.
    auto gateway = h.start();
    HttpClient client(gateway->port());
    text_event_id = f.next_event_id();
    send(client, {f.follow(f.next_event_id(), user),
                  f.text(text_event_id, user, "相談です。" + c.text + " と " + c.japanese, f.next_message_id())});
    send(client, {f.postback(f.next_event_id(), user, "choice=" + c.postback)});
    client.close();
    EXPECT_TRUE(stopped_cleanly(*gateway));
  }
  // Second run, killed: its events are only in the WAL.
  auto gateway = h.start();
  HttpClient client(gateway->port());
  for (int i = 0; i < 5; ++i)
    send(client, {f.text(f.next_event_id(), user, c.japanese + "、聞いてください " + c.text, f.next_message_id()),
                  f.postback(f.next_event_id(), user, c.postback + "&n=" + std::to_string(i))});
  auto metrics = client.get("/metrics");
  ASSERT_TRUE(metrics);
  gateway->kill();

  const auto wal = h.database().string() + "-wal";
  ASSERT_TRUE(std::filesystem::exists(wal)) << "no WAL after SIGKILL: the test would not look at it";
  EXPECT_GT(std::filesystem::file_size(wal), 0u);
  std::vector<std::pair<std::string, std::string>> haystacks{
      {"stderr log", read_file(h.stderr_log())}, {"/metrics", metrics->body}, {"stdout", gateway->extra_stdout()}};
  for (const auto& entry : std::filesystem::recursive_directory_iterator(h.data_dir()))
    if (entry.is_regular_file()) haystacks.emplace_back(entry.path().string(), read_file(entry.path()));
  std::set<std::string> scanned;
  for (const auto& [name, bytes] : haystacks) scanned.insert(name);
  EXPECT_TRUE(scanned.contains(h.database().string()));
  EXPECT_TRUE(scanned.contains(wal));
  EXPECT_GT(read_file(h.stderr_log()).size(), 0u) << "an empty log proves nothing";

  // The scan itself must work: a canary planted in a copy is found in every form.
  for (const auto& [form, needle] : forms(c.japanese)) {
    auto planted = find_canaries({{"planted", "xx" + needle + "yy"}}, c);
    EXPECT_FALSE(planted.empty()) << form;
  }
  EXPECT_EQ(find_canaries(haystacks, c), std::vector<std::string>{});

  // And the messages are there (opening the database replays the WAL).
  EXPECT_EQ(acknowledged, 13);
  SqliteProbe db(h.database());
  EXPECT_EQ(db.scalar("SELECT count(*) FROM messages"), acknowledged);
  EXPECT_EQ(db.scalar("SELECT count(*) FROM messages WHERE external_id = '" + text_event_id +
                      "' AND length(body) > " + std::to_string(c.text.size() + c.japanese.size())),
            1);
  auto stats = h.stats();
  EXPECT_EQ(find_canaries({{"stats", boost::json::serialize(stats)}}, c), std::vector<std::string>{});
}

}  // namespace
}  // namespace madoguchi::testing
