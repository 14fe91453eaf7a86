// Email intake through a real Postfix: mail sent over SMTP to the window's MX is delivered
// by Postfix over LMTP to the real gateway, answered 250 only once it is committed, stored
// sealed and once; while the gateway is down Postfix keeps the mail and delivers it later.
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "tests/fakes/postfix_instance.hpp"
#include "tests/fakes/sqlite_probe.hpp"
#include "tests/integration/email_support.hpp"
#include "tests/integration/harness.hpp"

namespace madoguchi::testing {
namespace {

// A family member's mail from an old carrier phone: ISO-2022-JP, encoded-word subject.
std::string mail(const std::string& message_id) {
  return "From: haha@example.jp\r\n"
         "To: soudan@town.example\r\n"
         "Subject: =?ISO-2022-JP?B?GyRCQik7UiROJDMkSBsoQg==?=\r\n"
         "Message-ID: <" + message_id + ">\r\n"
         "Date: Thu, 03 Dec 2026 23:10:00 +0900\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: text/plain; charset=ISO-2022-JP\r\n"
         "Content-Transfer-Encoding: 7bit\r\n"
         "\r\n"
         "\x1b$BB);R$,==G/It20$+$i=P$F$-$^$;$s!#Lk$KAjCL$7$?$$$G$9!#\x1b(B\r\n";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class EmailPostfix : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "Postfix's master must run as root";
    lmtp_port_ = free_local_port();
    harness_ = std::make_unique<GatewayHarness>(email_intake_options(lmtp_port_));
  }
  std::uint16_t lmtp_port_ = 0;
  std::unique_ptr<GatewayHarness> harness_;
};

TEST_F(EmailPostfix, AMailThroughPostfixIsStoredSealedOnceBeforeTheMtaHears250) {
  auto gateway = harness_->start();
  EXPECT_TRUE(contains(gateway->startup_stdout(), "listening on lmtp:inet:127.0.0.1:" + std::to_string(lmtp_port_)))
      << gateway->startup_stdout();
  PostfixInstance postfix("town.example", "inet:127.0.0.1:" + std::to_string(lmtp_port_));
  ASSERT_EQ(postfix.send("haha@example.jp", "soudan@town.example", mail("k1.20261203@example.jp")), "250");
  ASSERT_TRUE(postfix.wait_for_log("status=sent (250 2.0.0")) << postfix.maillog();
  // 250 came after the commit: the row is there the moment Postfix logged it.
  EXPECT_EQ(harness_->message_rows(), 1);
  const auto ids = harness_->stored_external_ids();
  ASSERT_EQ(ids.size(), 1u);
  // The Message-ID is not kept in clear, not even as the de-duplication key.
  EXPECT_EQ(ids.begin()->first.substr(0, 4), "ref:");
  EXPECT_FALSE(contains(ids.begin()->first, "example.jp"));
  EXPECT_EQ(stats_events(harness_->stats(), "email")["message/text"], 1);

  ASSERT_TRUE(stopped_cleanly(*gateway)) << read_file(harness_->stderr_log());
  // Nothing of the mail in clear in the store's files: not the address, text or subject.
  std::string files = read_file(harness_->database()) + read_file(harness_->database().string() + "-wal");
  EXPECT_FALSE(files.empty());
  for (const std::string clear : {"haha@example.jp", "k1.20261203", "部屋から出てきません", "息子のこと"})
    EXPECT_FALSE(contains(files, clear)) << clear;
  EXPECT_FALSE(contains(read_file(harness_->stderr_log()), "haha@example.jp"));
}

TEST_F(EmailPostfix, WhileTheGatewayIsDownPostfixKeepsTheMailAndARedeliveryIsStoredOnce) {
  { auto first = harness_->start(); ASSERT_TRUE(stopped_cleanly(*first)); }  // the store exists, nobody listens
  PostfixInstance postfix("town.example", "inet:127.0.0.1:" + std::to_string(lmtp_port_));
  ASSERT_EQ(postfix.send("haha@example.jp", "soudan@town.example", mail("k2.20261203@example.jp")), "250");
  ASSERT_TRUE(postfix.wait_for_log("status=deferred")) << postfix.maillog();
  EXPECT_EQ(postfix.queued(), 1);
  EXPECT_EQ(harness_->message_rows(), 0);

  auto gateway = harness_->start();
  postfix.flush();
  ASSERT_TRUE(postfix.wait_for_log("status=sent (250 2.0.0")) << postfix.maillog();
  EXPECT_EQ(harness_->message_rows(), 1);
  EXPECT_EQ(postfix.queued(), 0);

  // The same mail again (a sender's retry after a lost answer): 250, and still one row.
  ASSERT_EQ(postfix.send("haha@example.jp", "soudan@town.example", mail("k2.20261203@example.jp")), "250");
  ASSERT_TRUE(postfix.wait_for_log("status=sent (250 2.0.0", 2)) << postfix.maillog();
  EXPECT_EQ(harness_->message_rows(), 1);
  // A mail for an address that is not ours bounces in Postfix (550 at RCPT), nothing stored.
  ASSERT_EQ(postfix.send("haha@example.jp", "nobody@town.example", mail("k3.20261203@example.jp")), "250");
  ASSERT_TRUE(postfix.wait_for_log("550 5.1.1")) << postfix.maillog();
  EXPECT_EQ(harness_->message_rows(), 1);
  ASSERT_TRUE(stopped_cleanly(*gateway));
}

}  // namespace
}  // namespace madoguchi::testing
