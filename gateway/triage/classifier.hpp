#pragma once
// classify(text) → urgency, topic tags, who is writing, the age of the person concerned, and
// the reasons (which rule matched which words). Pure and const: one Classifier is shared by
// every thread. The rules come from configuration (config/triage-rules.toml by default) and
// are matched against the text's match form — normalized (normalize.hpp), then read into
// kana (reading.hpp) — so every spelling variant of a sentence gets the same decision.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/triage_config.hpp"
#include "gateway/triage/reading.hpp"
#include "gateway/triage/romaji.hpp"
#include "gateway/triage/text_scan.hpp"

namespace madoguchi::triage {

inline constexpr int kEmergency = 0, kHigh = 1, kNormal = 2, kInformation = 3;

// 緊急 / 高 / 通常 / 情報提供; English codes for the API and storage.
std::string_view urgency_label(int urgency);
std::string_view urgency_code(int urgency);  // emergency / high / normal / info

struct Reason {
  std::string rule;                // its id, for machines (case detail, `triage` output)
  std::string label;               // in Japanese, for counselors (rule_label)
  std::optional<int> urgency;      // absent: the rule only adds tags
  // What matched, as the message spells it (飛び降りる, ｼﾆﾀｲ), each once, in the order of the
  // rule's lexicons — never the configured spelling variants. Message content: never logged.
  std::vector<std::string> words;
  bool third_party = false;        // about someone else (友達が…)
  std::string writer;              // the writer this rule decided (本人 / 家族 / …), else ""
};

// The who-is-writing tag of a writer: 本人 → 本人相談, 家族 → 家族相談, 支援機関 → 支援機関;
// "" for その他 and for an unknown writer.
std::string_view writer_tag(std::string_view writer);
// Whether `tag` is one of those tags (a message has at most one).
bool is_writer_tag(std::string_view tag);
// The Japanese label counselors read for a rule: the configured one, else a generic label
// (never the id: ids are ASCII for machines).
inline constexpr std::string_view kUnlabelledRule = "追加の判定ルール";

struct Decision {
  int urgency = kNormal;
  std::vector<std::string> tags;
  std::vector<Reason> reasons;
  // 本人 / 家族 / 支援機関 / その他, "" when unknown: the first writer rule that holds; without one,
  // 本人 when the message tells a concern of the writer's own (a rule of 通常 or above, not about
  // a third party). Its writer_tag is the message's only who-is-writing tag.
  std::string writer;
  std::optional<int> age;          // of the person concerned, when the text gives it
  std::string matched_form, surface_form;  // the text as rules saw it (routing by area; never stored)
};

class Classifier {
 public:
  // Words are brought into match form here, once. Rules reference lexicons by name
  // (validated in config). Throws at start-up when the MeCab dictionary is missing.
  explicit Classifier(const config::TriageRulesConfig& rules, const std::string& dictionary = kDefaultDictionary);
  Decision classify(std::string_view text) const;
  // Normalized (NFKC, folding, no long marks or commas), then read into kana: the form most
  // rules meet in; words are also looked for as spelled, where MeCab may misread a kanji.
  std::string match_form(std::string_view text) const;
  // Whether `word` (e.g. an area name from a route) is in the text the decision was made on.
  bool mentions(const Decision& decision, std::string_view word) const;

 private:
  struct Rule {
    std::string id, label;
    std::string writer;  // 本人 / 家族 / 支援機関 / その他 when the rule names who is writing
    std::optional<int> urgency;
    std::vector<std::size_t> all, any, none;  // lexicon indexes
    std::optional<int> within;
    bool despite_discounts = false;
    std::vector<std::string> tags;
  };
  using Found = std::vector<std::vector<WordMatch>>;
  // The sentence (a match of the rule's first lexicon) where every condition of `rule` holds,
  // or nullopt. Without `within`, the whole message counts as one sentence.
  bool rule_holds(const Rule& rule, const Found& found) const;
  std::vector<Word> prepare(const std::vector<std::string>& words) const;
  Decision classify_piece(std::string_view text) const;
  // Both forms of a text: [kReadingForm], [kSurfaceForm]; when it has romaji, also both forms
  // of its transliteration into hiragana (ICU Latin-Hiragana: ima kara → いまから).
  std::vector<TextForm> forms(std::string_view text) const;

  std::shared_ptr<const Readings> readings_;
  std::shared_ptr<const Romaji> romaji_;
  std::vector<std::vector<Word>> lexicons_;
  std::vector<Rule> rules_;
  std::vector<bool> serious_;  // per lexicon: used by a 緊急 or 高 rule (discounts apply)
  std::vector<Word> idioms_, negations_, discounts_, third_parties_;
};

// The age of the person concerned in a normalized text (as spelled, not read): "45歳", "40代" (→ 45), "中学生", …;
// an age given as the writer's own ("70代の母です") is skipped.
std::optional<int> find_age(std::string_view normalized);

}  // namespace madoguchi::triage
