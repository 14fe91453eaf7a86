#include <gtest/gtest.h>

#include "gateway/core/utf8.hpp"

namespace madoguchi::utf8 {
namespace {

TEST(Utf8, StepsThroughCodePointsAndMarksIllFormedOnes) {
  const std::string_view text = "aあ😊";
  std::size_t i = 0;
  EXPECT_EQ(next(text, i), 'a');
  EXPECT_EQ(i, 1u);
  EXPECT_EQ(next(text, i), 0x3042);
  EXPECT_EQ(i, 4u);
  EXPECT_EQ(next(text, i), 0x1F60A);
  EXPECT_EQ(i, 8u);
  std::size_t j = 0;
  EXPECT_LT(next("\xe3\x81", j), 0);  // truncated: ill-formed, and the step still advances
  EXPECT_GT(j, 0u);
  EXPECT_EQ(sequence_length(text, 1), 3u);
  EXPECT_EQ(sequence_length("\xff", 0), 1u);
}

TEST(Utf8, AppendsWhatNextReads) {
  std::string out;
  for (int c : {0x41, 0x3072, 0x1F914, 0x7F, 0x800, 0xFFFF, 0x10FFFF}) append(out, c);
  std::size_t i = 0;
  for (int c : {0x41, 0x3072, 0x1F914, 0x7F, 0x800, 0xFFFF, 0x10FFFF}) EXPECT_EQ(next(out, i), c);
  EXPECT_EQ(i, out.size());
  EXPECT_TRUE(valid(out));
}

TEST(Utf8, FindsWhereTheCodePointOfAByteStarts) {
  const std::string_view text = "aあ😊";
  EXPECT_EQ(sequence_start(text, 0), 0u);
  EXPECT_EQ(sequence_start(text, 1), 1u);
  EXPECT_EQ(sequence_start(text, 3), 1u);
  EXPECT_EQ(sequence_start(text, 4), 4u);
  EXPECT_EQ(sequence_start(text, 7), 4u);
  EXPECT_EQ(sequence_start(text, text.size()), text.size());
  EXPECT_EQ(sequence_start("\xe3\x81", 1), 0u);  // a truncated sequence starts where next() reads it
  EXPECT_EQ(sequence_start("a\x80\x80\x80\x80\x80", 5), 5u);  // stray continuation bytes: each its own
  EXPECT_EQ(sequence_start("\xc0\xaf", 1), 1u);  // overlong: C0 is never a lead byte
}

TEST(Utf8, ValidityAndLengths) {
  EXPECT_TRUE(valid("ひきこもり相談 😊"));
  EXPECT_TRUE(valid(""));
  EXPECT_FALSE(valid("\xff"));
  EXPECT_FALSE(valid("\xc0\xaf"));      // overlong
  EXPECT_FALSE(valid("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(valid("\xf4\x90\x80\x80"));  // beyond U+10FFFF
  EXPECT_EQ(code_points("あいう😊"), 4u);
  EXPECT_EQ(utf16_units("あいう😊"), 5u);
  EXPECT_EQ(code_points("a\xff" "b"), 3u);  // an ill-formed byte counts once
}

}  // namespace
}  // namespace madoguchi::utf8

#include "gateway/core/hex.hpp"

namespace madoguchi {
namespace {

TEST(Hex, LowerCaseTwoDigitsPerByte) {
  const unsigned char bytes[] = {0x00, 0x0f, 0xa5, 0xff};
  EXPECT_EQ(to_hex(bytes), "000fa5ff");
  EXPECT_EQ(to_hex({}), "");
}

}  // namespace
}  // namespace madoguchi
