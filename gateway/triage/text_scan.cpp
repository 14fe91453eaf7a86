#include "gateway/triage/text_scan.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "gateway/core/utf8.hpp"

namespace madoguchi::triage {
namespace {

// A negation cue must follow the word at once (a comma or small tsu may sit between):
// further away it belongs to another clause (「死にたいけど自殺はしない」).
constexpr std::size_t kNegationGap = 3;

// The key of the character at `i`, advancing `i` past it: its code point, and for every
// ill-formed sequence 0xFFFFFFFF (next()'s -1), which no character has — the word comparison
// still checks the bytes, so a shared key costs a comparison, never a false match.
std::uint32_t next_char_key(std::string_view s, std::size_t& i) { return static_cast<std::uint32_t>(utf8::next(s, i)); }

bool ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Characters people put in place of a letter they do not want to write (死〇たい, 自＊, 殺×).
bool mask_char(std::uint32_t c) { return c == 0x3007 || c == 0x25CB || c == 0x25CF || c == 0xD7 || c == '*'; }

// 。.!? end a sentence, and so does an emoji (people end sentences with 😢 instead of 。).
bool sentence_end(std::string_view text, std::size_t i) {
  return text[i] == '.' || text[i] == '!' || text[i] == '?' || text.substr(i).starts_with("。") ||
         text.substr(i).starts_with("\xF0\x9F");
}

// The per-text state: where each character occurs, idiom masks, sentence bounds.
class Scanner {
 public:
  explicit Scanner(const TextForm& t) : s_(t.text), starts_(t.word_start) {
    // Words are compared only where their first character is, instead of scanning the text
    // once per word (hundreds of words, mostly 3-byte kana).
    for (std::size_t i = 0; i < s_.size();) {
      const std::size_t at = i;
      const auto key = next_char_key(s_, i);
      where_[key].push_back(at);
      if (mask_char(key)) masks_.push_back(at);
    }
    sentence_.assign(s_.size() + 1, 0);
    number_.assign(s_.size() + 1, 0);
    end_.assign(s_.size() + 1, s_.size());
    for (std::size_t i = 1; i <= s_.size(); ++i) {
      const bool ends = sentence_end(s_, i - 1);
      sentence_[i] = ends ? i : sentence_[i - 1];
      number_[i] = number_[i - 1] + (ends ? 1 : 0);
    }
    for (std::size_t i = s_.size(); i-- > 0;) end_[i] = sentence_end(s_, i) ? i + 1 : end_[i + 1];
    masked_.assign(s_.size(), false);
  }

  // Calls f(at, length) for each place in [from, to] where `w` is spelled out — in either of
  // its forms: the reading text still holds unknown words as spelled, and the spelled text
  // holds whatever the writer wrote in kana — until f returns true.
  template <class F>
  bool each(const Word& w, std::size_t from, std::size_t to, F&& f) const {
    for (const auto& form : w.forms) {
      if (form.text.empty()) continue;
      if (auto it = where_.find(form.first); it != where_.end())
        for (auto p = std::lower_bound(it->second.begin(), it->second.end(), from); p != it->second.end() && *p <= to; ++p) {
          if (s_.compare(*p, form.text.size(), form.text) == 0) {
            if (word_at(w, form, *p, form.text.size()) && f(*p, form.text.size())) return true;
          } else if (!masks_.empty()) {
            if (auto n = masked_length(form.text, *p); n && f(*p, n)) return true;
          }
        }
      // A word whose first character is masked (〇にたい).
      for (auto p = std::lower_bound(masks_.begin(), masks_.end(), from); p != masks_.end() && *p <= to; ++p)
        if (auto n = masked_length(form.text, *p); n && f(*p, n)) return true;
    }
    return false;
  }

  // The bytes `word` takes at `at` when exactly one of its characters is masked there, else 0.
  // Only words of three or more characters: a mask in a two-character word could be anything.
  std::size_t masked_length(std::string_view word, std::size_t at) const {
    std::size_t i = at, j = 0;
    int masked = 0, length = 0;
    bool first_masked = false;
    while (j < word.size()) {
      if (i >= s_.size()) return 0;
      const std::size_t ti = i, wj = j;
      const auto t = next_char_key(s_, i), c = next_char_key(word, j);
      ++length;
      if (t == c && s_.compare(ti, i - ti, word.substr(wj, j - wj)) == 0) continue;
      if (!mask_char(t) || ++masked > 1) return 0;
      first_masked = length == 1;
    }
    // 〇たい is too little to be 冷たい: a three-character word needs its first character.
    return masked == 1 && (length >= 4 || (length == 3 && !first_masked)) ? i - at : 0;
  }

