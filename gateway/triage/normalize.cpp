#include "gateway/triage/normalize.hpp"

#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "gateway/core/utf8.hpp"

namespace madoguchi::triage {
namespace {

constexpr std::size_t max_input_bytes = 64 * 1024;
constexpr char32_t long_mark = U'\u30FC';  // ー
// Removing characters can put a base letter next to a combining mark (し + space + U+3099, which
// is what NFKC makes of し゛), so a second NFKC round can compose them; a few rounds always settle.
constexpr int max_rounds = 4;

// Vowel of each hiragana U+3041..U+3096 ('-' for っ and ん), for the small-vowel rule.
constexpr std::string_view hiragana_vowels =
    "aaiiuueeoo"       // ぁあぃいぅうぇえぉお
    "aaiiuueeoo"       // かがきぎくぐけげこご
    "aaiiuueeoo"       // さざしじすずせぜそぞ
    "aaii-uueeoo"      // ただちぢっつづてでとど
    "aiueo"            // なにぬねの
    "aaaiiiuuueeeooo"  // はばぱひびぴふぶぷへべぺほぼぽ
    "aiueo"            // まみむめも
    "aauuoo"           // ゃやゅゆょよ
    "aiueo"            // らりるれろ
    "aaieo-uae";       // ゎわゐゑをんゔゕゖ
static_assert(hiragana_vowels.size() == 0x3096 - 0x3041 + 1);

char vowel_of(char32_t c) {
  if (c >= 0x30A1 && c <= 0x30F6) c -= 0x60;  // katakana kept as katakana (KanaFolding::keep_katakana)
  if (c < 0x3041 || c > 0x3096) return 0;
  const char v = hiragana_vowels[c - 0x3041];
  return v == '-' ? 0 : v;
}

bool is_small_vowel(char32_t c) {
  if (c >= 0x30A1 && c <= 0x30A9) c -= 0x60;
  return c == 0x3041 || c == 0x3043 || c == 0x3045 || c == 0x3047 || c == 0x3049;
}

bool is_ascii(char32_t c) { return c < 0x80; }
bool is_punct(char32_t c) { return u_ispunct(static_cast<UChar32>(c)) != 0; }

// Steps 4-8 as one left-to-right pass that decides every character against the output built so
// far rather than against the input. Separate passes interact (removing a space can create a new
// run, "いい いい"; collapsing "。!" changes whether the following space sits between ASCII), and
// then a second normalize_japanese() would change the text again. Deciding against the output
// keeps the result idempotent and everything is still O(n).
class collapser {
 public:
  void feed(char32_t c) {
    // Step 8: a whitespace run is decided only once its right neighbour is known.
    if (u_isUWhiteSpace(static_cast<UChar32>(c))) {
      pending_space_ = !out_.empty();  // leading whitespace is dropped
      return;
    }
    if (pending_space_) {
      pending_space_ = false;
      if (is_ascii(out_.back()) && is_ascii(c)) push(U' ');  // "i  want" -> "i want"
    }
    if (out_.empty()) return push(c);
    const char32_t prev = out_.back();
    if (c == long_mark && prev == long_mark) return;  // step 4: one ー per run
    if (is_small_vowel(c) && vowel_of(prev) == vowel_of(c)) return;  // step 5: たぁ -> た
    if (is_punct(c) && is_punct(prev)) return;  // step 7: "!?!?" -> "!"; also "!!" -> "!"
    // Step 6: three or more of one character become one, two stay (いい, ww). Digits are exempt
    // so that amounts like 1000錠 keep their meaning.
    if (c == prev && u_isdigit(static_cast<UChar32>(c)) == 0) {
      if (run_ == 1) {
        push(c);
        run_ = 2;
      } else if (run_ == 2) {
        out_.pop_back();
        run_ = 3;  // collapsed: further copies are dropped
      }
      return;
    }
    push(c);
  }
  // Trailing whitespace is simply never emitted.
  std::u32string take() { return std::move(out_); }

