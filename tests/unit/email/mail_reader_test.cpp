// read_mail on delivery status notifications built here, for what the corpus does not hold.
#include <gtest/gtest.h>

#include <string>

#include "adapters/email/mail_reader.hpp"
#include "gateway/core/utf8.hpp"

namespace email = madoguchi::adapters::email;

namespace {

// A DSN from relay.example whose delivery-status part says `diagnostic`; `after` follows
// the status part inside the report.
std::string dsn(const std::string& diagnostic, const std::string& after = "") {
  return "From: bounce@relay.example\r\n"
         "Message-ID: <dsn@relay.example>\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"R\"\r\n\r\n"
         "--R\r\n"
         "Content-Type: message/delivery-status\r\n\r\n"
         "Final-Recipient: rfc822; hanako@example.jp\r\n"
         "Action: failed\r\n"
         "Status: 5.1.1\r\n"
         "Diagnostic-Code: smtp; " +
         diagnostic + "\r\n\r\n" + after + "--R--\r\n";
}

email::ParsedMail read(const std::string& raw) { return email::read_mail(raw, email::MailLimits{}, ""); }

}  // namespace

TEST(MailReader, ShiftJisDiagnosticIsDecoded) {
  // "550 宛先が見つかりません" as a Japanese MTA writes it, unlabelled Shift_JIS.
  const auto mail = read(dsn("550 \x88\xb6\x90\xe6\x82\xaa\x8c\xa9\x82\xc2\x82\xa9\x82\xe8\x82\xdc\x82\xb9\x82\xf1"));
  ASSERT_TRUE(mail.is_report);
  EXPECT_EQ(mail.report.diagnostic, "550 宛先が見つかりません");
  EXPECT_FALSE(mail.lossy);
}

TEST(MailReader, LongDiagnosticIsCutAtACharacter) {
  std::string words;
  for (int i = 0; i < 120; ++i) words += "宛";  // 3 bytes each: 300 falls on a boundary + 1
  const auto mail = read(dsn("5" + words));
  EXPECT_TRUE(madoguchi::utf8::valid(mail.report.diagnostic));
  EXPECT_EQ(mail.report.diagnostic.size(), 298u);
}

TEST(MailReader, TabInADiagnosticBecomesASpace) {
  EXPECT_EQ(read(dsn("550\tno such user")).report.diagnostic, "550 no such user");
}

TEST(MailReader, AReportNestedInADsnKeepsItADsn) {
  const auto mail = read(dsn("550 no such user",
                             "--R\r\n"
                             "Content-Type: multipart/report; report-type=disposition-notification; boundary=\"S\"\r\n\r\n"
                             "--S\r\nContent-Type: text/plain\r\n\r\nread\r\n--S--\r\n"));
  EXPECT_TRUE(mail.is_report);
  EXPECT_EQ(mail.automated, "report");
  EXPECT_EQ(mail.report.recipient, "hanako@example.jp");
}

TEST(MailReader, AReportAfterADsnKeepsItADsn) {
  const std::string raw =
      "From: bounce@relay.example\r\n"
      "Message-ID: <two@relay.example>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"M\"\r\n\r\n"
      "--M\r\n" +
      dsn("550 no such user").substr(dsn("550 no such user").find("Content-Type: multipart/report")) +
      "--M\r\n"
      "Content-Type: multipart/report; report-type=disposition-notification; boundary=\"S\"\r\n\r\n"
      "--S\r\nContent-Type: text/plain\r\n\r\nread\r\n--S--\r\n"
      "--M--\r\n";
  const auto mail = read(raw);
  EXPECT_TRUE(mail.is_report);
  EXPECT_EQ(mail.report.action, "failed");
}
