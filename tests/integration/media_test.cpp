// Media content with the real binary and the fake LINE data API: image, video, audio and
// file messages are fetched in the background (GET /v2/bot/message/{id}/content on the data
// host), stored encrypted, shown in the console with their state, and downloaded as an
// attachment by a counselor who may see the conversation (audited) — never by another
// window's counselor. Too large → too_large (nothing stored); a refused type → type_refused;
// 500 then 200 → fetched after a retry; 404 → failed at once; external content is never asked
// for; an unsent message's stored content is deleted.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <random>

#include "tests/fakes/fake_line_api.hpp"
#include "tests/fakes/line_webhooks.hpp"
#include "tests/fakes/sqlite_probe.hpp"
#include "tests/integration/harness.hpp"

namespace madoguchi::testing {
namespace {

const char* kSpec = MADOGUCHI_SHARED_DIR "/specs/line-openapi/messaging-api.yml";
const char* kPassword = "media-password-2026";
const char* kWindow = "ひきこもり地域支援センター";
const char* kOtherWindow = "子ども若者相談窓口";

std::string random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

HarnessOptions media_options(const FakeLineApi& fake, const std::string& token) {
  auto o = fake_line_options(fake, token, /*reply_window_s=*/0);
  o.extra_toml += "[media]\nmax_bytes = 1048576\nbackoff_base_ms = 20\nbackoff_cap_ms = 100\npoll_ms = 20\n"
                  "[console]\n"
                  "[[console.demo_users]]\nusername = \"soudan1\"\nrole = \"counselor\"\nwindows = [\"" +
                  std::string(kWindow) + "\"]\npassword = { env = \"MADOGUCHI_DEMO_PASSWORD\" }\n"
                  "[[console.demo_users]]\nusername = \"soudan2\"\nrole = \"counselor\"\nwindows = [\"" +
                  std::string(kOtherWindow) + "\"]\npassword = { env = \"MADOGUCHI_DEMO_PASSWORD\" }\n";
  o.extra_env = {std::string("MADOGUCHI_DEMO_PASSWORD=") + kPassword};
  return o;
}

void add_second_window(const GatewayHarness& h) {
  auto text = read_file(h.config_path());
  const std::string from = std::string("windows = [\"") + kWindow + "\"]";
  text.replace(text.find(from), from.size(), std::string("windows = [\"") + kWindow + "\", \"" + kOtherWindow + "\"]");
  write_file(h.config_path(), text);
}

// The session cookie of a console login.
std::string login(HttpClient& client, const std::string& user) {
  auto res = client.post("/api/login", R"({"username":")" + user + R"(","password":")" + kPassword + R"("})",
                         {{"Content-Type", "application/json"}, {"Origin", client.origin()}});
  if (!res || res->status != 200) return {};
  auto cookie = res->header("set-cookie");
  return cookie.substr(0, cookie.find(';'));
}

boost::system::result<HttpResponse> get(HttpClient& client, const std::string& cookie, const std::string& target) {
  return client.request("GET", target, "", {{"Cookie", cookie}});
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

TEST(Media, FetchedStoredEncryptedShownAndDownloadedByTheirCounselorOnly) {
  const std::string token = "media-token";
  FakeLineApi fake(kSpec, token);
  GatewayHarness h(media_options(fake, token));
  add_second_window(h);

  LineEventFactory events(61);
  const auto user = events.next_user_id();
  struct Sent {
    std::string type, line_id;
    bool external = false;
  };
  std::vector<Sent> sent;
  const std::vector<std::pair<std::string, bool>> kinds{{"image", false}, {"video", false}, {"file", false},
                                                        {"image", false}, {"audio", false}, {"image", false},
                                                        {"image", true},  {"audio", false}};
  for (const auto& [type, external] : kinds) sent.push_back({type, events.next_message_id(), external});
  const auto image = random_bytes(200'000, 1);
  fake.add_content(sent[0].line_id, "image/jpeg", image);                                 // fetched
  fake.add_content(sent[1].line_id, "video/mp4", random_bytes(2'000'000, 2));             // too large (Content-Length)
  fake.add_content(sent[2].line_id, "text/html", "<script>alert(1)</script>");           // refused type
  const auto png = random_bytes(50'000, 4);
  fake.add_content(sent[3].line_id, "image/png", png);                                   // 500, then fetched
  fake.fail_content(sent[3].line_id, 500);
  // sent[4]: nothing at LINE → 404 (expired)
  fake.add_content(sent[5].line_id, "image/jpeg", random_bytes(1'500'000, 6), true);     // too large (chunked)
  fake.add_content(sent[6].line_id, "image/jpeg", "never asked for");                    // external: not fetched
  fake.add_content(sent[7].line_id, "audio/x-m4a", random_bytes(10'000, 8));             // fetched

  auto gateway = h.start();
  HttpClient client(gateway->port());
  std::vector<boost::json::object> batch;
  for (const auto& s : sent) batch.push_back(events.media(events.next_event_id(), user, s.type, s.line_id, s.external));
  auto answer = post_signed(client, h.channel_secret(), line_webhook_body(batch));
  ASSERT_TRUE(answer && answer->status == 200u);

  SqliteProbe probe(h.database());
  ASSERT_TRUE(fake.wait_until([&] { return probe.scalar("SELECT count(*) FROM media") == 7; }, 20000))
      << read_file(h.stderr_log());
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM jobs WHERE kind = 'fetch_media'"), 7);  // none for external content
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM jobs WHERE kind = 'fetch_media' AND state = 'done'"), 7);
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM media WHERE body IS NOT NULL"), 3);  // only what was fetched
  EXPECT_EQ(fake.content_requests(sent[3].line_id), 2);  // the retry after 500
  EXPECT_EQ(fake.content_requests(sent[4].line_id), 1);  // 404 is not retried
  EXPECT_EQ(fake.content_requests(sent[6].line_id), 0);  // external content is never fetched
  for (const auto& r : fake.requests())
    if (r.target.ends_with("/content")) {
      EXPECT_TRUE(r.data_host) << r.target;
      EXPECT_EQ(r.authorization, "Bearer " + token);
    }

  // The console: each message's state in Japanese, a download link only for stored content.
  HttpClient staff(gateway->port());
  const auto cookie = login(staff, "soudan1");
  ASSERT_FALSE(cookie.empty());
  const auto conversation = probe.scalar("SELECT id FROM conversations");
  const auto base = "/api/conversations/" + std::to_string(conversation);
  auto listed = get(staff, cookie, base + "/messages");
  ASSERT_TRUE(listed && listed->status == 200u) << (listed ? listed->body : "");
  auto messages = boost::json::parse(listed->body).as_object().at("messages").as_array();
  std::vector<boost::json::object> media;
  for (const auto& m : messages)
    if (m.as_object().at("direction").as_string() == "in") media.push_back(m.as_object().at("media").as_object());
  ASSERT_EQ(media.size(), sent.size());
  auto state = [&](std::size_t i) { return std::string(media[i].at("state").as_string()); };
  auto label = [&](std::size_t i) { return std::string(media[i].at("label").as_string()); };
  EXPECT_EQ(state(0), "fetched");
  EXPECT_EQ(label(0), "画像：ダウンロード");
  EXPECT_EQ(media[0].at("size_bytes").as_int64(), 200'000);
  EXPECT_EQ(state(1), "too_large");
  EXPECT_EQ(label(1), "ファイルが大きすぎるため保存していません（上限1MB）");
  EXPECT_EQ(state(2), "type_refused");
  EXPECT_EQ(label(2), "この形式のファイルは保存していません");
  EXPECT_EQ(state(3), "fetched");
  EXPECT_EQ(state(4), "failed");
  EXPECT_EQ(label(4), "取得できませんでした");
  EXPECT_TRUE(contains(std::string(media[4].at("reason").as_string()), "保存期間"));
  EXPECT_EQ(state(5), "too_large");
  EXPECT_EQ(state(6), "external");
  EXPECT_EQ(state(7), "fetched");
  EXPECT_EQ(label(7), "音声：ダウンロード");
  for (std::size_t i : {1u, 2u, 4u, 5u, 6u}) EXPECT_TRUE(media[i].at("download_url").is_null()) << i;

  // The download: exactly the bytes, as an attachment of the stored type, never cached.
  const std::string url(media[0].at("download_url").as_string());
  auto file = get(staff, cookie, url);
  ASSERT_TRUE(file && file->status == 200u) << (file ? file->body : "");
  EXPECT_TRUE(file->body == image) << "downloaded bytes differ (" << file->body.size() << " bytes)";
  EXPECT_EQ(file->header("content-type"), "image/jpeg");
  EXPECT_TRUE(file->header("content-disposition").starts_with("attachment; filename=\"madoguchi-")) << file->header("content-disposition");
  EXPECT_EQ(file->header("x-content-type-options"), "nosniff");
  EXPECT_EQ(file->header("cache-control"), "no-store");
  auto second = get(staff, cookie, std::string(media[3].at("download_url").as_string()));
  ASSERT_TRUE(second && second->status == 200u);
  EXPECT_TRUE(second->body == png);
  EXPECT_EQ(second->header("content-type"), "image/png");
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM audit_events WHERE action = 'download_media' AND actor = 'soudan1'"), 2);

  // Content not stored has nothing to download; an unknown or malformed id neither.
  auto refused_id = std::string(messages[2].as_object().at("id").as_string());
  auto refused = get(staff, cookie, base + "/messages/" + refused_id + "/media");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 404u);
  auto bogus = get(staff, cookie, base + "/messages/not-an-id/media");
  ASSERT_TRUE(bogus);
  EXPECT_EQ(bogus->status, 404u);
  // The same message through another conversation's path: not found.
  auto elsewhere = get(staff, cookie, "/api/conversations/" + std::to_string(conversation + 1) + url.substr(url.find("/messages/")));
  ASSERT_TRUE(elsewhere);
  EXPECT_TRUE(elsewhere->status == 404u || elsewhere->status == 403u) << elsewhere->status;
  // Without a session: 401.
  HttpClient anonymous(gateway->port());
  auto nobody = anonymous.get(url);
  ASSERT_TRUE(nobody);
  EXPECT_EQ(nobody->status, 401u);

  // A counselor of another window may neither list nor download it.
  HttpClient other(gateway->port());
  const auto other_cookie = login(other, "soudan2");
  ASSERT_FALSE(other_cookie.empty());
  auto denied = get(other, other_cookie, url);
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403u);
  EXPECT_TRUE(denied->body.find("error") != std::string::npos);
  auto denied_list = get(other, other_cookie, base + "/messages");
  ASSERT_TRUE(denied_list);
  EXPECT_EQ(denied_list->status, 403u);
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM audit_events WHERE action = 'download_media' AND actor = 'soudan2'"), 0);

  // Unsent: its stored content is deleted and no longer offered.
  const std::string audio_url(media[7].at("download_url").as_string());
  ASSERT_EQ(get(staff, cookie, audio_url)->status, 200u);
  auto unsend = line_webhook_body({events.unsend(events.next_event_id(), user, sent[7].line_id)});
  ASSERT_EQ(post_signed(client, h.channel_secret(), unsend)->status, 200u);
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM media WHERE body IS NOT NULL"), 2);
  EXPECT_EQ(get(staff, cookie, audio_url)->status, 404u);

  EXPECT_TRUE(stopped_cleanly(*gateway));
  for (const auto& p : fake.problems()) ADD_FAILURE() << "LINE API spec violation: " << p;

  // The plaintext is nowhere in the database or its WAL; ids, tokens and content not in the log.
  std::string stored = read_file(h.database());
  if (std::filesystem::exists(h.database().string() + "-wal")) stored += read_file(h.database().string() + "-wal");
  for (std::size_t offset : {0u, 1000u, 100'000u, 199'000u})
    EXPECT_FALSE(contains(stored, image.substr(offset, 64))) << "image bytes in clear at offset " << offset;
  EXPECT_FALSE(contains(stored, png.substr(0, 64)));
  const auto log = read_file(h.stderr_log());
  for (const auto& s : sent) EXPECT_FALSE(contains(log, s.line_id)) << "LINE message id in the log";
  EXPECT_FALSE(contains(log, token));
  EXPECT_FALSE(contains(log, user));
  EXPECT_TRUE(contains(log, "media_fetched"));
  auto verify = h.run({"audit", "verify", "--config", h.config_path().string()});
  EXPECT_EQ(verify.status.code, 0) << verify.out << verify.err;
}

TEST(Media, RetriesRunOutIntoAFailedStateAndADeadLetter) {
  const std::string token = "media-token";
  FakeLineApi fake(kSpec, token);
  auto o = media_options(fake, token);
  GatewayHarness h(o);
  add_second_window(h);
  LineEventFactory events(62);
  const auto id = events.next_message_id();
  fake.add_content(id, "image/jpeg", "late");
  fake.fail_content(id, 503, 100);  // more than the job's attempts
  auto gateway = h.start();
  HttpClient client(gateway->port());
  auto body = line_webhook_body({events.media(events.next_event_id(), events.next_user_id(), "image", id)});
  ASSERT_EQ(post_signed(client, h.channel_secret(), body)->status, 200u);
  SqliteProbe probe(h.database());
  ASSERT_TRUE(fake.wait_until([&] { return probe.scalar("SELECT count(*) FROM media WHERE state = 'failed'") == 1; }, 20000))
      << read_file(h.stderr_log());
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM jobs WHERE kind = 'fetch_media' AND state = 'dead'"), 1);
  EXPECT_EQ(fake.content_requests(id), probe.scalar("SELECT max_attempts FROM jobs WHERE kind = 'fetch_media'"));
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM media WHERE body IS NOT NULL"), 0);
  EXPECT_TRUE(stopped_cleanly(*gateway));
  EXPECT_TRUE(contains(read_file(h.stderr_log()), "media_dead_letter"));
}

}  // namespace
}  // namespace madoguchi::testing
