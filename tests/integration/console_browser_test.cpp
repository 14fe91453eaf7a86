// The counselor console end to end in a real browser: a signed LINE webhook arrives, a
// counselor logs in (after one wrong password), sees it at the top of the queue, opens it
// and replies; the fake LINE API receives the push (after the automatic acknowledgement)
// and the page shows 送信済み; the channel label and the reply counter's limit are the ones
// GET /api/channels serves. The counselor then raises the case to 緊急 and the supervisor's
// page alerts. A photo sent with the message shows as a download link (never inline) and
// downloads as an attachment. The browser part is tests/e2e/console_e2e.mjs (playwright-core + Debian
// chromium); screenshots of the queue, the conversation and the supervisor view are kept in
// <build>/artifacts/e2e.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <filesystem>
#include <fstream>

#include "tests/fakes/fake_line_api.hpp"
#include "tests/fakes/line_webhooks.hpp"
#include "tests/fakes/sqlite_probe.hpp"
#include "tests/integration/harness.hpp"

namespace madoguchi::testing {
namespace {

namespace fs = std::filesystem;

const char* kSpec = MADOGUCHI_SHARED_DIR "/specs/line-openapi/messaging-api.yml";
const char* kPassword = "e2e-password-2026";

std::string console_toml() {
  return "[console]\n"
         "[[console.demo_users]]\n"
         "username = \"soudan1\"\nrole = \"counselor\"\nwindows = [\"ひきこもり地域支援センター\"]\n"
         "password = { env = \"MADOGUCHI_DEMO_PASSWORD\" }\n"
         "[[console.demo_users]]\n"
         "username = \"kanri1\"\nrole = \"supervisor\"\n"
         "password = { env = \"MADOGUCHI_DEMO_PASSWORD\" }\n";
}

bool is_png(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  char magic[8] = {};
  in.read(magic, sizeof magic);
  return in.gcount() == 8 && std::string(magic, 8) == "\x89PNG\r\n\x1a\n" && fs::file_size(file) > 10000;
}

TEST(ConsoleBrowser, WebhookToQueueToReplyDeliveredAndSupervisorAlerted) {
  const fs::path script = MADOGUCHI_SOURCE_DIR "/tests/e2e/console_e2e.mjs";
  ASSERT_TRUE(fs::exists(MADOGUCHI_SOURCE_DIR "/tests/e2e/node_modules/playwright-core"))
      << "run `npm ci --prefix tests/e2e` (scripts/test.sh does)";
  ASSERT_TRUE(fs::exists("/usr/bin/chromium")) << "Debian's chromium package is needed (scripts/install-deps.sh)";

  const std::string token = "e2e-token";
  FakeLineApi fake(kSpec, token);
  // No reply window: a counselor's answer goes out as a push, as for any reply after LINE's
  // reply token has lapsed.
  auto o = fake_line_options(fake, token, /*reply_window_s=*/0);
  o.extra_toml += console_toml();
  o.extra_env = {std::string("MADOGUCHI_DEMO_PASSWORD=") + kPassword};
  GatewayHarness h(o);
  auto gateway = h.start();

  LineEventFactory events(42);
  const auto user = events.next_user_id();
  const std::string inbound = "夜分にすみません。30代の息子が部屋から出てきません。";
  auto event = events.text(events.next_event_id(), user, inbound, events.next_message_id());
  // A photo from the same person: fetched in the background, offered only as a download.
  const auto photo_id = events.next_message_id();
  const std::string photo(120'000, '\x5a');
  fake.add_content(photo_id, "image/jpeg", photo);
  auto photo_event = events.media(events.next_event_id(), user, "image", photo_id);
  HttpClient client(gateway->port());
  auto answer = post_signed(client, h.channel_secret(), line_webhook_body({event, photo_event}));
  ASSERT_TRUE(answer && answer->status == 200u);

  const fs::path artifacts = fs::path(MADOGUCHI_ARTIFACT_DIR) / "e2e";
  fs::remove_all(artifacts);
  const std::string reply = "ご連絡ありがとうございます。相談員の田中です。まずはお話を聞かせてください。";
  LaunchOptions node;
  node.program = "/usr/bin/node";
  node.args = {script.string(),
               "http://127.0.0.1:" + std::to_string(gateway->port()) + "/console/",
               artifacts.string(), "soudan1", "kanri1", kPassword, inbound, reply, std::to_string(photo.size())};
  node.env = {"PATH=/usr/bin:/bin", "HOME=" + h.root().string(), "TMPDIR=" + h.root().string()};
  auto run = run_command(node, std::chrono::seconds(240));
  ASSERT_TRUE(run.status.exited && run.status.code == 0)
      << run.status.describe() << "\nstdout: " << run.out << "\nstderr: " << run.err
      << "\nscreenshot: " << (artifacts / "failure.png").string();

  boost::system::error_code ec;
  auto result = boost::json::parse(run.out, ec);
  ASSERT_FALSE(ec) << run.out;
  const auto& r = result.as_object();
  EXPECT_EQ(r.at("queue_length").as_int64(), 1);
  EXPECT_EQ(r.at("top_urgency").as_string(), "通常");
  EXPECT_EQ(r.at("delivery").as_string(), "送信済み");
  EXPECT_EQ(r.at("reply_box_after").as_string(), "");  // the box is emptied once queued
  EXPECT_FALSE(r.at("wrong_password_error").as_string().empty());
  // The photo: a download link with its Japanese label, nothing rendered inline.
  EXPECT_EQ(r.at("media_link_text").as_string(), "画像：ダウンロード");
  EXPECT_TRUE(r.at("media_link_download_attr").as_bool());
  EXPECT_EQ(r.at("inline_images").as_int64(), 0);
  EXPECT_EQ(r.at("media_status").as_int64(), 200);
  EXPECT_EQ(r.at("media_type").as_string(), "image/jpeg");
  EXPECT_TRUE(std::string(r.at("media_disposition").as_string()).starts_with("attachment"));
  EXPECT_EQ(r.at("media_size").as_int64(), static_cast<std::int64_t>(photo.size()));
  // Channel label and reply limit as GET /api/channels serves them (the raw type while the
  // composition root describes no channel), the limit being outbox.max_text_chars.
  const auto& served_label = r.at("served_line_label");
  EXPECT_EQ(r.at("channel_label").as_string(), served_label.is_null() ? "line" : served_label.as_string());
  EXPECT_EQ(r.at("served_reply_max_chars").as_int64(), 20000);
  std::size_t reply_chars = 0;
  for (unsigned char ch : reply) reply_chars += (ch & 0xC0) != 0x80;  // code points of the UTF-8 text
  EXPECT_EQ(r.at("reply_counter").as_string(), std::to_string(reply_chars) + " / 20000文字");
  // A pseudonym, never the LINE id.
  const std::string contact(r.at("top_contact").as_string());
  EXPECT_NE(contact.find("相談者"), std::string::npos) << contact;
  EXPECT_EQ(contact.find(user), std::string::npos);

  // LINE received the automatic acknowledgement and exactly one push with the counselor's
  // words, both to that person.
  ASSERT_TRUE(fake.wait_until([&] { return fake.accepted_count() >= 2; }, 5000));
  auto accepted = fake.accepted();
  ASSERT_EQ(accepted.size(), 2u);
  int replies = 0;
  for (const auto& a : accepted) {
    EXPECT_EQ(a.method, "push");
    EXPECT_EQ(a.to, user);
    replies += a.texts == std::vector<std::string>{reply};
  }
  EXPECT_EQ(replies, 1);
  for (const auto& p : fake.problems()) ADD_FAILURE() << "LINE API spec violation: " << p;

  for (const char* shot : {"queue.png", "conversation.png", "supervisor.png"})
    EXPECT_TRUE(is_png(artifacts / shot)) << shot;

  EXPECT_TRUE(stopped_cleanly(*gateway));
  SqliteProbe probe(h.database());
  EXPECT_EQ(probe.scalar("SELECT urgency FROM conversations"), 0);  // 緊急
  EXPECT_GE(probe.scalar("SELECT count(*) FROM audit_events WHERE action = 'login_failed'"), 1);
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM audit_events WHERE action = 'download_media'"), 1);
  auto verify = h.run({"audit", "verify", "--config", h.config_path().string()});
  EXPECT_EQ(verify.status.code, 0) << verify.out << verify.err;
  // Bodies never reach the log.
  const auto log = read_file(h.stderr_log());
  EXPECT_EQ(log.find(inbound), std::string::npos);
  EXPECT_EQ(log.find(reply), std::string::npos);
}

}  // namespace
}  // namespace madoguchi::testing
