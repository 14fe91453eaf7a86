// `madoguchi triage`, `eval` and `calendar`: the triage stage's decisions from the command
// line, through the same Assessor as the running gateway.
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <fstream>
#include <iostream>

#include "gateway/commands.hpp"
#include "gateway/startup.hpp"
#include "gateway/triage/assessor.hpp"
#include "gateway/triage/evaluation.hpp"

namespace madoguchi::app {
namespace {

namespace json = boost::json;
constexpr std::size_t kMaxLine = 256 * 1024;

json::object decision_json(const json::value& id, const triage::Assessment& a) {
  json::array tags, reasons;
  for (const auto& t : a.decision.tags) tags.emplace_back(t);
  for (const auto& r : a.decision.reasons) {
    json::array words;
    for (const auto& w : r.words) words.emplace_back(w);
    json::object reason{{"rule", r.rule}, {"words", std::move(words)}};
    if (r.urgency) reason["urgency"] = triage::urgency_label(*r.urgency);
    if (r.third_party) reason["third_party"] = true;
    reasons.push_back(std::move(reason));
  }
  json::object out{{"id", id},
                   {"urgency", triage::urgency_label(a.decision.urgency)},
                   {"tags", std::move(tags)},
                   {"window", a.route.window},
                   {"route", a.route.why},
                   {"writer", a.decision.writer},
                   {"reasons", std::move(reasons)}};
  if (a.decision.age) out["age"] = *a.decision.age;
  out["open"] = a.open;
  if (a.next_opening) out["next_opening"] = triage::format_next_opening(*a.next_opening);
  return out;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "at": unix milliseconds, or a date-time with its offset: "2026-12-02T02:00:00+09:00" or "…Z".
std::optional<std::int64_t> parse_at(const json::value& v) {
  if (v.is_int64()) return v.as_int64();
  if (!v.is_string()) return std::nullopt;
  const std::string_view s = v.as_string();
  if (s.size() < 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':') return std::nullopt;
  auto day = triage::parse_date(s.substr(0, 10));
  auto two = [&](std::size_t at) -> int {
    if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') return -1;
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
  };
  const int h = two(11), m = two(14), sec = two(17);
  int offset = 0;
  const auto zone = s.substr(19);
  if (zone != "Z") {
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') return std::nullopt;
    const int oh = two(20), om = two(23);
    if (oh < 0 || om < 0 || oh > 14 || om > 59) return std::nullopt;
    offset = (zone[0] == '-' ? -1 : 1) * (oh * 60 + om);
  }
  if (!day || h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59) return std::nullopt;
  const auto t = std::chrono::sys_days(*day) + std::chrono::hours(h) + std::chrono::minutes(m - offset) +
                 std::chrono::seconds(sec);
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

int triage(const std::filesystem::path& config_file, const std::optional<std::string>& tenant_option) {
  auto config = load_or_report(config_file, config::Secrets::skip);
  if (!config) return 2;
  const auto* tenant = tenant_or_report(*config, tenant_option);
  if (!tenant) return 2;
  const triage::Assessor assessor(*config);
  // A line without "channel" is taken as coming through the tenant's first configured
  // channel account (routes may depend on the channel), or none.
  std::string default_channel;
  for (const auto& a : config->channels)
    if (a.tenant == tenant->id) {
      default_channel = a.type;
      break;
    }
  bool bad = false;
  std::string line;
  for (int n = 1; std::getline(std::cin, line); ++n) {
    auto fail = [&](const char* why) {
      bad = true;
      std::cout << json::serialize(json::object{{"line", n}, {"error", why}}) << "\n";
    };
    if (line.empty()) continue;
    if (line.size() > kMaxLine) {
      fail("line longer than 256 KiB");
      continue;
    }
    boost::system::error_code ec;
    auto v = json::parse(line, ec);
    const auto* o = ec ? nullptr : v.if_object();
    const auto* text = o ? o->if_contains("text") : nullptr;
    const auto* id = o ? o->if_contains("id") : nullptr;
    if (!o || !text || !text->is_string() || !id) {
      fail("expected a JSON object with \"id\" and \"text\" (a string)");
      continue;
    }
    std::string channel = default_channel;
    if (const auto* c = o->if_contains("channel"); c && c->is_string()) channel = std::string(c->as_string());
    std::int64_t at = now_ms();
    if (const auto* a = o->if_contains("at")) {
      auto parsed = parse_at(*a);
      if (!parsed) {
        fail("\"at\" must be unix milliseconds or a date-time like 2026-12-02T02:00:00+09:00");
        continue;
      }
      at = *parsed;
    }
    auto assessment = assessor.assess(tenant->id, std::string_view(text->as_string()), channel, at);
    std::cout << json::serialize(decision_json(*id, assessment)) << "\n";
  }
  std::cout.flush();
  return bad ? 1 : 0;
}

int eval(const std::filesystem::path& config_file, const std::filesystem::path& set, bool list_errors) {
  auto config = load_or_report(config_file, config::Secrets::skip);
  if (!config) return 2;
  std::ifstream in(set);
  if (!in) {
    std::cerr << "ファイルを読めません / cannot read " << set << "\n";
    return 2;
  }
  std::string error;
  auto messages = triage::read_labelled(in, error);
  if (!messages) {
    std::cerr << set.string() << ": " << error << "\n";
    return 2;
  }
  const triage::Classifier classifier(config->triage.rules);
  const auto e = triage::evaluate(classifier, *messages);
  std::cout << triage::format_evaluation(e, list_errors);
  const bool met = e.levels[triage::kEmergency].recall() >= 0.98 && e.emergency_false_positive_rate <= 0.10 &&
                   e.serious_recall >= 0.95 && e.consistent_groups == e.variant_groups;
  std::cout << (met ? "targets met\n" : "targets missed\n");
  return met ? 0 : 1;
}

int calendar(const std::filesystem::path& config_file, const std::optional<std::string>& tenant_option,
             const std::string& window, const std::string& from, const std::string& to) {
  auto config = load_or_report(config_file, config::Secrets::skip);
  if (!config) return 2;
  const auto* tenant = tenant_or_report(*config, tenant_option);
  if (!tenant) return 2;
  const auto& windows = tenant->windows;
  if (std::find(windows.begin(), windows.end(), window) == windows.end()) {
    std::cerr << "窓口がありません / no such window: " << window << "\n";
    return 2;
  }
  auto first = triage::parse_date(from), last = triage::parse_date(to);
  if (!first || !last || std::chrono::sys_days(*last) < std::chrono::sys_days(*first) ||
      std::chrono::sys_days(*last) - std::chrono::sys_days(*first) > std::chrono::days(3660)) {
    std::cerr << "--from と --to は YYYY-MM-DD、10年以内 / --from and --to must be YYYY-MM-DD, at most 10 years apart\n";
    return 2;
  }
  const triage::Assessor assessor(*config);
  const auto cal = assessor.calendar_or_default(tenant->id, window);
  for (auto d = std::chrono::sys_days(*first); d <= std::chrono::sys_days(*last); d += std::chrono::days(1)) {
    const std::chrono::year_month_day day(d);
    std::cout << triage::describe_day(day, cal.day(day)) << "\n";
  }
  return 0;
}

}  // namespace madoguchi::app
