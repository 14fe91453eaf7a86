#include "gateway/triage/romaji.hpp"

#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <stdexcept>

namespace madoguchi::triage {
namespace {

bool latin(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool has_latin_word(std::string_view s) {
  std::size_t run = 0;
  for (char c : s) {
    run = latin(c) ? run + 1 : 0;
    if (run >= 3) return true;
  }
  return false;
}

}  // namespace

Romaji::Romaji() {
  UErrorCode status = U_ZERO_ERROR;
  latin_hiragana_.reset(icu::Transliterator::createInstance("Latin-Hiragana", UTRANS_FORWARD, status));
  if (U_FAILURE(status) || !latin_hiragana_) throw std::runtime_error("ICU has no Latin-Hiragana transliterator");
}

Romaji::~Romaji() = default;

std::optional<std::string> Romaji::to_hiragana(std::string_view normalized) const {
  if (!has_latin_word(normalized)) return std::nullopt;
  auto text = icu::UnicodeString::fromUTF8(icu::StringPiece(normalized.data(), static_cast<int32_t>(normalized.size())));
  {
    const std::lock_guard lock(mutex_);
    latin_hiragana_->transliterate(text);
  }
  std::string kana;
  text.toUTF8String(kana);
  // The spaces between romaji words are the only word boundaries it has (MeCab cannot find
  // them in とにぐうてじさつします): 、 keeps them for MeCab, and the classifier drops it after.
  std::string out;
  for (char c : kana) {
    if (c == ' ') out += "、";
    else out += c;
  }
  return out;
}

}  // namespace madoguchi::triage
