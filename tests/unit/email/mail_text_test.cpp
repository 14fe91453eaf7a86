#include <gtest/gtest.h>

#include "adapters/email/mail_text.hpp"

namespace email = madoguchi::adapters::email;

TEST(MailText, AliasesMapToTheMicrosoftVariants) {
  EXPECT_EQ(email::iconv_name("Shift_JIS"), "CP932");
  EXPECT_EQ(email::iconv_name("x-sjis"), "CP932");
  EXPECT_EQ(email::iconv_name("EUC-JP"), "EUC-JP-MS");
  EXPECT_EQ(email::iconv_name("ISO-2022-JP"), "ISO-2022-JP-3");
  EXPECT_EQ(email::iconv_name("utf-8"), "UTF-8");
  EXPECT_EQ(email::iconv_name("iso-8859-1"), "iso-8859-1");
  // An arbitrary label never reaches iconv (gconv modules are chosen by name).
  EXPECT_EQ(email::iconv_name("../../tmp/evil"), "");
  EXPECT_EQ(email::iconv_name("ISO-2022-CN-EXT"), "");
}

TEST(MailText, UnlabelledEucJpIsNotReadAsShiftJis) {
  // EUC-JP bytes are valid CP932 too (as half-width katakana): the reading with Japanese
  // words wins.
  const std::string euc = "\xc1\xea\xc3\xcc\xa4\xb7\xa4\xbf\xa4\xa4";  // 相談したい
  const auto d = email::decode_text(euc, "");
  EXPECT_EQ(d.text, "相談したい");
  EXPECT_FALSE(d.lossy);
}

TEST(MailText, EveryBadSequenceBecomesOneGetaAndTheRestIsKept) {
  const auto d = email::decode_text("a\xff" "b\xfe\xfd" "c", "utf-8");
  EXPECT_TRUE(d.lossy);
  EXPECT_EQ(d.text.find("a"), 0u);
  EXPECT_NE(d.text.find("c"), std::string::npos);
  EXPECT_NE(d.text.find("〓"), std::string::npos);
}

TEST(MailText, CrLfBecomesLf) { EXPECT_EQ(email::decode_text("a\r\nb\rc", "utf-8").text, "a\nb\nc"); }

TEST(MailText, EncodesIso2022JpForFeaturePhonesOrRefuses) {
  std::string out;
  ASSERT_TRUE(email::encode_text("ご相談ありがとうございます", "ISO-2022-JP", out));
  EXPECT_EQ(out.find("\x1b$B"), 0u);
  EXPECT_FALSE(email::encode_text("絵文字😀", "ISO-2022-JP", out));
}
