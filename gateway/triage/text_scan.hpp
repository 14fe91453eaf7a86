#pragma once
// Finding configured words in one form of a message (its kana reading, or its normalized
// spelling), each word in either of its own forms: every occurrence that is not inside an
// idiom and not negated right after; for words of serious lexicons, whether it is in a
// sentence about fiction, news or the past; whether a third party is the subject; and its
// sentence. A masked character (〇 ○ × * ●, as in 死〇たい) stands for any one character of a
// word of three or more characters. Used by Classifier; pure.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::triage {

inline constexpr int kReadingForm = 0, kSurfaceForm = 1;

// A text in one form, and where MeCab says its words begin (per byte). `from` / `to` (per
// byte, when given) say which bytes of `spelled` — the message as normalized, before it was read
// — each byte came from: the whole word for a reading, the very byte for a spelling. So a match
// is shown as the writer spelled it (飛び降りる, not the configured とびおり).
struct TextForm {
  std::string text;
  std::vector<bool> word_start;
  std::vector<std::uint32_t> from, to;
  std::string spelled;
};

// One configured word in both forms.
struct Word {
  struct Form {
    std::string text;
    bool short_word = false;          // three characters or fewer: must be whole words (MeCab's)
    std::uint32_t first = 0;          // its first character (words are compared only where it occurs)
    std::vector<std::string> unless;  // not when one of these follows ("ODした!い")
  };
  Form forms[2];         // kReadingForm, kSurfaceForm ("=word" in a rules file: spelled only)
  std::string shown;     // as configured
  bool latin = false;    // ASCII letters only: matched at word boundaries
};

struct WordMatch {
  std::string_view shown;     // the configured word
  std::string found;          // what it matched, as spelled in the form's `spelled` text
  bool third_party = false;
  bool discounted = false;    // in a sentence about fiction, news or the past
  std::size_t sentence = 0;   // which sentence (the same count in every form of a text)
};

struct ScanCues {
  const std::vector<Word>& idioms;
  const std::vector<Word>& negations;
  const std::vector<Word>& discounts;
  const std::vector<Word>& third_parties;
};

// The first character of `s` as a number (its code point; 0 for ""), the key words are
// looked up by.
std::uint32_t first_char_key(std::string_view s);

// Appends to found[l] the matches of lexicons[l] in `t` (a word matches in either of its
// forms). serious[l]: the lexicon feeds a 緊急 or 高 rule, so sentence discounts apply.
void scan_text(const TextForm& t, const std::vector<std::vector<Word>>& lexicons, const std::vector<bool>& serious,
               const ScanCues& cues, std::vector<std::vector<WordMatch>>& found);

// Whether any of `words` occurs in `t` at all.
bool occurs_in(const TextForm& t, const std::vector<Word>& words);

}  // namespace madoguchi::triage
