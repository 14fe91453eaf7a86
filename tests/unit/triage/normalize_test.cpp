#include "gateway/triage/normalize.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace madoguchi::triage {
namespace {

std::string both_forms(const std::string& text) {
  return without_long_marks(normalize_japanese(text));
}

TEST(NormalizeJapanese, SpellingsOfShinitaiMeet) {
  for (const char* input : {"ｼﾆﾀｲ", "シニタイ", "しにたい", "し に た い", "しにたーーい",
                            "しにたぁい", "しにたいいいい", "ｼ ﾆ ﾀ ｲ", "し　に　た　い"}) {
    EXPECT_EQ(both_forms(input), "しにたい") << input;
  }
  EXPECT_EQ(normalize_japanese("しにたーい"), "しにたーい");
  EXPECT_EQ(normalize_japanese("しにたーーい"), "しにたーい");
}

TEST(NormalizeJapanese, KatakanaFoldsAndKeepsLongMark) {
  EXPECT_EQ(normalize_japanese("オーバードーズ"), "おーばーどーず");
  EXPECT_EQ(normalize_japanese("ｵｰﾊﾞｰﾄﾞｰｽﾞ"), "おーばーどーず");
  EXPECT_EQ(without_long_marks(normalize_japanese("オーバードーズ")), "おばどず");
  EXPECT_EQ(normalize_japanese("ヽヾ"), "ゝゞ");
  EXPECT_EQ(normalize_japanese("ヷ"), "ゔぁ");
}

TEST(NormalizeJapanese, FullWidthLatinBecomesLowerAscii) {
  EXPECT_EQ(normalize_japanese("ＯＤした"), "odした");
  EXPECT_EQ(normalize_japanese("OD した"), "odした");
  EXPECT_EQ(normalize_japanese("ΑΒΓ"), "ΑΒΓ");  // only ASCII is lower-cased
}

TEST(NormalizeJapanese, WavesBecomeOneLongMark) {
  EXPECT_EQ(normalize_japanese("しにたい～～"), "しにたいー");
  EXPECT_EQ(normalize_japanese("つら〜〰ーい"), "つらーい");
  EXPECT_EQ(normalize_japanese("ｼﾆﾀｰｰｲ"), "しにたーい");
}

TEST(NormalizeJapanese, RepeatedPunctuationCollapses) {
  EXPECT_EQ(normalize_japanese("今から飛び降りる！！！"), "今から飛び降りる!");
  EXPECT_EQ(normalize_japanese("え!?!?"), "え!");
  EXPECT_EQ(normalize_japanese("助けて。。。"), "助けて。");
  EXPECT_EQ(normalize_japanese("助けて、、もう"), "助けて、もう");
}

TEST(NormalizeJapanese, EmojiRunsCollapseAndSequencesSurvive) {
  EXPECT_EQ(normalize_japanese("薬💊💊💊全部"), "薬💊全部");
  const std::string family = "👨‍👩‍👧";  // U+1F468 ZWJ U+1F469 ZWJ U+1F467
  EXPECT_EQ(normalize_japanese(family), family);
  EXPECT_EQ(normalize_japanese("❤️"), "❤️");  // keeps the variation selector
}

TEST(NormalizeJapanese, RunsOfTwoStay) {
  EXPECT_EQ(normalize_japanese("いい"), "いい");
  EXPECT_EQ(normalize_japanese("ww"), "ww");
  EXPECT_EQ(normalize_japanese("wwwww"), "w");
  EXPECT_EQ(normalize_japanese("1000錠"), "1000錠");  // digits never collapse
}

TEST(NormalizeJapanese, SmallVowelOfOtherSoundIsKept) {
  EXPECT_EQ(normalize_japanese("ヴァイオリン"), "ゔぁいおりん");
  EXPECT_EQ(normalize_japanese("ふぁいる"), "ふぁいる");
  EXPECT_EQ(normalize_japanese("ティッシュ"), "てぃっしゅ");
  EXPECT_EQ(normalize_japanese("ウィ"), "うぃ");
  EXPECT_EQ(normalize_japanese("つらぁぁい"), "つらい");
  EXPECT_EQ(normalize_japanese("あぁ"), "あ");
}

TEST(NormalizeJapanese, WhitespaceKeptOnlyBetweenAscii) {
  EXPECT_EQ(normalize_japanese("i  want\tto\n die"), "i want to die");
  EXPECT_EQ(normalize_japanese("  \u3000しにたい \n"), "しにたい");
  EXPECT_EQ(normalize_japanese("いい いい"), "い");  // the removed space joins one run
}

TEST(NormalizeJapanese, ZeroWidthCharactersRemoved) {
  EXPECT_EQ(normalize_japanese("し\u200Bに\u2060た\uFEFFい"), "しにたい");
}

TEST(NormalizeJapanese, InvalidUtf8BecomesReplacementCharacter) {
  const std::string out = normalize_japanese("\xff\xfeしにたい");
  EXPECT_NE(out.find("\uFFFD"), std::string::npos);
  EXPECT_NE(out.find("しにたい"), std::string::npos);
  EXPECT_EQ(normalize_japanese("\xe3\x81"), "\uFFFD");  // truncated sequence
}

TEST(NormalizeJapanese, EmptyStaysEmpty) {
  EXPECT_EQ(normalize_japanese(""), "");
  EXPECT_EQ(normalize_japanese(" \t\n"), "");
  EXPECT_EQ(without_long_marks(""), "");
}

TEST(NormalizeJapanese, LongInputIsTruncatedAtCharacterBoundary) {
  std::string input;
  while (input.size() < 100 * 1024) input += "しにたい。";  // 15 bytes, so 64 KiB falls mid-character
  const std::string out = normalize_japanese(input);
  EXPECT_LE(out.size(), 64u * 1024u);
  EXPECT_GT(out.size(), 64u * 1024u - 16u);
  EXPECT_EQ(out.find("\uFFFD"), std::string::npos);
  EXPECT_EQ(input.compare(0, out.size(), out), 0);
}

TEST(NormalizeJapanese, Idempotent) {
  const std::vector<std::string> inputs = {
      "ｼﾆﾀｲ",         "しにたーーい",      "しにたぁぁい〜〜",  "今から飛び降りる！！！",
      "え!?!?",       "助けて。。。",      "薬💊💊💊全部",      "👨‍👩‍👧 いる",
      "ＯＤ　した",   "i  want  to die",   "あ。! b",           "a ~ b",
      "し゛ぬ",       "か ゛",             "いい いい",         "\xff\xfeしにたい",
      "ｵｰﾊﾞｰﾄﾞｰｽﾞ", "ヷヸヹヺ",          "ふぁぁいる",        "  ㈱ＡＢＣ  ①②③  ",
      "たたたぁ",     "1000錠 のんだ!!!",  "a\u0301 \u0323",     "www.example.com",
  };
  for (const std::string& input : inputs) {
    const std::string once = normalize_japanese(input);
    EXPECT_EQ(normalize_japanese(once), once) << input;
  }
}

TEST(NormalizeJapanese, IdempotentOnMixedFragments) {
  // Deterministic mix of the fragments where steps interact (spaces, runs, marks, kana).
  const std::vector<std::string> pieces = {
      "し", "い", "ぁ", "ア", "ｱ", "ー", "~", "〜", " ", "　", "!", "?", "。", "、", "a", "A",
      "w",  "1",  "💊", "\u200D", "\u200B", "゛", "ﾞ", "\u0301", "\xff", "ヷ", "た", "あ", "\t"};
  std::mt19937 rng(20240601);
  for (int i = 0; i < 2000; ++i) {
    std::string input;
    const std::uint32_t length = rng() % 12;
    for (std::uint32_t j = 0; j < length; ++j) input += pieces[rng() % pieces.size()];
    const std::string once = normalize_japanese(input);
    ASSERT_EQ(normalize_japanese(once), once) << input;
  }
}

}  // namespace
TEST(NormalizeJapanese, KatakanaCanBeKeptForMeCab) {
  // MeCab segments katakana words better as katakana; every other step still applies.
  EXPECT_EQ(normalize_japanese("ｼﾆﾀｰｰｲ", KanaFolding::keep_katakana), "シニターイ");
  EXPECT_EQ(normalize_japanese("シニタァイ", KanaFolding::keep_katakana), "シニタイ");
  EXPECT_EQ(normalize_japanese("ＯＤ し た", KanaFolding::keep_katakana), "odした");
}

}  // namespace madoguchi::triage
