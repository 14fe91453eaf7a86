#include "gateway/triage/classifier.hpp"

#include <algorithm>
#include <map>

#include "gateway/core/utf8.hpp"
#include "gateway/triage/normalize.hpp"

namespace madoguchi::triage {
namespace {

// CJK unified ideographs (U+3400..U+9FFF). An ill-formed sequence is not one.
bool has_kanji(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const int c = utf8::next(s, i);
    if (c >= 0x3400 && c <= 0x9FFF) return true;
  }
  return false;
}

bool ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Long marks and commas out of a form (kept in step with its word starts): しにたーい and
// しにたい, ロープ and ろーぷ, 今夜、実行します and 今夜実行します meet (the price: カッター
// reads like かった, so such words make poor rules).
// from / to: where each byte of `text` came from in the text that was read, and `kept[k]`
// where byte k of that text is in `spelled` (the normalized text with its long marks).
TextForm filtered(const std::string& text, const std::vector<bool>& starts, const std::vector<std::uint32_t>& from,
                  const std::vector<std::uint32_t>& to, const std::vector<std::uint32_t>& kept, const std::string& spelled) {
  static constexpr std::string_view dropped[] = {"ー", "、", ","};
  TextForm out;
  out.text.reserve(text.size());
  const bool mapped = from.size() == text.size() && to.size() == text.size();
  for (std::size_t i = 0; i < text.size();) {
    const auto rest = std::string_view(text).substr(i);
    if (auto d = std::find_if(std::begin(dropped), std::end(dropped), [&](auto m) { return rest.starts_with(m); });
        d != std::end(dropped)) {
      i += d->size();
      continue;
    }
    out.text += text[i];
    out.word_start.push_back(i < starts.size() && starts[i]);
    if (mapped && from[i] < kept.size() && to[i] > 0 && to[i] - 1 < kept.size()) {
      out.from.push_back(kept[from[i]]);
      out.to.push_back(kept[to[i] - 1] + 1);
    }
    ++i;
  }
  if (out.from.size() != out.text.size()) out.from.clear(), out.to.clear();
  else out.spelled = spelled;
  return out;
}

// without_long_marks(normalized), and where each of its bytes is in `normalized`.
std::string strip_long_marks(const std::string& normalized, std::vector<std::uint32_t>& kept) {
  constexpr std::string_view mark = "ー";
  std::string out;
  out.reserve(normalized.size());
  kept.clear();
  for (std::size_t i = 0; i < normalized.size();) {
    if (std::string_view(normalized).substr(i, mark.size()) == mark) {
      i += mark.size();
      continue;
    }
    out.push_back(normalized[i]);
    kept.push_back(static_cast<std::uint32_t>(i++));
  }
  return out;
}

}  // namespace

std::string_view writer_tag(std::string_view writer) {
  if (writer == "本人") return "本人相談";
  if (writer == "家族") return "家族相談";
  if (writer == "支援機関") return "支援機関";
  return {};
}

bool is_writer_tag(std::string_view tag) { return tag == "本人相談" || tag == "家族相談" || tag == "支援機関"; }

std::string_view urgency_label(int urgency) {
  static constexpr std::string_view labels[] = {"緊急", "高", "通常", "情報提供"};
  return labels[std::clamp(urgency, 0, 3)];
}

std::string_view urgency_code(int urgency) {
  static constexpr std::string_view codes[] = {"emergency", "high", "normal", "info"};
  return codes[std::clamp(urgency, 0, 3)];
}

std::vector<TextForm> Classifier::forms(std::string_view text) const {
  const auto spelled = normalize_japanese(text, KanaFolding::keep_katakana);
  std::vector<std::uint32_t> kept;
  const auto normalized = strip_long_marks(spelled, kept);
  auto r = readings_->read(normalized);
  std::vector<TextForm> out{filtered(r.text, r.word_start, r.text_from, r.text_to, kept, spelled),
                            filtered(r.surface, r.surface_start, r.surface_from, r.surface_to, kept, spelled)};
  // English words stay as they are in the first two forms; romaji meets the kana lexicons here
  // (and is shown in kana: the transliteration is what matched).
  if (auto kana = romaji_->to_hiragana(normalized)) {
    const auto kana_spelled = normalize_japanese(*kana, KanaFolding::keep_katakana);
    std::vector<std::uint32_t> kana_kept;
    auto k = readings_->read(strip_long_marks(kana_spelled, kana_kept));
    out.push_back(filtered(k.text, k.word_start, k.text_from, k.text_to, kana_kept, kana_spelled));
    out.push_back(filtered(k.surface, k.surface_start, k.surface_from, k.surface_to, kana_kept, kana_spelled));
  }
  return out;
}

std::string Classifier::match_form(std::string_view text) const { return forms(text)[kReadingForm].text; }

bool Classifier::mentions(const Decision& d, std::string_view word) const {
  auto f = forms(word);
  return (!f[kReadingForm].text.empty() && d.matched_form.find(f[kReadingForm].text) != std::string::npos) ||
         (!f[kSurfaceForm].text.empty() && d.surface_form.find(f[kSurfaceForm].text) != std::string::npos);
}

