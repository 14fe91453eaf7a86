// Email out through the unified outbox, checked at a real SMTP server (Debian's aiosmtpd,
// STARTTLS with a certificate the gateway must verify, AUTH) and read back with Python's
// email package, not GMime: mail delivered to the gateway over LMTP (swaks) gets the
// after-hours reply once per writer per closed period, threaded (In-Reply-To, References,
// "Re: " without piling prefixes, Reply-To with the conversation's plus token), marked
// Auto-Submitted, with the same Message-ID on the retry after a 451; ISO-2022-JP for the
// carrier-phone account; 550 fails with a Japanese reason; no answer to automatic mail; a
// counselor's reply from the console goes out in the thread; a bounce (DSN) about it marks
// it 送信できませんでした with the reason instead of opening a conversation.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <regex>
#include <thread>

#include "tests/fakes/postfix_instance.hpp"
#include "tests/fakes/smtp_sink.hpp"
#include "tests/fakes/sqlite_probe.hpp"
#include "tests/fakes/wait.hpp"
#include "tests/integration/email_support.hpp"
#include "tests/integration/harness.hpp"

namespace madoguchi::testing {
namespace {

namespace json = boost::json;

const char* kPassword = "outbound-mail-password-2026";
const char* kWindow = "ひきこもり地域支援センター";

HarnessOptions outbound_options(std::uint16_t lmtp_port, const SmtpSink& sink) {
  HarnessOptions o;
  o.extra_toml = email_account_toml({"mail", "soudan@town.example", "utf-8", lmtp_port, &sink}) +
                 email_account_toml({"keitai", "keitai@town.example", "iso-2022-jp", lmtp_port, &sink}) +
                 "[outbox]\nbackoff_base_ms = 200\nbackoff_cap_ms = 400\npoll_ms = 20\n" +
                 triage_toml(closed_now_hours()) +
                 "[console]\n[[console.demo_users]]\nusername = \"soudan1\"\nrole = \"counselor\"\n"
                 "windows = [\"" + std::string(kWindow) + "\"]\npassword = { env = \"MADOGUCHI_DEMO_PASSWORD\" }\n";
  o.extra_env = email_env();
  o.extra_env.push_back(std::string("MADOGUCHI_DEMO_PASSWORD=") + kPassword);
  return o;
}

std::string mail(const std::string& from, const std::string& to, const std::string& id, const std::string& extra_headers,
                 const std::string& body) {
  return "From: " + from + "\r\nTo: " + to + "\r\nMessage-ID: <" + id + ">\r\n" + extra_headers +
         "Date: Mon, 07 Dec 2026 23:10:00 +0900\r\nMIME-Version: 1.0\r\n"
         "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body + "\r\n";
}

// A Postfix-style bounce (RFC 3464) about our mail `original_id`, to `to` (our Reply-To).
std::string bounce(const std::string& to, const std::string& resident, const std::string& original_id) {
  return "From: MAILER-DAEMON@mx.example.jp (Mail Delivery System)\r\nTo: " + to +
         "\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce.1@mx.example.jp>\r\n"
         "Auto-Submitted: auto-replied\r\nDate: Mon, 07 Dec 2026 23:20:00 +0900\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n"
         "--b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThis is the mail system.\r\n"
         "<" + resident + ">: host mx.example.jp said: 550 5.1.1 <" + resident + ">: Recipient address rejected\r\n"
         "--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.jp\r\n\r\n"
         "Final-Recipient: rfc822; " + resident + "\r\nOriginal-Recipient: rfc822;" + resident +
         "\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <" + resident +
         ">: Recipient address rejected\r\n\r\n"
         "--b1\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <" + original_id + ">\r\n"
         "From: soudan@town.example\r\nTo: " + resident + "\r\n--b1--\r\n";
}

std::string str(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

std::string unfold(std::string header) {
  return std::regex_replace(header, std::regex(R"(\r?\n[ \t]+)"), " ");
}

json::array messages(HttpClient& client, const ConsoleSession& s, std::int64_t conversation) {
  auto res = client.request("GET", "/api/conversations/" + std::to_string(conversation) + "/messages", "",
                            {{"Cookie", s.cookie}});
  if (!res || res->status != 200) return {};
  return json::parse(res->body).as_object().at("messages").as_array();
}

// The conversation's outbound messages as the console shows them.
std::vector<json::object> outbound(HttpClient& client, const ConsoleSession& s, std::int64_t conversation) {
  std::vector<json::object> out;
  for (const auto& m : messages(client, s, conversation))
    if (str(m.as_object(), "direction") == "out") out.push_back(m.as_object());
  return out;
}

// Waits until the console shows `count` replies in the conversation, the one at `index`
// with delivery status `status`.
bool wait_for_reply_status(HttpClient& client, const ConsoleSession& s, std::int64_t conversation, std::size_t count,
                           std::size_t index, const std::string& status) {
  return wait_until([&] {
    auto out = outbound(client, s, conversation);
    return out.size() == count && str(out[index], "delivery_status") == status;
  }, 10000);
}

TEST(EmailOutbound, RepliesThreadedRetriedFailedAndBouncedAsAnIndependentParserReadsThem) {
  SmtpSink sink(MADOGUCHI_SOURCE_DIR "/tests/fakes/smtp_sink.py", kRelayUser, kRelayPassword);
  const auto lmtp_port = free_local_port();
  GatewayHarness h(outbound_options(lmtp_port, sink));
  auto gateway = h.start();
  SqliteProbe probe(h.database());
  auto triaged = [&](int n) {
    return wait_until([&] { return probe.scalar("SELECT count(*) FROM jobs WHERE kind = 'triage' AND state = 'done'") == n; },
                      20000);
  };

  // 1. A family member's reply to an old thread, after hours: the after-hours reply, first
  // refused with 451 by the relay, then accepted — the same mail both times.
  const std::string mother = "tempfail-once@example.jp";
  ASSERT_TRUE(lmtp_deliver(lmtp_port, mother, "soudan@town.example",
                           mail(mother, "soudan@town.example", "m1.outbound@example.jp",
                                "Subject: =?UTF-8?B?UmU6IFJlOiDmga/lrZDjga7jgZPjgag=?=\r\n"
                                "References: <r0.outbound@example.jp>\r\nIn-Reply-To: <r0.outbound@example.jp>\r\n",
                                "息子が部屋から出てきません。相談できますか。")));
  ASSERT_TRUE(sink.wait_for(2, std::chrono::seconds(30))) << read_file(h.stderr_log());
  auto got = sink.received();
  EXPECT_TRUE(contains(str(got[0], "answer"), "451"));
  EXPECT_TRUE(contains(str(got[1], "answer"), "250"));
  EXPECT_EQ(str(got[0], "message_id"), str(got[1], "message_id"));  // the retry is recognisably the same mail
  const auto& ack = got[1];
  EXPECT_TRUE(ack.at("tls").as_bool());
  EXPECT_TRUE(ack.at("authenticated").as_bool());
  EXPECT_EQ(str(ack, "subject"), "Re: 息子のこと");
  EXPECT_EQ(str(ack, "in_reply_to"), "<m1.outbound@example.jp>");
  EXPECT_EQ(unfold(str(ack, "references")), "<r0.outbound@example.jp> <m1.outbound@example.jp>");
  EXPECT_EQ(str(ack, "auto_submitted"), "auto-replied");
  EXPECT_TRUE(contains(str(ack, "from"), "soudan@town.example"));
  EXPECT_TRUE(contains(str(ack, "to"), mother));
  std::smatch plus;
  const auto reply_to = str(ack, "reply_to");
  ASSERT_TRUE(std::regex_search(reply_to, plus, std::regex(R"(soudan\+[0-9a-f]{20}@town\.example)"))) << reply_to;
  EXPECT_EQ(str(ack, "mail_from"), plus.str());  // bounces come back to the conversation
  EXPECT_EQ(str(ack, "mime_version"), "1.0");
  EXPECT_FALSE(str(ack, "date").empty());
  EXPECT_EQ(str(ack, "charset"), "utf-8");
  EXPECT_TRUE(contains(str(ack, "text"), "受付時間外")) << str(ack, "text");
  EXPECT_TRUE(contains(str(ack, "text"), "0120-000-000"));
  EXPECT_LE(ack.at("max_line_octets").as_int64(), 998);
  EXPECT_FALSE(ack.at("bare_lf").as_bool());
  ASSERT_TRUE(triaged(1));

  // 2. A new mail from the same writer in the same closed period: a new conversation of the
  // same contact, and no second automatic reply.
  ASSERT_TRUE(lmtp_deliver(lmtp_port, mother, "soudan@town.example",
                           mail(mother, "soudan@town.example", "m2.outbound@example.jp",
                                "Subject: =?UTF-8?B?5aSc44Gr55u46KuH44GX44Gf44GE44Gn44GZ?=\r\n", "もう一度書きます。")));
  // 3. Automatic mail (RFC 3834) is never answered automatically.
  ASSERT_TRUE(lmtp_deliver(lmtp_port, "shop@example.jp", "soudan@town.example",
                           mail("shop@example.jp", "soudan@town.example", "m3.outbound@example.jp",
                                "Subject: sale\r\nAuto-Submitted: auto-generated\r\nPrecedence: bulk\r\n", "セールのお知らせ")));
  // 4. The carrier-phone account answers in ISO-2022-JP (7bit), a subject made for it.
  ASSERT_TRUE(lmtp_deliver(lmtp_port, "keitai-user@docomo.example", "keitai@town.example",
                           mail("keitai-user@docomo.example", "keitai@town.example", "m4.outbound@docomo.example", "",
                                "夜分にすみません。")));
  // 5. An address the relay refuses: the reply fails for good, with the reason.
  ASSERT_TRUE(lmtp_deliver(lmtp_port, "reject-me@example.jp", "soudan@town.example",
                           mail("reject-me@example.jp", "soudan@town.example", "m5.outbound@example.jp", "",
                                "相談したいです。")));
  ASSERT_TRUE(triaged(5));
  ASSERT_TRUE(sink.wait_for(4, std::chrono::seconds(30)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // nothing more may come
  got = sink.received();
  std::string seen;
  for (const auto& g : got) seen += json::serialize(g) + "\n";
  ASSERT_EQ(got.size(), 4u) << seen;
  EXPECT_EQ(probe.scalar("SELECT count(DISTINCT contact_id) FROM conversations c JOIN channel_accounts a "
                         "ON a.id = c.account_id WHERE a.name = 'mail'"),
            3);  // the mother, the shop, reject-me
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM conversations c JOIN channel_accounts a ON a.id = c.account_id "
                         "WHERE a.name = 'mail'"),
            4);  // the mother has two
  const json::object* keitai = nullptr;
  const json::object* rejected = nullptr;
  for (const auto& g : got) {
    if (contains(str(g, "to"), "keitai-user@docomo.example")) keitai = &g;
    if (contains(str(g, "to"), "reject-me@example.jp")) rejected = &g;
  }
  ASSERT_TRUE(keitai && rejected);
  EXPECT_EQ(str(*keitai, "charset"), "iso-2022-jp");
  EXPECT_EQ(str(*keitai, "transfer_encoding"), "7bit");
  EXPECT_FALSE(keitai->at("eight_bit").as_bool());
  EXPECT_TRUE(contains(str(*keitai, "text"), "受付時間外")) << str(*keitai, "text");
  EXPECT_EQ(str(*keitai, "subject"), "Re: ご相談について");
  EXPECT_TRUE(contains(str(*keitai, "from"), "keitai@town.example"));
  EXPECT_TRUE(contains(str(*rejected, "answer"), "550"));

  HttpClient staff(gateway->port());
  const auto session = console_login(staff, "soudan1", kPassword);
  ASSERT_FALSE(session.cookie.empty());
  const auto first = probe.scalar("SELECT min(id) FROM conversations");
  const auto refused_conversation = probe.scalar("SELECT max(c.id) FROM conversations c JOIN channel_accounts a "
                                                 "ON a.id = c.account_id WHERE a.name = 'mail'");
  ASSERT_TRUE(wait_for_reply_status(staff, session, refused_conversation, 1, 0, "failed"));
  const auto refused = outbound(staff, session, refused_conversation)[0];
  EXPECT_TRUE(contains(str(refused, "delivery_reason"), "550")) << str(refused, "delivery_reason");
  EXPECT_EQ(str(refused, "delivery_label"), "送信できませんでした");

  // The subject is shown with the mail; the sender could not be verified (no
  // Authentication-Results from our MTA): the counselor is told so.
  auto history = messages(staff, session, first);
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(str(history[0].as_object(), "subject"), "Re: Re: 息子のこと");
  EXPECT_TRUE(contains(json::serialize(history[0].as_object().at("notes")), "送信元が確認できません"));

  // 6. The counselor answers the first conversation from the console: a reply in the thread.
  const std::string answer = "お母さま、ご連絡ありがとうございます。\n明日の午前中にお電話してもよろしいでしょうか。";
  auto posted = staff.post("/api/conversations/" + std::to_string(first) + "/replies",
                           json::serialize(json::object{{"text", answer}}),
                           {{"Content-Type", "application/json"}, {"Cookie", session.cookie},
                            {"X-CSRF-Token", session.csrf}});
  ASSERT_TRUE(posted && posted->status == 202u) << (posted ? posted->body : "");
  ASSERT_TRUE(sink.wait_for(5, std::chrono::seconds(30)));
  const auto reply = sink.received()[4];
  EXPECT_TRUE(contains(str(reply, "answer"), "250"));
  EXPECT_EQ(str(reply, "in_reply_to"), "<m1.outbound@example.jp>");
  EXPECT_EQ(str(reply, "subject"), "Re: 息子のこと");
  EXPECT_EQ(str(reply, "auto_submitted"), "");  // a person wrote it
  EXPECT_EQ(std::regex_replace(str(reply, "text"), std::regex("\r\n"), "\n"), answer);
  ASSERT_TRUE(wait_for_reply_status(staff, session, first, 2, 1, "delivered"));

  // 7. The resident's server bounces it later: the reply is marked failed with the reason;
  // the bounce opens no conversation and gets no answer.
  const auto conversations_before = probe.scalar("SELECT count(*) FROM conversations");
  auto reply_id = str(reply, "message_id");
  reply_id = reply_id.substr(1, reply_id.size() - 2);
  ASSERT_TRUE(lmtp_deliver(lmtp_port, "", plus.str(), bounce(plus.str(), mother, reply_id)));
  ASSERT_TRUE(triaged(6));
  ASSERT_TRUE(wait_for_reply_status(staff, session, first, 2, 1, "failed"));
  const auto bounced = outbound(staff, session, first)[1];
  EXPECT_TRUE(contains(str(bounced, "delivery_reason"), "5.1.1")) << str(bounced, "delivery_reason");
  EXPECT_TRUE(contains(str(bounced, "delivery_reason"), "見つかりません"));
  EXPECT_FALSE(contains(str(bounced, "delivery_reason"), mother));  // the remote's words are not quoted
  EXPECT_EQ(str(outbound(staff, session, first)[0], "delivery_status"), "delivered");  // the other reply is untouched
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM conversations"), conversations_before);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(sink.received().size(), 5u);
  // Nothing of any mail in clear in the log.
  const auto log = read_file(h.stderr_log());
  EXPECT_FALSE(contains(log, mother));
  EXPECT_FALSE(contains(log, "息子"));
}

}  // namespace
}  // namespace madoguchi::testing
