#pragma once
// The matching form of Japanese text for the triage stage. People write the same distress in
// many spellings (ｼﾆﾀｲ, シニタイ, しにたーーい, し に た い); rules are written once and match against
// this folded form, while the original message is kept unchanged for the people who read it.
#include <string>
#include <string_view>

namespace madoguchi::triage {

// The form Japanese text is matched in (the original is kept for people). Invalid UTF-8 is
// replaced by U+FFFD, never an error. Input longer than 64 KiB is truncated at a character
// boundary first. Idempotent: normalize_japanese(normalize_japanese(x)) == normalize_japanese(x).
// Thread-safe and pure.
enum class KanaFolding {
  to_hiragana,    // the matching form
  keep_katakana,  // everything else done; for MeCab, which segments katakana words better as such
};
std::string normalize_japanese(std::string_view utf8, KanaFolding folding = KanaFolding::to_hiragana);

// Every ー removed from normalized text (no other step is re-run): the classifier does this
// before reading the text, so that しにたーい and しにたい, ロープ and ろーぷ meet.
std::string without_long_marks(std::string_view normalized);

}  // namespace madoguchi::triage