  bool occurs(const std::vector<Word>& list, std::size_t from, std::size_t to) const {
    for (const auto& w : list)
      if (each(w, from, to, [](std::size_t, std::size_t) { return true; })) return true;
    return false;
  }

  void mask(const std::vector<Word>& idioms) {
    for (const auto& idiom : idioms)
      each(idiom, 0, s_.size(), [&](std::size_t at, std::size_t length) {
        std::fill_n(masked_.begin() + static_cast<std::ptrdiff_t>(at), length, true);
        return false;
      });
  }

  bool is_masked(std::size_t from, std::size_t to) const {
    return std::any_of(masked_.begin() + static_cast<std::ptrdiff_t>(from),
                       masked_.begin() + static_cast<std::ptrdiff_t>(to), [](bool m) { return m; });
  }

  std::size_t sentence_start(std::size_t at) const { return sentence_[at]; }
  std::size_t sentence_number(std::size_t at) const { return number_[at]; }

  bool discounted(std::size_t start, const std::vector<Word>& discounts) {
    auto [it, fresh] = discounted_.try_emplace(start, false);
    if (fresh && !discounts.empty()) it->second = occurs(discounts, start, end_[start] > 0 ? end_[start] - 1 : 0);
    return it->second;
  }

  std::size_t size() const { return s_.size(); }

 private:
  // Whether `w` really is at `at`: whole Latin words, short words only as whole words (いしょ
  // is not in しんせいしょ), and not followed by one of its exceptions.
  bool word_at(const Word& w, const Word::Form& form, std::size_t at, std::size_t length) const {
    const auto end = at + length;
    if (w.latin && ((at > 0 && ascii_letter(s_[at - 1])) || (end < s_.size() && ascii_letter(s_[end])))) return false;
    // A short word is a whole word: いま in 今 or いまから, not in います.
    if (form.short_word && (!starts_[at] || (end < s_.size() && !starts_[end]))) return false;
    return std::none_of(form.unless.begin(), form.unless.end(),
                        [&](const std::string& u) { return !u.empty() && s_.compare(end, u.size(), u) == 0; });
  }

  const std::string& s_;
  const std::vector<bool>& starts_;
  std::unordered_map<std::uint32_t, std::vector<std::size_t>> where_;
  std::vector<std::size_t> masks_;  // where a masked character is
  std::vector<std::size_t> sentence_, number_, end_;
  std::vector<bool> masked_;
  std::map<std::size_t, bool> discounted_;  // sentence start → has a discount cue
};

// The bytes of t.spelled that [at, at + length) of t.text came from ("" without a mapping).
std::string spelled_at(const TextForm& t, std::size_t at, std::size_t length) {
  const auto last = at + length - 1;
  if (length == 0 || last >= t.from.size() || last >= t.to.size()) return {};
  const auto begin = t.from[at], end = t.to[last];
  if (begin >= end || end > t.spelled.size()) return {};
  return t.spelled.substr(begin, end - begin);
}

}  // namespace

std::uint32_t first_char_key(std::string_view s) {
  std::size_t i = 0;
  return s.empty() ? 0 : next_char_key(s, i);
}

void scan_text(const TextForm& t, const std::vector<std::vector<Word>>& lexicons, const std::vector<bool>& serious,
               const ScanCues& cues, std::vector<std::vector<WordMatch>>& found) {
  Scanner scan(t);
  scan.mask(cues.idioms);  // words inside an idiom never count (死ぬほど眠い)
  for (std::size_t l = 0; l < lexicons.size(); ++l)
    for (const auto& w : lexicons[l])
      scan.each(w, 0, scan.size(), [&](std::size_t at, std::size_t length) {
        const auto end = at + length;
        if (scan.is_masked(at, end) || scan.occurs(cues.negations, end, end + kNegationGap)) return false;
        const auto start = scan.sentence_start(at);
        // Fiction, news, the past, a question someone asked: not a risk now (but a question
        // about a 自殺対策 lecture is still a question) — unless a rule says it holds despite that.
        const bool discounted = serious[l] && scan.discounted(start, cues.discounts);
        found[l].push_back({w.shown, spelled_at(t, at, length),
                            at > start && scan.occurs(cues.third_parties, start, at - 1), discounted,
                            scan.sentence_number(at)});
        return false;  // every occurrence
      });
}

bool occurs_in(const TextForm& t, const std::vector<Word>& words) {
  Scanner scan(t);
  return scan.occurs(words, 0, scan.size());
}

}  // namespace madoguchi::triage
