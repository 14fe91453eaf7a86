// Splitting replies to LINE's 5,000-character text objects and 5-object requests.
#include <gtest/gtest.h>

#include "gateway/core/utf8.hpp"
#include "gateway/outbox/split.hpp"

namespace madoguchi::outbox {
namespace {

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::string join(const std::vector<std::string>& pieces) {
  std::string out;
  for (const auto& p : pieces) out += p;
  return out;
}

TEST(Split, ShortTextIsOnePiece) {
  auto pieces = split_text("こんにちは", 5000);
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(pieces[0], "こんにちは");
}

TEST(Split, ExactlyTheLimitIsOnePieceAndOneMoreIsTwo) {
  EXPECT_EQ(split_text(repeat("あ", 5000), 5000).size(), 1u);
  auto pieces = split_text(repeat("あ", 5001), 5000);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(utf8::utf16_units(pieces[0]), 5000u);
  EXPECT_EQ(pieces[1], "あ");
}

TEST(Split, EmojiCountTwiceAndAreNeverCut) {
  // U+1F60A is 2 UTF-16 units: 2,500 of them fill one piece exactly.
  const auto text = repeat("😊", 2501);
  auto pieces = split_text(text, 5000);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(utf8::utf16_units(pieces[0]), 5000u);
  EXPECT_EQ(pieces[1], "😊");
  EXPECT_TRUE(utf8::valid(pieces[0]));
  EXPECT_EQ(join(pieces), text);
}

TEST(Split, PrefersASentenceEndNearTheLimit) {
  const auto text = repeat("あ", 4500) + "。" + repeat("い", 1000);
  auto pieces = split_text(text, 5000);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0], repeat("あ", 4500) + "。");
  EXPECT_EQ(join(pieces), text);
}

TEST(Split, IgnoresASentenceEndFarFromTheLimit) {
  const auto text = repeat("あ", 100) + "。" + repeat("い", 6000);
  auto pieces = split_text(text, 5000);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(utf8::utf16_units(pieces[0]), 5000u);
}

TEST(Split, RequestsHoldAtMostFivePieces) {
  std::vector<std::string> pieces(11, "x");
  auto requests = group_requests(pieces, 5);
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].size(), 5u);
  EXPECT_EQ(requests[2].size(), 1u);
}

TEST(Split, Utf8Validation) {
  EXPECT_TRUE(utf8::valid("ひきこもり相談 😊"));
  EXPECT_FALSE(utf8::valid("\xff"));
  EXPECT_FALSE(utf8::valid("\xe3\x81"));          // truncated
  EXPECT_FALSE(utf8::valid("\xc0\xaf"));          // overlong
  EXPECT_FALSE(utf8::valid("\xed\xa0\x80"));      // surrogate
  EXPECT_EQ(utf8::code_points("あいう😊"), 4u);
  EXPECT_EQ(utf8::utf16_units("あいう😊"), 5u);
}

}  // namespace
}  // namespace madoguchi::outbox