std::vector<Word> Classifier::prepare(const std::vector<std::string>& words) const {
  std::vector<Word> out;
  for (const auto& configured : words) {
    // "ODした!い": the word, except where "い" follows it (ODしたい is a wish, not an act).
    const auto bang = configured.find('!');
    std::vector<std::string> unless;
    for (auto rest = bang; rest != std::string::npos;) {
      const auto next = configured.find('!', rest + 1);
      unless.push_back(configured.substr(rest + 1, next == std::string::npos ? next : next - rest - 1));
      rest = next;
    }
    Word word;
    word.shown = configured.substr(0, bang);
    // "=亡くな": as spelled only (its reading なくな is also in いなくなった).
    const bool spelled_only = word.shown.starts_with('=');
    if (spelled_only) word.shown.erase(0, 1);
    auto f = forms(word.shown);
    if (spelled_only) f[kReadingForm].text.clear();
    if (f[kSurfaceForm].text.empty()) continue;
    f.resize(2);  // a word's own romaji transliteration is not a spelling of it
    for (int k : {kReadingForm, kSurfaceForm}) {
      auto& form = word.forms[k];
      form.text = std::move(f[k].text);
      // Short kana meets homophones inside other words; with a kanji in it, it does not.
      form.short_word = utf8::code_points(form.text) <= 3 && !has_kanji(form.text);
      form.first = first_char_key(form.text);
      for (const auto& u : unless) form.unless.push_back(forms(u)[k].text);
    }
    const auto& spelled = word.forms[kSurfaceForm].text;
    word.latin = std::all_of(spelled.begin(), spelled.end(), ascii_letter);
    out.push_back(std::move(word));
  }
  return out;
}

Classifier::Classifier(const config::TriageRulesConfig& rules, const std::string& dictionary)
    : readings_(std::make_shared<const Readings>(dictionary)), romaji_(std::make_shared<const Romaji>()) {
  idioms_ = prepare(rules.idioms);
  negations_ = prepare(rules.negations);
  discounts_ = prepare(rules.discounts);
  third_parties_ = prepare(rules.third_parties);
  std::map<std::string, std::size_t> index;
  for (const auto& [name, words] : rules.lexicons) {
    index[name] = lexicons_.size();
    lexicons_.push_back(prepare(words));
  }
  auto indexes = [&](const std::vector<std::string>& names) {
    std::vector<std::size_t> out;
    for (const auto& n : names)
      if (auto it = index.find(n); it != index.end()) out.push_back(it->second);
    return out;
  };
  for (const auto& r : rules.rules) {
    // A rule of an older file that tags who is writing (family_writes: 家族相談) names that writer.
    std::string writer = r.writer;
    for (const auto& t : r.tags)
      if (writer.empty() && is_writer_tag(t)) writer = t == "本人相談" ? "本人" : t == "家族相談" ? "家族" : "支援機関";
    rules_.push_back({r.id, r.label.empty() ? std::string(kUnlabelledRule) : r.label, std::move(writer), r.urgency,
                      indexes(r.all), indexes(r.any), indexes(r.none), r.within, r.despite_discounts, r.tags});
  }
  serious_.assign(lexicons_.size(), false);
  for (const auto& r : rules_)
    if (r.urgency && *r.urgency <= kHigh)
      for (const auto* list : {&r.all, &r.any})
        for (auto l : *list) serious_[l] = true;
}

bool Classifier::rule_holds(const Rule& rule, const Found& found) const {
  auto counts = [&](const WordMatch& m) { return rule.despite_discounts || !m.discounted; };
  auto near = [&](std::size_t l, std::optional<std::size_t> sentence) {
    return std::any_of(found[l].begin(), found[l].end(), [&](const WordMatch& m) {
      if (!counts(m)) return false;
      if (!sentence) return true;
      const auto d = m.sentence > *sentence ? m.sentence - *sentence : *sentence - m.sentence;
      return d <= static_cast<std::size_t>(*rule.within);
    });
  };
  auto holds_at = [&](std::optional<std::size_t> sentence) {
    return std::all_of(rule.all.begin(), rule.all.end(), [&](std::size_t l) { return near(l, sentence); }) &&
           (rule.any.empty() || std::any_of(rule.any.begin(), rule.any.end(), [&](std::size_t l) { return near(l, sentence); })) &&
           std::none_of(rule.none.begin(), rule.none.end(), [&](std::size_t l) { return near(l, sentence); });
  };
  if (!rule.within) return holds_at(std::nullopt);
  // Anchored on the sentences of the first lexicon's matches: the most urgent sentence decides,
  // wherever it stands in a long text.
  const auto& anchors = found[rule.all.empty() ? rule.any.front() : rule.all.front()];
  return std::any_of(anchors.begin(), anchors.end(),
                     [&](const WordMatch& m) { return counts(m) && holds_at(m.sentence); });
}

