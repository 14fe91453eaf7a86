// The console's second pass (issue 15) in a real browser: a queue filled through signed
// LINE webhooks (one plain question, one message of two lines, a dozen more), triage done,
// then tests/e2e/console_second_pass_e2e.mjs plays a counselor and a supervisor at
// 1366×768 and 1920×1080. Screenshots are kept in <build>/artifacts/e2e-second-pass.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>

#include "tests/fakes/fake_line_api.hpp"
#include "tests/fakes/line_webhooks.hpp"
#include "tests/fakes/sqlite_probe.hpp"
#include "tests/integration/harness.hpp"

namespace madoguchi::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const char* kSpec = MADOGUCHI_SHARED_DIR "/specs/line-openapi/messaging-api.yml";
const char* kPassword = "e2e-password-2026";
const char* kMainWindow = "ひきこもり地域支援センター";
const char* kYouthWindow = "子ども・若者相談";

std::string staff_toml() {
  std::string t = "[console]\n";
  auto user = [&](const std::string& name, const std::string& role, const std::string& window) {
    t += "[[console.demo_users]]\nusername = \"" + name + "\"\nrole = \"" + role + "\"\n";
    if (!window.empty()) t += "windows = [\"" + window + "\"]\n";
    t += "password = { env = \"MADOGUCHI_DEMO_PASSWORD\" }\n";
  };
  user("soudan1", "counselor", kMainWindow);
  user("soudan2", "counselor", kYouthWindow);
  user("kanri1", "supervisor", "");
  user("kanri-admin", "admin", "");
  return t;
}

