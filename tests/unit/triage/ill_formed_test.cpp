// Ill-formed UTF-8 through the public entry points (normalize, read, classify). The store only
// holds valid UTF-8, but a bad byte must never crash the triage or make it loop, and the words
// around it must still count: every ill-formed sequence becomes U+FFFD in the matching form.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "config/config.hpp"
#include "gateway/core/utf8.hpp"
#include "gateway/triage/classifier.hpp"
#include "tests/unit/triage/builtin_classifier.hpp"
#include "gateway/triage/normalize.hpp"
#include "gateway/triage/reading.hpp"

namespace madoguchi::triage {
namespace {

constexpr std::string_view kIllFormed[] = {
    "\xe3\x81",                  // truncated 3-byte sequence (し without its last byte)
    "\xf0\x9f\x98",              // truncated 4-byte sequence (an emoji)
    "\x80",                      // lone continuation byte
    "\xbf\x80\x80\x80\x80\x80",  // a run of them
    "\xc0\xaf",                  // overlong "/"
    "\xe0\x80\xaf",              // overlong "/", 3 bytes
    "\xf0\x80\x80\xaf",          // overlong "/", 4 bytes
    "\xed\xa0\x80",              // a surrogate
    "\xf4\x90\x80\x80",          // beyond U+10FFFF
    "\xff",
    "\xfe\xff",
    "\xe3\x82\xe1",              // a lead, one continuation, then another lead
};

using testing::builtin;

std::string hex(std::string_view bytes) {
  std::string out;
  for (unsigned char b : bytes) out += "0123456789abcdef"[b >> 4], out += "0123456789abcdef"[b & 15];
  return out;
}

TEST(IllFormedUtf8, NormalizesToReplacementCharactersAroundTheWords) {
  for (const auto bad : kIllFormed) {
    SCOPED_TRACE(hex(bad));
    const std::string text = std::string(bad) + "シニタイ" + std::string(bad);
    for (const auto folding : {KanaFolding::to_hiragana, KanaFolding::keep_katakana}) {
      const std::string out = normalize_japanese(text, folding);
      EXPECT_TRUE(utf8::valid(out));
      EXPECT_NE(out.find("\uFFFD"), std::string::npos);
      EXPECT_NE(out.find(folding == KanaFolding::to_hiragana ? "しにたい" : "シニタイ"), std::string::npos);
      EXPECT_EQ(normalize_japanese(out, folding), out);  // still idempotent
    }
    EXPECT_TRUE(utf8::valid(normalize_japanese(bad)));
    EXPECT_TRUE(utf8::valid(without_long_marks(normalize_japanese(bad))));
  }
}

TEST(IllFormedUtf8, ReadingsKeepEveryByteAndFoldOnlyWholeKatakana) {
  const Readings readings;
  for (const auto bad : kIllFormed) {
    SCOPED_TRACE(hex(bad));
    // Raw bytes, not normalized first: read() must cope with whatever it is handed.
    const auto r = readings.read(std::string("ロープ") + std::string(bad) + "ロープ");
    EXPECT_EQ(r.word_start.size(), r.text.size());
    EXPECT_EQ(r.surface_start.size(), r.surface.size());
    EXPECT_NE(r.surface.find("ろーぷ"), std::string::npos);
    // The normalized text, which is what the classifier reads, reads as valid UTF-8.
    const auto n = readings.read(normalize_japanese(std::string(bad) + "薬を飲んだ"));
    EXPECT_TRUE(utf8::valid(n.text));
    EXPECT_NE(n.text.find("くすりをのんだ"), std::string::npos);
  }
}

TEST(IllFormedUtf8, ClassifiesTheWordsAroundBadBytes) {
  for (const auto bad : kIllFormed) {
    SCOPED_TRACE(hex(bad));
    EXPECT_EQ(builtin().classify(bad).urgency, kNormal);
    const auto d = builtin().classify(std::string(bad) + "死にたい" + std::string(bad));
    EXPECT_EQ(d.urgency, kHigh);
    EXPECT_TRUE(utf8::valid(d.matched_form));
    EXPECT_TRUE(utf8::valid(d.surface_form));
    EXPECT_TRUE(builtin().mentions(d, "死にたい"));
    EXPECT_TRUE(utf8::valid(builtin().match_form(std::string("今から") + std::string(bad) + "飛び降りる")));
  }
}

TEST(IllFormedUtf8, LongRunsOfBadBytesAreReadPieceByPiece) {
  // A long text is read in pieces cut at character boundaries. Stray continuation bytes are
  // each their own (ill-formed) character, so no cut walks back over them and every piece
  // moves on: the words at the end still count.
  std::string text(47 * 1024, 'a');
  text.append(100 * 1024, '\x80');
  text += "今から飛び降りる";
  EXPECT_EQ(builtin().classify(text).urgency, kEmergency);
  std::string tail(200 * 1024, '\xff');
  tail += "死にたい";
  EXPECT_EQ(builtin().classify(tail).urgency, kHigh);
}

}  // namespace
}  // namespace madoguchi::triage