Decision Classifier::classify(std::string_view text) const {
  // Normalization reads at most 64 KiB: a longer text (an email) is read in overlapping
  // pieces, so words at its end still count, and the decisions are merged.
  constexpr std::size_t piece = 48 * 1024, overlap = 1024;
  if (text.size() <= piece) return classify_piece(text);
  Decision merged;
  merged.urgency = kInformation + 1;
  for (std::size_t at = 0; at < text.size();) {
    // Cut at character boundaries, at most three bytes back, so every piece moves on even
    // through a long run of stray continuation bytes.
    const auto end = utf8::sequence_start(text, std::min(text.size(), at + piece));
    auto d = classify_piece(text.substr(at, end - at));
    merged.urgency = std::min(merged.urgency, d.urgency);
    for (auto& t : d.tags)
      if (!is_writer_tag(t) && std::find(merged.tags.begin(), merged.tags.end(), t) == merged.tags.end())
        merged.tags.push_back(t);
    for (auto& r : d.reasons) merged.reasons.push_back(std::move(r));
    if (merged.writer.empty()) merged.writer = d.writer;  // the first piece that tells (the greeting, usually)
    if (!merged.age) merged.age = d.age;
    merged.matched_form += d.matched_form;
    merged.surface_form += d.surface_form;
    if (end >= text.size()) break;
    at = utf8::sequence_start(text, end - overlap);
  }
  if (auto t = writer_tag(merged.writer); !t.empty()) merged.tags.emplace_back(t);  // one writer, one tag
  return merged;
}

Decision Classifier::classify_piece(std::string_view text) const {
  Decision d;
  auto f = forms(text);
  // Every lexicon's matches in either form: read into kana, and as spelled.
  Found found(lexicons_.size());
  const ScanCues cues{idioms_, negations_, discounts_, third_parties_};
  for (const auto& form : f) scan_text(form, lexicons_, serious_, cues, found);

  std::vector<std::string> tags;
  auto add_tag = [&](const std::string& t) {
    if (std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
  };
  // The words as the writer spelled them: the normalized spelling of the match, or the
  // message's own bytes when they are the same letters (OD for od, as typed).
  auto as_written = [&](const WordMatch& m) {
    std::string w = m.found.empty() ? std::string(m.shown) : m.found;
    if (text.find(w) != std::string_view::npos) return w;
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    const auto it = std::search(text.begin(), text.end(), w.begin(), w.end(),
                                [&](char a, char b) { return lower(a) == lower(b); });
    return it != text.end() ? std::string(it, it + static_cast<std::ptrdiff_t>(w.size())) : w;
  };
  std::optional<int> urgency;
  const Rule* writer_rule = nullptr;
  bool own_concern = false;
  for (const auto& rule : rules_) {
    if (!rule_holds(rule, found)) continue;
    // Only the first rule naming a writer decides it; a later one still gives its urgency and
    // topic tags, but not its writer, and is listed only when it has an urgency.
    const bool decides = !rule.writer.empty() && !writer_rule;
    if (decides) writer_rule = &rule;
    if (!rule.writer.empty() && !decides && !rule.urgency) {
      for (const auto& t : rule.tags)
        if (!is_writer_tag(t)) add_tag(t);
      continue;
    }
    Reason reason{rule.id, rule.label, rule.urgency, {}, false, decides ? rule.writer : std::string()};
    for (const auto* list : {&rule.all, &rule.any})
      for (auto l : *list)
        for (const auto& m : found[l]) {
          if (m.discounted && !rule.despite_discounts) continue;
          auto w = as_written(m);
          if (std::find(reason.words.begin(), reason.words.end(), w) == reason.words.end())
            reason.words.push_back(std::move(w));
          reason.third_party = reason.third_party || m.third_party;
        }
    // 今 inside 今夜, 飛び降り inside 飛び降りる: the longer word says it.
    std::erase_if(reason.words, [&](const std::string& w) {
      return std::any_of(reason.words.begin(), reason.words.end(),
                         [&](const std::string& o) { return o.size() > w.size() && o.find(w) != std::string::npos; });
    });
    if (rule.urgency) urgency = std::min(urgency.value_or(kInformation), *rule.urgency);
    if (rule.urgency && *rule.urgency <= kNormal && !reason.third_party) own_concern = true;
    for (const auto& t : rule.tags)
      if (!is_writer_tag(t)) add_tag(t);
    if (reason.third_party && rule.urgency && *rule.urgency <= kHigh) add_tag("第三者");
    d.reasons.push_back(std::move(reason));
  }
  d.urgency = urgency.value_or(kNormal);
  if (writer_rule) d.writer = writer_rule->writer;
  else if (own_concern) d.writer = "本人";
  if (auto t = writer_tag(d.writer); !t.empty()) add_tag(std::string(t));
  d.tags = std::move(tags);

  d.matched_form = std::move(f[kReadingForm].text);
  d.surface_form = std::move(f[kSurfaceForm].text);
  d.age = find_age(d.surface_form);  // digits and 歳 / 代 as written, not their readings
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
