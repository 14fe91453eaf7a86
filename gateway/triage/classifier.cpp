#include "gateway/triage/classifier.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "gateway/triage/normalize.hpp"

namespace madoguchi::triage {
namespace {

// A negation cue must follow the word at once (a comma or small tsu may sit between):
// further away it belongs to another clause (「死にたいけど自殺はしない」).
constexpr std::size_t kNegationGap = 3;

std::size_t char_length(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  const std::size_t n = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
  return std::min(n, s.size() - i);
}

// The bytes of one character as a number (a key for "where does this character occur").
std::uint32_t char_key(std::string_view s, std::size_t i, std::size_t n) {
  std::uint32_t k = 0;
  for (std::size_t j = 0; j < n; ++j) k = (k << 8) | static_cast<unsigned char>(s[i + j]);
  return k;
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool sentence_end(std::string_view text, std::size_t i) {
  return text[i] == '.' || text[i] == '!' || text[i] == '?' || text.substr(i).starts_with("。");
}

struct Match {
  std::size_t at = 0;
  std::string_view shown;
  bool third_party = false;
};

}  // namespace

std::string_view urgency_label(int urgency) {
  static constexpr std::string_view labels[] = {"緊急", "高", "通常", "情報提供"};
  return labels[std::clamp(urgency, 0, 3)];
}

std::string_view urgency_code(int urgency) {
  static constexpr std::string_view codes[] = {"emergency", "high", "normal", "info"};
  return codes[std::clamp(urgency, 0, 3)];
}

// Long marks go before MeCab and again from its readings: しにたーい and しにたい, ロープ and
// ろーぷ meet (the price: カッター reads like かった, so such words make poor rules).
Readings::Read Classifier::read(std::string_view text) const {
  auto r = readings_->read(without_long_marks(normalize_japanese(text, KanaFolding::keep_katakana)));
  std::string text_out;
  std::vector<bool> starts;
  text_out.reserve(r.text.size());
  // Commas go too: 今夜、実行します and 今夜実行します are one phrase.
  static constexpr std::string_view dropped[] = {"ー", "、", ","};
  for (std::size_t i = 0; i < r.text.size();) {
    const auto rest = std::string_view(r.text).substr(i);
    if (auto d = std::find_if(std::begin(dropped), std::end(dropped), [&](auto m) { return rest.starts_with(m); });
        d != std::end(dropped)) {
      i += d->size();
      continue;
    }
    text_out += r.text[i];
    starts.push_back(r.word_start[i]);
    ++i;
  }
  return {std::move(text_out), std::move(starts)};
}

std::string Classifier::match_form(std::string_view text) const { return read(text).text; }

std::vector<Classifier::Word> Classifier::prepare(const std::vector<std::string>& words) const {
  std::vector<Word> out;
  for (const auto& configured : words) {
    // "ODした!い": the word, except where "い" follows it (ODしたい is a wish, not an act).
    const auto bang = configured.find('!');
    const std::string w = configured.substr(0, bang);
    std::vector<std::string> unless;
    for (auto rest = bang; rest != std::string::npos;) {
      const auto next = configured.find('!', rest + 1);
      unless.push_back(match_form(configured.substr(rest + 1, next == std::string::npos ? next : next - rest - 1)));
      rest = next;
    }
    auto form = match_form(w);
    if (form.empty()) continue;
    const bool latin = std::all_of(form.begin(), form.end(), ascii_letter);
    const bool short_word = code_points(form) <= 3;
    const auto first = char_key(form, 0, char_length(form, 0));
    out.push_back({std::move(form), w, latin, short_word, std::move(unless), first});
  }
  return out;
}

Classifier::Classifier(const config::TriageRulesConfig& rules, const std::string& dictionary)
    : readings_(std::make_shared<const Readings>(dictionary)) {
  idioms_ = prepare(rules.idioms);
  negations_ = prepare(rules.negations);
  discounts_ = prepare(rules.discounts);
  third_parties_ = prepare(rules.third_parties);
  writer_agency_ = prepare(rules.writer_agency);
  writer_family_ = prepare(rules.writer_family);
  std::map<std::string, std::size_t> index;
  for (const auto& [name, words] : rules.lexicons) {
    index[name] = lexicons_.size();
    lexicon_names_.push_back(name);
    lexicons_.push_back(prepare(words));
  }
  auto indexes = [&](const std::vector<std::string>& names) {
    std::vector<std::size_t> out;
    for (const auto& n : names)
      if (auto it = index.find(n); it != index.end()) out.push_back(it->second);
    return out;
  };
  for (const auto& r : rules.rules) rules_.push_back({r.id, r.urgency, indexes(r.all), indexes(r.any), r.tags});
  serious_.assign(lexicons_.size(), false);
  for (const auto& r : rules_)
    if (r.urgency && *r.urgency <= kHigh)
      for (const auto* list : {&r.all, &r.any})
        for (auto l : *list) serious_[l] = true;
}

Decision Classifier::classify(std::string_view text) const {
  // Normalization reads at most 64 KiB: a longer text (an email) is read in overlapping
  // pieces, so words at its end still count, and the decisions are merged.
  constexpr std::size_t piece = 48 * 1024, overlap = 1024;
  if (text.size() <= piece) return classify_piece(text);
  Decision merged;
  merged.urgency = kInformation + 1;
  for (std::size_t at = 0; at < text.size();) {
    auto end = std::min(text.size(), at + piece);
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // a character boundary
    auto d = classify_piece(text.substr(at, end - at));
    merged.urgency = std::min(merged.urgency, d.urgency);
    for (auto& t : d.tags)
      if (std::find(merged.tags.begin(), merged.tags.end(), t) == merged.tags.end()) merged.tags.push_back(t);
    for (auto& r : d.reasons) merged.reasons.push_back(std::move(r));
    if (merged.writer.empty()) merged.writer = d.writer;
    if (!merged.age) merged.age = d.age;
    if (merged.matched_form.empty()) merged.matched_form = std::move(d.matched_form);
    if (end >= text.size()) break;
    at = end - std::min(overlap, end - at);
    while (at > 0 && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) --at;
  }
  return merged;
}

Decision Classifier::classify_piece(std::string_view text) const {
  Decision d;
  const auto normalized = normalize_japanese(text);
  auto r = read(text);
  d.matched_form = std::move(r.text);
  const auto& word_start = r.word_start;
  const std::string& s = d.matched_form;

  // Where each character occurs: a word is only compared where its first character is,
  // instead of scanning the text once per word (hundreds of words, mostly 3-byte kana).
  std::unordered_map<std::uint32_t, std::vector<std::size_t>> where;
  for (std::size_t i = 0; i < s.size();) {
    const auto n = char_length(s, i);
    where[char_key(s, i, n)].push_back(i);
    i += n;
  }
  static const std::vector<std::size_t> nowhere;
  auto positions = [&](const Word& w) -> const std::vector<std::size_t>& {
    auto it = where.find(w.first);
    return it == where.end() ? nowhere : it->second;
  };
  // Every place in [from, to] where `w`'s form is spelled out.
  auto each = [&](const Word& w, std::size_t from, std::size_t to, auto&& f) {
    const auto& list = positions(w);
    for (auto it = std::lower_bound(list.begin(), list.end(), from); it != list.end() && *it <= to; ++it)
      if (s.compare(*it, w.form.size(), w.form) == 0 && f(*it)) return true;
    return false;
  };

  // Words inside an idiom never count (死ぬほど眠い).
  std::vector<bool> masked(s.size(), false);
  for (const auto& idiom : idioms_)
    each(idiom, 0, s.size(), [&](std::size_t at) {
      std::fill_n(masked.begin() + static_cast<std::ptrdiff_t>(at), idiom.form.size(), true);
      return false;
    });

  // Whether `w` really is at `at`: whole Latin words, short readings where a word begins
  // (いしょ is not in しんせいしょ), and not followed by one of its exceptions.
  auto word_at = [&](const Word& w, std::size_t at) {
    const auto end = at + w.form.size();
    if (w.latin && ((at > 0 && ascii_letter(s[at - 1])) || (end < s.size() && ascii_letter(s[end])))) return false;
    if (w.short_word && !word_start[at]) return false;
    return std::none_of(w.unless.begin(), w.unless.end(),
                        [&](const std::string& u) { return !u.empty() && s.compare(end, u.size(), u) == 0; });
  };
  auto occurs = [&](const std::vector<Word>& list, std::size_t from, std::size_t to) {
    for (const auto& w : list)
      if (each(w, from, to, [&](std::size_t at) { return word_at(w, at); })) return true;
    return false;
  };
  std::vector<std::size_t> starts(s.size() + 1, 0), ends(s.size() + 1, s.size());  // the sentence each byte belongs to
  for (std::size_t i = 1; i <= s.size(); ++i) starts[i] = sentence_end(s, i - 1) ? i : starts[i - 1];
  for (std::size_t i = s.size(); i-- > 0;) ends[i] = sentence_end(s, i) ? i + 1 : ends[i + 1];
  auto sentence_start = [&](std::size_t at) { return starts[at]; };
  auto occurs_in_sentence = [&](const std::vector<Word>& list, std::size_t start) {
    return !list.empty() && occurs(list, start, ends[start] > 0 ? ends[start] - 1 : 0);
  };

  // A negation cue starting right after a word (within kNegationGap bytes).
  auto negated_at = [&](std::size_t end) {
    return occurs(negations_, end, end + kNegationGap);
  };
  std::map<std::size_t, bool> discounted_sentences;  // sentence start → has a discount cue
  auto discounted = [&](std::size_t start) {
    auto [it, fresh] = discounted_sentences.try_emplace(start, false);
    if (fresh) it->second = occurs_in_sentence(discounts_, start);
    return it->second;
  };

  // Every lexicon's matches that are neither in an idiom nor negated.
  std::vector<std::vector<Match>> found(lexicons_.size());
  for (std::size_t l = 0; l < lexicons_.size(); ++l) {
    for (const auto& w : lexicons_[l]) {
      each(w, 0, s.size(), [&](std::size_t at) {
        const auto end = at + w.form.size();
        if (std::any_of(masked.begin() + static_cast<std::ptrdiff_t>(at), masked.begin() + static_cast<std::ptrdiff_t>(end),
                        [](bool m) { return m; }))
          return false;
        if (!word_at(w, at) || negated_at(end)) return false;
        const auto start = sentence_start(at);
        // Fiction, news, the past, a question someone asked: not a risk now (but a question
        // about a 自殺対策 lecture is still a question).
        if (serious_[l] && discounted(start)) return false;
        found[l].push_back({at, w.shown, at > start && occurs(third_parties_, start, at - 1)});
        return false;  // every occurrence
      });
    }
  }

  std::vector<std::string> tags;
  auto add_tag = [&](const std::string& t) {
    if (std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
  };
  std::optional<int> urgency;
  for (const auto& rule : rules_) {
    const bool all = std::all_of(rule.all.begin(), rule.all.end(), [&](std::size_t l) { return !found[l].empty(); });
    const bool any = rule.any.empty() ||
                     std::any_of(rule.any.begin(), rule.any.end(), [&](std::size_t l) { return !found[l].empty(); });
    if (!all || !any) continue;
    Reason reason{rule.id, rule.urgency, {}, false};
    for (const auto* list : {&rule.all, &rule.any})
      for (auto l : *list)
        for (const auto& m : found[l]) {
          if (std::find(reason.words.begin(), reason.words.end(), m.shown) == reason.words.end())
            reason.words.emplace_back(m.shown);
          reason.third_party = reason.third_party || m.third_party;
        }
    if (rule.urgency) urgency = std::min(urgency.value_or(kInformation), *rule.urgency);
    for (const auto& t : rule.tags) add_tag(t);
    if (reason.third_party && rule.urgency && *rule.urgency <= kHigh) add_tag("第三者");
    d.reasons.push_back(std::move(reason));
  }
  d.urgency = urgency.value_or(kNormal);
  d.tags = std::move(tags);

  if (occurs(writer_agency_, 0, s.size())) d.writer = "支援機関";
  else if (occurs(writer_family_, 0, s.size())) d.writer = "家族";
  else if (std::find(d.tags.begin(), d.tags.end(), "本人相談") != d.tags.end()) d.writer = "本人";
  d.age = find_age(normalized);  // digits and 歳 / 代 as written, not their readings
  return d;
}

std::optional<int> find_age(std::string_view s) {
  struct Candidate {
    int age = 0, score = 1;
  };
  std::vector<Candidate> candidates;
  auto near_after = [&](std::size_t at, std::initializer_list<std::string_view> words, std::size_t span) {
    for (auto w : words) {
      auto f = s.find(w, at);
      if (f != std::string_view::npos && f <= at + span) return true;
    }
    return false;
  };
  auto near_before = [&](std::size_t at, std::initializer_list<std::string_view> words, std::size_t span) {
    const auto from = at > span ? at - span : 0;
    for (auto w : words)
      if (s.substr(from, at - from).find(w) != std::string_view::npos) return true;
    return false;
  };
  auto add = [&](int age, std::size_t begin, std::size_t end) {
    Candidate c{age, 1};
    if (near_after(end, {"の母", "の父", "の親", "の私", "の祖"}, 0)) c.score = 0;  // the writer's own age
    if (near_after(end, {"の息子", "の娘", "の子", "の兄", "の弟", "の姉", "の妹", "の本人", "になる息子", "になる娘"}, 3) ||
        near_before(begin, {"息子", "娘", "本人", "兄", "弟", "姉", "妹", "子ども", "子供"}, 15))
      c.score = 2;
    candidates.push_back(c);
  };
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] < '0' || s[i] > '9') {
      ++i;
      continue;
    }
    std::size_t j = i;
    int n = 0;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9' && j - i < 3) n = n * 10 + (s[j++] - '0');
    const auto rest = s.substr(j);
    if (rest.starts_with("歳") || rest.starts_with("才")) add(n, i, j + 3);
    else if (rest.starts_with("代") && n % 10 == 0 && n >= 10) add(n + 5, i, j + 3);
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
    i = j;
  }
  static constexpr std::pair<std::string_view, int> stages[] = {
      {"小学生", 10}, {"中学生", 14}, {"高校生", 17}, {"大学生", 20}, {"専門学生", 19}, {"還暦", 60}};
  for (const auto& [word, age] : stages)
    if (auto at = s.find(word); at != std::string_view::npos) add(age, at, at + word.size());
  const Candidate* best = nullptr;
  for (const auto& c : candidates)
    if (c.score > 0 && c.age <= 120 && (!best || c.score > best->score)) best = &c;
  if (!best) return std::nullopt;
  return best->age;
}

}  // namespace madoguchi::triage