 private:
  void push(char32_t c) {
    out_.push_back(c);
    run_ = 1;
  }
  std::u32string out_;
  int run_ = 0;  // how many copies of out_.back() the input had in a row (3 = collapsed)
  bool pending_space_ = false;
};

// Steps 2-4 and 9 for one code point of NFKC text, handing the result to the collapser.
void fold_and_feed(char32_t c, collapser& out, KanaFolding folding) {
  switch (c) {
    // Step 9: invisible characters that only split words. U+200D (ZWJ) and the variation
    // selectors stay, because they hold emoji sequences such as 👨‍👩‍👧 together.
    case 0x200B:
    case 0x2060:
    case 0xFEFF:
      return;
    // Step 4: waves used as elongation (NFKC already made ～ into ~ and ｰ into ー).
    case U'~':
    case 0x301C:
    case 0x3030:
      return out.feed(long_mark);
    // Step 2: ヷヸヹヺ have no hiragana letter; they are read va/vi/ve/vo and usually written
    // ヴァ.., so they become ゔぁ.. and meet the common spelling.
    case 0x30F7:
    case 0x30F8:
    case 0x30F9:
    case 0x30FA: {
      constexpr char32_t small_vowels[] = {0x3041, 0x3043, 0x3047, 0x3049};
      out.feed(0x3094);
      return out.feed(small_vowels[c - 0x30F7]);
    }
    default:
      break;
  }
  // Step 2 by hand over code points: ICU's Katakana-Hiragana transliterator would also turn ー
  // into a vowel, and ー must stay a mark (without_long_marks() decides about it).
  if (folding == KanaFolding::keep_katakana && ((c >= 0x30A1 && c <= 0x30F6) || c == 0x30FD || c == 0x30FE)) {
    // kept: MeCab tells katakana words apart from the hiragana around them
  } else if ((c >= 0x30A1 && c <= 0x30F6) || c == 0x30FD || c == 0x30FE) {
    c -= 0x60;  // ァ..ヶ -> ぁ..ゖ, ヽヾ -> ゝゞ
  } else if (c >= U'A' && c <= U'Z') {
    c += 0x20;  // step 3: ASCII only, other scripts keep their case
  }
  out.feed(c);
}

const icu::Normalizer2* nfkc_instance() {
  static const icu::Normalizer2* const instance = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(status);
    return U_SUCCESS(status) ? n : nullptr;
  }();
  return instance;
}

// Step 1. Without ICU data the text is matched un-normalized rather than failing the message.
icu::UnicodeString nfkc(const icu::UnicodeString& text) {
  const icu::Normalizer2* n = nfkc_instance();
  if (n == nullptr) return text;
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out = n->normalize(text, status);
  return U_SUCCESS(status) ? out : text;
}

bool is_nfkc(const icu::UnicodeString& text) {
  const icu::Normalizer2* n = nfkc_instance();
  if (n == nullptr) return true;
  UErrorCode status = U_ZERO_ERROR;
  const UBool normalized = n->isNormalized(text, status);
  return U_FAILURE(status) || normalized;
}

std::u32string fold_and_collapse(const icu::UnicodeString& text, KanaFolding folding) {
  collapser out;
  for (int32_t i = 0; i < text.length();) {
    const UChar32 c = text.char32At(i);
    i += U16_LENGTH(c);
    fold_and_feed(static_cast<char32_t>(c), out, folding);
  }
  return out.take();
}

icu::UnicodeString to_unicode(const std::u32string& text) {
  icu::UnicodeString out;
  for (const char32_t c : text) out.append(static_cast<UChar32>(c));
  return out;
}

std::string to_utf8(const std::u32string& text) {
  std::string out;
  out.reserve(text.size() * 3);
  for (char32_t c : text) {
    if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) c = 0xFFFD;  // never emit invalid UTF-8
    utf8::append(out, static_cast<int>(c));
  }
  return out;
}

// Cuts before the character that straddles the limit (at most three bytes are given back).
// Stray continuation bytes at the limit are cut through: fromUTF8 makes them U+FFFD anyway.
std::string_view truncate_at_boundary(std::string_view text) {
  if (text.size() <= max_input_bytes) return text;
  return text.substr(0, utf8::sequence_start(text, max_input_bytes));
}

}  // namespace

std::string normalize_japanese(std::string_view utf8, KanaFolding folding) {
  const std::string_view input = truncate_at_boundary(utf8);
  // fromUTF8 replaces every invalid sequence by U+FFFD, so malformed input is never an error.
  icu::UnicodeString text = icu::UnicodeString::fromUTF8(
      icu::StringPiece(input.data(), static_cast<int32_t>(input.size())));
  // NFKC comes first so that every later step sees one spelling: full-width ＯＤ is already OD
  // when it is lower-cased, and half-width ｼﾞ is already ジ when it is folded to じ.
  std::u32string out;
  for (int round = 0; round < max_rounds; ++round) {
    out = fold_and_collapse(nfkc(text), folding);
    text = to_unicode(out);
    if (is_nfkc(text)) break;
  }
  return to_utf8(out);
}

std::string without_long_marks(std::string_view normalized) {
  // ー is E3 83 BC; E3 is a lead byte, so a match can never start inside another character.
  constexpr std::string_view mark = "\xE3\x83\xBC";
  std::string out;
  out.reserve(normalized.size());
  for (std::size_t i = 0; i < normalized.size();) {
    if (normalized.substr(i, mark.size()) == mark) {
      i += mark.size();
    } else {
      out.push_back(normalized[i++]);
    }
  }
  return out;
}

}  // namespace madoguchi::triage
