// The triage rules file (config/triage-rules.toml is the built-in one): lexicons, rules,
// idioms, negations, third parties, writer cues. Validated as a whole: unknown keys,
// unknown lexicons, empty words and unknown urgency labels are errors with their key.
#include <set>
#include <tuple>

#include "config/reader.hpp"
#include "config/triage_rules_embedded.hpp"

namespace madoguchi::config::detail {
namespace {

constexpr std::size_t kMaxWords = 5000;
constexpr std::size_t kMaxWordBytes = 200;

std::vector<std::string> words(Reader& r, const toml::node* node, const std::string& key) {
  return r.strings(node, key, kMaxWords, kMaxWordBytes);
}

}  // namespace

std::optional<int> urgency_from_label(std::string_view label) {
  static constexpr std::string_view labels[] = {"緊急", "高", "通常", "情報提供"};
  for (int i = 0; i < 4; ++i)
    if (labels[i] == label) return i;
  return std::nullopt;
}

void read_triage_rules(Reader& r, const toml::table& root, const std::string& prefix, TriageRulesConfig& out) {
  auto key = [&](const std::string& k) { return Reader::join(prefix, k); };
  r.only_keys(root, prefix,
              {"idioms", "negations", "discounts", "third_parties", "writer_agency", "writer_family", "lexicons", "rules"});
  out.idioms = words(r, root.get("idioms"), key("idioms"));
  out.negations = words(r, root.get("negations"), key("negations"));
  out.discounts = words(r, root.get("discounts"), key("discounts"));
  out.third_parties = words(r, root.get("third_parties"), key("third_parties"));
  out.writer_agency = words(r, root.get("writer_agency"), key("writer_agency"));
  out.writer_family = words(r, root.get("writer_family"), key("writer_family"));
  if (const auto* lex = root.get("lexicons")) {
    if (const auto* t = lex->as_table()) {
      for (const auto& [name, list] : *t)
        out.lexicons[std::string(name.str())] = words(r, &list, key("lexicons." + std::string(name.str())));
    } else {
      r.error(key("lexicons"), "must be a table of word lists");
    }
  }
  std::set<std::string> ids;
  each_table(r, root, "rules", [&](const toml::table& t, const std::string& short_key) {
    const auto k = key(short_key);
    r.only_keys(t, k, {"id", "label", "urgency", "all", "any", "none", "within", "despite_discounts", "tags", "writer"});
    TriageRuleConfig rule;
    if (auto v = r.string(t.get("id"), k + ".id", true)) {
      rule.id = *v;
      if (!ids.insert(rule.id).second) r.error(k + ".id", "duplicate rule id " + rule.id);
    }
    if (auto v = r.string(t.get("urgency"), k + ".urgency", false)) {
      rule.urgency = urgency_from_label(*v);
      if (!rule.urgency) r.error(k + ".urgency", "must be 緊急, 高, 通常 or 情報提供");
    }
    rule.all = words(r, t.get("all"), k + ".all");
    rule.any = words(r, t.get("any"), k + ".any");
    rule.none = words(r, t.get("none"), k + ".none");
    if (const auto* w = t.get("within")) rule.within = static_cast<int>(r.integer(w, k + ".within", 0, 0, 20));
    rule.despite_discounts = r.boolean(t.get("despite_discounts"), k + ".despite_discounts", false);
    rule.tags = words(r, t.get("tags"), k + ".tags");
    if (auto v = r.string(t.get("label"), k + ".label", false)) {
      rule.label = *v;
      if (rule.label.empty()) r.error(k + ".label", "must not be empty");
    }
    if (auto v = r.string(t.get("writer"), k + ".writer", false)) {
      rule.writer = *v;
      if (rule.writer != "本人" && rule.writer != "家族" && rule.writer != "支援機関" && rule.writer != "その他")
        r.error(k + ".writer", "must be 本人, 家族, 支援機関 or その他");
    }
    if (rule.all.empty() && rule.any.empty()) r.error(k, "needs lexicons in all or any");
    for (const auto* list : {&rule.all, &rule.any, &rule.none})
      for (const auto& name : *list)
        if (!out.lexicons.count(name)) r.error(k, "unknown lexicon " + name);
    out.rules.push_back(std::move(rule));
  });
  if (out.rules.empty()) r.error(key("rules"), "at least one rule is required");
  // Older files name who is writing with two word lists, consulted before any rule: they become
  // lexicons and the first two writer rules, so they keep deciding first.
  std::vector<TriageRuleConfig> front;
  for (const auto& [list, name, writer, tag, label] :
       {std::tuple{&out.writer_agency, "writer_agency", "支援機関", "支援機関", "支援機関からの相談"},
        std::tuple{&out.writer_family, "writer_family", "家族", "家族相談", "家族からの相談"}}) {
    if (list->empty()) continue;
    if (out.lexicons.count(name)) {
      r.error(key(name), std::string("a lexicon is also named ") + name);
      continue;
    }
    out.lexicons[name] = *list;
    TriageRuleConfig rule;
    rule.id = std::string(name) + "_words";
    rule.label = label;
    rule.all = {name};
    rule.tags = {tag};
    rule.writer = writer;
    if (!ids.insert(rule.id).second) r.error(key(name), "a rule is also named " + rule.id);
    front.push_back(std::move(rule));
  }
  out.rules.insert(out.rules.begin(), front.begin(), front.end());
}

// The built-in rules or the administrator's file; errors carry the file name.
void load_triage_rules(Reader& r, const std::filesystem::path& file, TriageRulesConfig& out) {
  std::string text;
  std::string name = "built-in triage rules";
  if (file.empty()) {
    text = std::string(embedded::triage_rules_toml);
  } else {
    name = file.string();
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      r.error("triage.rules_file", "cannot read " + file.string());
      return;
    }
    std::stringstream s;
    s << in.rdbuf();
    text = s.str();
  }
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    r.error("triage.rules_file", name + ": TOML syntax error at line " + std::to_string(e.source().begin.line) + ": " +
                                     std::string(e.description()));
    return;
  }
  read_triage_rules(r, root, "triage.rules", out);
}

}  // namespace madoguchi::config::detail

namespace madoguchi::config {

bool load_triage_rules_file(const std::filesystem::path& file, TriageRulesConfig& out, std::vector<ConfigError>& errors) {
  const EnvLookup no_env = [](const std::string&) { return std::optional<std::string>(); };
  detail::Reader r(no_env, errors);
  const auto before = errors.size();
  detail::load_triage_rules(r, file, out);
  return errors.size() == before;
}

}  // namespace madoguchi::config
