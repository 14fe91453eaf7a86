#pragma once
// Typed configuration of triage: the rules (built-in Japanese defaults or an administrator's
// file), each window's opening hours, routing per tenant, the automatic replies and the
// 24-hour numbers they give. Plain data: gateway/triage compiles it into a classifier and
// calendars.
#include <array>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace madoguchi::config {

// One rule: it matches when every lexicon of `all` and at least one of `any` (when given)
// has a match in the message that is neither negated nor inside an idiom, and no lexicon of
// `none` has one. With `within`, the matches must lie within that many sentences of a match
// of the rule's first lexicon (0: the same sentence), so a long email's 今 in one paragraph
// and 死にたい in another do not combine; without it, anywhere in the message.
struct TriageRuleConfig {
  std::string id;                  // for machines (case detail, `triage` output), e.g. "means_with_time_or_place"
  std::string label;               // for counselors, in Japanese: what the rule found (「手段と時間・場所」)
  std::optional<int> urgency;      // 0 緊急, 1 高, 2 通常, 3 情報提供; absent: tags only
  std::vector<std::string> all, any, none;
  std::optional<int> within;       // sentences
  // Matches in a sentence about fiction, news or the past count too: for means-plus-now,
  // which no discount may override.
  bool despite_discounts = false;
  std::vector<std::string> tags;   // topic tags: 希死念慮, 自傷, 他害, 8050, …
  // Who is writing (本人 / 家族 / 支援機関 / その他), when the rule tells. The first rule in
  // file order that holds and names a writer decides; the others are not applied at all.
  std::string writer;
};

struct TriageRulesConfig {
  std::map<std::string, std::vector<std::string>> lexicons;  // name → words (matched after normalization)
  std::vector<TriageRuleConfig> rules;
  std::vector<std::string> idioms;         // phrases whose words never count: 死ぬほど眠い, たひる
  std::vector<std::string> negations;      // cues right after a word that negate it: とは思わない
  std::vector<std::string> discounts;      // cues that void a sentence's words: ドラマで, ニュースで, 年前に
  std::vector<std::string> third_parties;  // subjects before a word that make it someone else's: 友達が
  // Older rules files: who is writing as two word lists (家族 / 支援機関). Read into lexicons of
  // these names and writer rules ahead of the file's own (see read_triage_rules); the built-in
  // file says it with rules that carry `writer`.
  std::vector<std::string> writer_family, writer_agency;
};

struct TimeRangeConfig {
  int start_min = 0, end_min = 0;  // minutes after 00:00 Japan time
};

struct WindowHoursConfig {
  std::string tenant, window;
  std::array<std::vector<TimeRangeConfig>, 7> weekly;  // 0 Sunday … 6 Saturday
  bool closed_on_holidays = true;
  bool year_end_closure = true;  // 年末年始 12/29–1/3
  std::map<std::chrono::year_month_day, std::string> closures;  // date → reason
  std::map<std::chrono::year_month_day, std::vector<TimeRangeConfig>> openings;
};

// First matching route wins; every condition given must hold.
struct RouteConfig {
  std::string window;
  std::vector<std::string> tags, writers, channels, areas;  // writers: 本人 / 家族 / 支援機関 / その他
  std::optional<int> min_age, max_age;                      // age of the person concerned
};

struct HotlineConfig {
  std::string name, number, hours;  // hours: free text, e.g. "24時間"
};

struct TriageTenantConfig {
  std::string tenant;
  std::string general_window;  // fallback: nobody is turned away (default: the tenant's first window)
  std::vector<RouteConfig> routes;
  std::vector<std::string> areas;  // the municipality's own areas (wards), for reasons only
  // Automatic replies; "{next_opening}" and "{hotlines}" are filled in. "" = none.
  std::string after_hours_reply = kDefaultAfterHoursReply;
  std::string emergency_reply = kDefaultEmergencyReply;
  std::vector<HotlineConfig> hotlines = {{"救急", "119", "24時間"}, {"警察", "110", "24時間"}};

  static constexpr const char* kDefaultAfterHoursReply =
      "ご連絡ありがとうございます。ただいま受付時間外です。メッセージは届いています。"
      "{next_opening}以降に担当者が確認して、順番にお返事します。\n"
      "今すぐ話したいとき、命の危険があるときは、こちらに連絡してください。\n{hotlines}";
  static constexpr const char* kDefaultEmergencyReply =
      "メッセージを読みました。あなたの命と安全がいちばん大切です。"
      "今すぐ助けが必要なときは、ためらわずに119番（救急）か110番（警察）に電話してください。\n"
      "{hotlines}\n窓口の担当者にも知らせています。{next_opening}以降、こちらからも連絡します。";
};

struct TriageConfig {
  std::filesystem::path rules_file;  // empty: the built-in rules (config/triage-rules.toml)
  TriageRulesConfig rules;
  std::vector<WindowHoursConfig> hours;  // windows without hours are always open
  std::vector<TriageTenantConfig> tenants;
  std::map<std::chrono::year_month_day, std::string> holidays_added;  // official corrections
  std::vector<std::chrono::year_month_day> holidays_removed;
  int poll_ms = 200;
  int lease_s = 60;
};

struct ConfigError;
// The rules of `file` (empty: the built-in ones), validated; the errors otherwise.
bool load_triage_rules_file(const std::filesystem::path& file, TriageRulesConfig& out, std::vector<ConfigError>& errors);

}  // namespace madoguchi::config
