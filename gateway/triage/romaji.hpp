#pragma once
// Romaji into hiragana with ICU's Latin-Hiragana transliterator, so a message typed without
// an IME (ima kara tobioriru, kusuri zenbu nonda) meets the same lexicons as kana. English
// words come out as meaningless kana and are matched by their own words in the spelled forms.
// Thread-safe: one transliterator behind a mutex (ICU transliterators are not safe to share).
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unicode/uversion.h>

U_NAMESPACE_BEGIN
class Transliterator;
U_NAMESPACE_END

namespace madoguchi::triage {

class Romaji {
 public:
  // Throws std::runtime_error when ICU has no Latin-Hiragana data (start-up only).
  Romaji();
  ~Romaji();
  Romaji(const Romaji&) = delete;
  Romaji& operator=(const Romaji&) = delete;

  // The text with its Latin letters transliterated, or nullopt when it has no run of three
  // or more Latin letters (OD, OK, NG stay as they are, and most messages pay nothing).
  std::optional<std::string> to_hiragana(std::string_view normalized) const;

 private:
  std::unique_ptr<icu::Transliterator> latin_hiragana_;
  mutable std::mutex mutex_;
};

}  // namespace madoguchi::triage
