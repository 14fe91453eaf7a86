// An email conversation in the console, in a real browser: a family member's mail with a PDF
// attachment reaches the gateway over LMTP; the counselor sees its subject, the warning that
// the sender could not be verified, the attachment as a download only (audited), and answers
// it; the SMTP sink (aiosmtpd, read back with Python's email package) receives the answer in
// the mail's thread, after the automatic after-hours reply. The browser part is
// tests/e2e/email_e2e.mjs.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <regex>

#include "tests/fakes/postfix_instance.hpp"
#include "tests/fakes/sqlite_probe.hpp"
#include "tests/integration/email_support.hpp"
#include "tests/integration/harness.hpp"

namespace madoguchi::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const char* kPassword = "e2e-mail-password-2026";
const char* kSubject = "息子のことで相談です";

std::string mail_with_pdf() {
  return "From: haha@example.jp\r\nTo: soudan@town.example\r\n"
         "Subject: =?UTF-8?B?5oGv5a2Q44Gu44GT44Go44Gn55u46KuH44Gn44GZ?=\r\n"
         "Message-ID: <e2e.1@example.jp>\r\nDate: Mon, 07 Dec 2026 22:00:00 +0900\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n"
         "--x\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
         "30代の息子が10年ほど部屋から出てきません。\r\n市の書類を添付します。\r\n"
         "--x\r\nContent-Type: application/pdf; name=\"shorui.pdf\"\r\n"
         "Content-Disposition: attachment; filename=\"shorui.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
         "JVBERi0xLjQKJSBtYWRvZ3VjaGkgdGVzdAoxIDAgb2JqIDw8ID4+IGVuZG9iagp0cmFpbGVyIDw8ID4+CiUlRU9GCg==\r\n"
         "--x--\r\n";
}

std::string str(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

TEST(ConsoleBrowser, EmailShownWithSubjectWarningAndAttachmentThenAnsweredInItsThread) {
  const fs::path script = MADOGUCHI_SOURCE_DIR "/tests/e2e/email_e2e.mjs";
  ASSERT_TRUE(fs::exists(MADOGUCHI_SOURCE_DIR "/tests/e2e/node_modules/playwright-core"))
      << "run `npm ci --prefix tests/e2e` (scripts/test.sh does)";
  SmtpSink sink(MADOGUCHI_SOURCE_DIR "/tests/fakes/smtp_sink.py", kRelayUser, kRelayPassword);
  const auto lmtp_port = free_local_port();
  HarnessOptions o;
  o.extra_toml = email_account_toml({"mail", "soudan@town.example", "utf-8", lmtp_port, &sink}) +
                 triage_toml(closed_now_hours()) +
                 "[console]\n[[console.demo_users]]\nusername = \"soudan1\"\nrole = \"counselor\"\n"
                 "windows = [\"ひきこもり地域支援センター\"]\npassword = { env = \"MADOGUCHI_DEMO_PASSWORD\" }\n";
  o.extra_env = email_env();
  o.extra_env.push_back(std::string("MADOGUCHI_DEMO_PASSWORD=") + kPassword);
  GatewayHarness h(o);
  auto gateway = h.start();
  ASSERT_TRUE(lmtp_deliver(lmtp_port, "haha@example.jp", "soudan@town.example", mail_with_pdf()));
  ASSERT_TRUE(sink.wait_for(1, std::chrono::seconds(20))) << read_file(h.stderr_log());  // the after-hours reply

  const fs::path artifacts = fs::path(MADOGUCHI_ARTIFACT_DIR) / "e2e";
  const std::string reply = "お母さま、ご連絡ありがとうございます。\n書類を拝見しました。";
  LaunchOptions node;
  node.program = "/usr/bin/node";
  node.args = {script.string(), "http://127.0.0.1:" + std::to_string(gateway->port()) + "/console/",
               artifacts.string(), "soudan1", kPassword, kSubject, reply};
  node.env = {"PATH=/usr/bin:/bin", "HOME=" + h.root().string(), "TMPDIR=" + h.root().string()};
  auto run = run_command(node, std::chrono::seconds(240));
  ASSERT_TRUE(run.status.exited && run.status.code == 0)
      << run.status.describe() << "\nstdout: " << run.out << "\nstderr: " << run.err;
  const auto r = json::parse(run.out).as_object();
  EXPECT_TRUE(r.at("channel").as_bool());  // the queue names the channel メール
  EXPECT_EQ(str(r, "subject"), std::string("件名: ") + kSubject);
  EXPECT_NE(json::serialize(r.at("notes")).find("送信元が確認できません"), std::string::npos);
  EXPECT_TRUE(r.at("attachment_named").as_bool());  // the writer's file name, as text
  EXPECT_TRUE(r.at("attachment_download_attr").as_bool());
  EXPECT_EQ(r.at("inline").as_int64(), 0);
  EXPECT_EQ(r.at("download_status").as_int64(), 200);
  EXPECT_EQ(str(r, "download_type"), "application/pdf");
  EXPECT_TRUE(str(r, "download_disposition").starts_with("attachment"));
  EXPECT_EQ(str(r, "download_head"), "%PDF-");
  EXPECT_EQ(str(r, "delivery"), "送信済み");

  // The sink: the after-hours reply, then the counselor's answer in the mail's thread.
  ASSERT_TRUE(sink.wait_for(2, std::chrono::seconds(20)));
  const auto got = sink.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(str(got[0], "auto_submitted"), "auto-replied");
  const auto& answer = got[1];
  EXPECT_EQ(str(answer, "auto_submitted"), "");
  EXPECT_EQ(str(answer, "in_reply_to"), "<e2e.1@example.jp>");
  EXPECT_EQ(str(answer, "subject"), std::string("Re: ") + kSubject);
  EXPECT_EQ(std::regex_replace(str(answer, "text"), std::regex("\r\n"), "\n"), reply);

  EXPECT_TRUE(stopped_cleanly(*gateway));
  SqliteProbe probe(h.database());
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM audit_events WHERE action = 'download_media'"), 1);
}

}  // namespace
}  // namespace madoguchi::testing
