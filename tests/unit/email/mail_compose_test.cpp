// Replies as composed for the relay, read back by the same reader that reads residents' mail
// (GMime) and checked on the raw octets where a mail program or a carrier phone would care.
#include <gtest/gtest.h>

#include <string>

#include "adapters/email/mail_compose.hpp"
#include "adapters/email/mail_reader.hpp"

namespace madoguchi::adapters::email {
namespace {

ReplyMail reply(std::string text, std::string charset = "utf-8") {
  ReplyMail m;
  m.from_address = "soudan@town.example";
  m.from_name = "○○市ひきこもり相談窓口";
  m.reply_to = "soudan+0123456789abcdef0123@town.example";
  m.to = "family@example.jp";
  m.message_id = "7f3a2b1c-retry-key.0123456789abcdef0123@town.example";
  m.in_reply_to = "first@example.jp";
  m.references = {"root@example.jp", "first@example.jp"};
  m.subject = "Re: 息子のことで";
  m.text = std::move(text);
  m.charset = std::move(charset);
  m.date_ms = 1'796'000'000'000;
  return m;
}

std::string header_block(const std::string& raw) { return raw.substr(0, raw.find("\r\n\r\n")); }

TEST(ReplySubject, OnePrefixWhateverTheMailerPiledUp) {
  EXPECT_EQ(reply_subject("息子のことで"), "Re: 息子のことで");
  EXPECT_EQ(reply_subject("Re: Re: RE: 息子のことで"), "Re: 息子のことで");
  EXPECT_EQ(reply_subject("Re[2]: 相談"), "Re: 相談");
  EXPECT_EQ(reply_subject("Re2: 相談"), "Re: 相談");
  EXPECT_EQ(reply_subject("ＲＥ：相談"), "Re: 相談");
  EXPECT_EQ(reply_subject("返信: AW: SV: 相談  "), "Re: 相談");
  // A word that only starts like a prefix stays.
  EXPECT_EQ(reply_subject("Report 相談"), "Re: Report 相談");
}

TEST(ReplySubject, NoSubjectGetsAPoliteOne) {
  EXPECT_EQ(reply_subject(""), "Re: ご相談について");
  EXPECT_EQ(reply_subject("Re: "), "Re: ご相談について");
}

TEST(ComposeMail, ThreadsAndRoutesTheAnswer) {
  const auto raw = compose_mail(reply("お返事ありがとうございます。\nまたご連絡ください。"));
  init_mime();
  const auto back = read_mail(raw, MailLimits{}, "");
  EXPECT_EQ(back.message_id, "7f3a2b1c-retry-key.0123456789abcdef0123@town.example");
  EXPECT_EQ(back.in_reply_to, "first@example.jp");
  ASSERT_EQ(back.references.size(), 2u);
  EXPECT_EQ(back.references[0], "root@example.jp");
  EXPECT_EQ(back.subject, "Re: 息子のことで");
  EXPECT_EQ(back.from_address, "soudan@town.example");
  EXPECT_EQ(back.from_name, "○○市ひきこもり相談窓口");
  EXPECT_NE(back.text.find("またご連絡ください。"), std::string::npos);
  EXPECT_FALSE(back.lossy);
  EXPECT_TRUE(back.automated.empty()) << "a counselor's answer is not automatic";
  EXPECT_NE(header_block(raw).find("Reply-To:"), std::string::npos);
  EXPECT_NE(raw.find("soudan+0123456789abcdef0123@town.example"), std::string::npos);
}

TEST(ComposeMail, AutomaticRepliesSayWhatTheyAre) {
  auto m = reply("ただいま時間外です。");
  m.automatic = true;
  const auto raw = compose_mail(m);
  EXPECT_NE(header_block(raw).find("Auto-Submitted: auto-replied"), std::string::npos);
  init_mime();
  EXPECT_EQ(read_mail(raw, MailLimits{}, "").automated, "auto-submitted");
}

TEST(ComposeMail, CarrierPhonesGetSevenBitJis) {
  const auto raw = compose_mail(reply("お電話でもどうぞ。\n受付は平日です。", "iso-2022-jp"));
  const auto headers = header_block(raw);
  EXPECT_NE(headers.find("charset=ISO-2022-JP"), std::string::npos) << headers;
  EXPECT_NE(headers.find("Content-Transfer-Encoding: 7bit"), std::string::npos) << headers;
  for (unsigned char c : raw) ASSERT_LT(c, 0x80) << "ISO-2022-JP mail must be 7-bit";
  init_mime();
  const auto back = read_mail(raw, MailLimits{}, "");
  EXPECT_NE(back.text.find("お電話でもどうぞ。\n受付は平日です。"), std::string::npos) << back.text;
  EXPECT_EQ(back.subject, "Re: 息子のことで");
}

TEST(ComposeMail, TextJisCannotHoldFallsBackToUtf8) {
  // Outside JIS X 0208: a JIS X 0213 kanji, an emoji, an NEC circled digit.
  for (const std::string text : {"𠮷野さんへ", "よろしくお願いします 😊", "①受付"}) {
    const auto raw = compose_mail(reply(text, "iso-2022-jp"));
    EXPECT_EQ(header_block(raw).find("ISO-2022-JP"), std::string::npos) << text << ": nothing may be lost to the charset";
    init_mime();
    EXPECT_NE(read_mail(raw, MailLimits{}, "").text.find(text), std::string::npos) << text;
  }
}

TEST(ComposeMail, LongLinesAreWrappedAndEveryLineEndsInCrlf) {
  std::string line;
  for (int i = 0; i < 3000; ++i) line += "あ";
  for (const char* charset : {"utf-8", "iso-2022-jp"}) {
    const auto raw = compose_mail(reply(line, charset));
    std::size_t start = 0;
    while (start < raw.size()) {
      auto end = raw.find("\r\n", start);
      ASSERT_NE(end, std::string::npos) << charset << ": the last line has no CRLF";
      EXPECT_LE(end - start, 998u) << charset;
      EXPECT_EQ(raw.substr(start, end - start).find('\n'), std::string::npos) << charset << ": a bare LF";
      start = end + 2;
    }
    init_mime();
    auto text = read_mail(raw, MailLimits{}, "").text;
    std::erase(text, '\n');
    EXPECT_EQ(text, line) << charset << ": wrapping must not lose or add characters";
  }
}

TEST(ComposeMail, HeaderFieldsCannotBeInjectedThroughTheSubject) {
  auto m = reply("本文");
  m.subject = "Re: 相談\r\nBcc: everyone@example.net";
  const auto raw = compose_mail(m);
  EXPECT_EQ(raw.find("\r\nBcc:"), std::string::npos) << header_block(raw);
}

}  // namespace
}  // namespace madoguchi::adapters::email