TEST(ConsoleBrowser, SecondPassQueueSearchAssignTransferAndLayout) {
  const fs::path script = MADOGUCHI_SOURCE_DIR "/tests/e2e/console_second_pass_e2e.mjs";
  ASSERT_TRUE(fs::exists(MADOGUCHI_SOURCE_DIR "/tests/e2e/node_modules/playwright-core"))
      << "run `npm ci --prefix tests/e2e` (scripts/test.sh does)";
  const std::string token = "e2e-token";
  FakeLineApi fake(kSpec, token);
  auto o = fake_line_options(fake, token);
  o.extra_toml += staff_toml();
  o.extra_env = {std::string("MADOGUCHI_DEMO_PASSWORD=") + kPassword};
  GatewayHarness h(o);
  {  // a second window to hand over to
    auto text = read_file(h.config_path());
    const std::string from = std::string("windows = [\"") + kMainWindow + "\"]";
    ASSERT_NE(text.find(from), std::string::npos);
    text.replace(text.find(from), from.size(),
                 std::string("windows = [\"") + kMainWindow + "\", \"" + kYouthWindow + "\"]");
    write_file(h.config_path(), text);
  }
  auto gateway = h.start();
  HttpClient client(gateway->port());
  LineEventFactory events(77);

  const std::string first_line = "はじめまして、母です。";
  const std::string second_line_word = "三年";
  std::vector<std::string> texts = {"相談は予約が必要ですか？",
                                    first_line + "\n30代の娘が部屋から出てこなくなって三年になります。"};
  for (int i = 0; i < 12; ++i)
    texts.push_back("40代の兄のことで相談です。仕事をやめてから" + std::to_string(i + 2) + "年、家から出ていません。");
  for (const auto& text : texts) {
    auto e = events.text(events.next_event_id(), events.next_user_id(), text, events.next_message_id());
    auto answer = post_signed(client, h.channel_secret(), line_webhook_body({e}));
    ASSERT_TRUE(answer && answer->status == 200u);
  }
  SqliteProbe probe(h.database());
  ASSERT_TRUE(fake.wait_until(
      [&] {
        return probe.scalar("SELECT count(*) FROM jobs WHERE kind = 'triage' AND state = 'done'") ==
               static_cast<std::int64_t>(texts.size());
      },
      20000));
  const auto in_main = probe.scalar(std::string("SELECT count(*) FROM conversations c JOIN windows w ON w.id = c.window_id "
                                                "WHERE w.name = '") + kMainWindow + "'");
  ASSERT_GE(in_main, 12) << "triage routed the adults' messages elsewhere";
  ASSERT_EQ(probe.scalar("SELECT count(*) FROM conversations WHERE urgency = 3"), 1);  // 情報提供

  const fs::path artifacts = fs::path(MADOGUCHI_ARTIFACT_DIR) / "e2e-second-pass";
  fs::remove_all(artifacts);
  LaunchOptions node;
  node.program = "/usr/bin/node";
  node.args = {script.string(), "http://127.0.0.1:" + std::to_string(gateway->port()) + "/console/",
               artifacts.string(), "soudan1", "soudan2", "kanri1", "kanri-admin", kPassword, std::to_string(in_main),
               first_line, second_line_word, kYouthWindow};
  node.env = {"PATH=/usr/bin:/bin", "HOME=" + h.root().string(), "TMPDIR=" + h.root().string()};
  auto run = run_command(node, std::chrono::seconds(240));
  ASSERT_TRUE(run.status.exited && run.status.code == 0)
      << run.status.describe() << "\nstdout: " << run.out << "\nstderr: " << run.err
      << "\nscreenshot: " << (artifacts / "second-pass-failure.png").string();
  boost::system::error_code ec;
  auto parsed = json::parse(run.out, ec);
  ASSERT_FALSE(ec) << run.out;
  const auto& r = parsed.as_object();
  std::cout << "[ browser  ] " << json::serialize(r) << "\n";

  EXPECT_NE(std::string(r.at("template_error").as_string()).find("{受付時間}"), std::string::npos);
  EXPECT_TRUE(r.at("template_layout").as_array().empty()) << json::serialize(r.at("template_layout"));
  EXPECT_EQ(r.at("reply_with_template").as_string(),
            std::string("こんにちは。") + kMainWindow + "の相談員です。受付時間は24時間です。ご都合のよい時間を教えてください。");
  EXPECT_GE(r.at("visible_rows_1366").as_int64(), 10);
  EXPECT_GE(r.at("visible_rows_1920").as_int64(), r.at("visible_rows_1366").as_int64());
  EXPECT_EQ(r.at("empty_previews").as_int64(), 0);
  EXPECT_TRUE(r.at("preview_found").as_bool());
  EXPECT_EQ(r.at("unread_marks").as_int64(), in_main);
  EXPECT_EQ(r.at("unread_after_open").as_int64(), 0);
  EXPECT_EQ(r.at("info_badge").as_string(), "情報提供");
  EXPECT_GE(r.at("search_hits").as_int64(), 1);
  EXPECT_TRUE(r.at("search_found_it").as_bool());
  EXPECT_NE(std::string(r.at("search_error").as_string()).find("期間"), std::string::npos);
  EXPECT_EQ(r.at("message_search_count").as_string(), "1件");
  EXPECT_EQ(r.at("messages_shown").as_int64(), 1);
  EXPECT_EQ(r.at("history_tab_selected").as_string(), "true");
  EXPECT_EQ(r.at("arrow_tab").as_string(), "case-tab-actions");
  EXPECT_TRUE(r.at("layout_1366").as_array().empty()) << json::serialize(r.at("layout_1366"));
  EXPECT_TRUE(r.at("layout_1920").as_array().empty()) << json::serialize(r.at("layout_1920"));
  EXPECT_TRUE(r.at("unlabelled").as_array().empty()) << json::serialize(r.at("unlabelled"));
  EXPECT_TRUE(r.at("low_contrast").as_array().empty()) << json::serialize(r.at("low_contrast"));
  EXPECT_NE(r.at("focus_outline").as_string(), "none");
  EXPECT_NE(std::string(r.at("closed_notice").as_string()).find(kYouthWindow), std::string::npos);
  EXPECT_TRUE(r.at("body_hidden").as_bool());
  EXPECT_FALSE(r.at("still_listed").as_bool());
  EXPECT_NE(std::string(r.at("overview_summary").as_string()).find("情報提供 1件"), std::string::npos);
  EXPECT_TRUE(r.at("admin_workspace_hidden").as_bool());
  EXPECT_TRUE(r.at("admin_layout").as_array().empty()) << json::serialize(r.at("admin_layout"));
  for (const char* shot : {"admin-1366.png", "templates-1366.png", "queue-1366.png", "conversation-1366.png", "toast-1366.png", "conversation-1920.png",
                           "after-transfer-1366.png", "overview-1366.png"})
    EXPECT_TRUE(fs::exists(artifacts / shot) && fs::file_size(artifacts / shot) > 10000) << shot;

  // The hand-over is in the store, and no 403 was recorded after it (the page stopped asking).
  EXPECT_EQ(probe.scalar(std::string("SELECT count(*) FROM conversations c JOIN windows w ON w.id = c.window_id "
                                     "WHERE w.name = '") + kYouthWindow + "'"),
            1);
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM audit_events WHERE action = 'access_denied'"), 0);
  EXPECT_GE(probe.scalar("SELECT count(*) FROM audit_events WHERE action = 'search'"), 1);
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM audit_events WHERE action = 'template_create'"), 1);
  EXPECT_TRUE(stopped_cleanly(*gateway));
}

}  // namespace
}  // namespace madoguchi::testing
