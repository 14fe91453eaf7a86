// The [triage] section and rules files: what a valid one becomes, and every mistake reported
// with its key (hours, dates, windows, routes, lexicons, urgency labels, syntax).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "config/config.hpp"

namespace madoguchi::config {
namespace {

const std::string kBase =
    "[server]\nlisten = \"127.0.0.1:0\"\n[store]\ndata_dir = \"/tmp/x\"\n"
    "[[tenants]]\nid = \"t\"\nname = \"市\"\nkey_passphrase = { env = \"P\" }\n"
    "windows = [\"総合窓口\", \"若者窓口\"]\n"
    "";

std::variant<Config, std::vector<ConfigError>> parse(const std::string& extra, const std::filesystem::path& source = "t.toml") {
  return parse_config(kBase + extra, source, [](const std::string&) { return std::optional<std::string>("secret-value-0123456789"); }, {});
}

std::vector<ConfigError> errors_of(const std::string& extra) {
  auto r = parse(extra);
  auto* e = std::get_if<std::vector<ConfigError>>(&r);
  return e ? *e : std::vector<ConfigError>{};
}

bool has(const std::vector<ConfigError>& errors, const std::string& key, const std::string& part = "") {
  for (const auto& e : errors)
    if (e.key == key && e.reason.find(part) != std::string::npos) return true;
  return false;
}

TEST(TriageConfig, AValidSectionBecomesHoursRoutesAndReplies) {
  auto r = parse(R"(
[triage]
holidays_added = [{ date = "2027-01-12", name = "臨時の祝日" }]
holidays_removed = ["2027-11-23"]
[[triage.windows]]
name = "総合窓口"
weekdays = "8:30-12:00,13:00-17:15"
sat = "9:00-12:00"
closures = [{ date = "2026-12-10", reason = "庁舎点検" }]
openings = [{ date = "2026-12-13", hours = "9:00-12:00" }]
[[triage.tenants]]
hotlines = [{ name = "夜間相談", number = "0120-111-222" }]
[[triage.tenants.routes]]
window = "若者窓口"
max_age = 39
writers = ["本人", "家族"]
)");
  ASSERT_TRUE(std::holds_alternative<Config>(r));
  const auto& t = std::get<Config>(r).triage;
  ASSERT_EQ(t.hours.size(), 1u);
  EXPECT_EQ(t.hours[0].weekly[1].size(), 2u);  // Monday: two ranges
  EXPECT_EQ(t.hours[0].weekly[1][1].end_min, 17 * 60 + 15);
  EXPECT_EQ(t.hours[0].weekly[6][0].start_min, 9 * 60);  // Saturday
  EXPECT_TRUE(t.hours[0].weekly[0].empty());           // Sunday closed
  EXPECT_EQ(t.hours[0].closures.size(), 1u);
  EXPECT_EQ(t.hours[0].openings.size(), 1u);
  EXPECT_EQ(t.holidays_added.size(), 1u);
  EXPECT_EQ(t.holidays_removed.size(), 1u);
  ASSERT_EQ(t.tenants.size(), 1u);
  EXPECT_EQ(t.tenants[0].general_window, "総合窓口");  // the first window by default
  EXPECT_EQ(t.tenants[0].routes.at(0).max_age, 39);
  EXPECT_EQ(t.tenants[0].hotlines.at(0).number, "0120-111-222");
  EXPECT_FALSE(t.rules.rules.empty());  // the built-in rules
}

TEST(TriageConfig, EveryMistakeHasItsKey) {
  auto errors = errors_of(R"(
[triage]
poll_ms = 0
speed = 1
holidays_removed = ["2027-02-30"]
[[triage.windows]]
name = "ない窓口"
weekdays = "17:00-08:00"
mon = "8:3-9:00"
closures = [{ date = "2026/12/10" }]
openings = [{ date = "2026-12-13" }]
[[triage.tenants]]
tenant = "nobody"
[[triage.tenants.routes]]
window = "ない窓口"
writers = ["近所の人"]
max_age = 300
)");
  EXPECT_TRUE(has(errors, "triage.poll_ms"));
  EXPECT_TRUE(has(errors, "triage.speed", "unknown key"));
  EXPECT_TRUE(has(errors, "triage.holidays_removed"));
  EXPECT_TRUE(has(errors, "triage.windows[0].name", "not a window"));
  EXPECT_TRUE(has(errors, "triage.windows[0].weekdays"));
  EXPECT_TRUE(has(errors, "triage.windows[0].mon"));
  EXPECT_TRUE(has(errors, "triage.windows[0].closures[0].date"));
  EXPECT_TRUE(has(errors, "triage.windows[0].openings[0].hours", "required"));
  EXPECT_TRUE(has(errors, "triage.tenants[0].tenant", "nobody"));
  EXPECT_TRUE(has(errors, "triage.tenants[0].routes[0].writers"));
  EXPECT_TRUE(has(errors, "triage.tenants[0].routes[0].max_age"));
}

TEST(TriageConfig, ARulesFileIsValidatedAsAWhole) {
  char pattern[] = "/tmp/madoguchi-rules-XXXXXX";
  const std::filesystem::path dir = mkdtemp(pattern);
  std::ofstream(dir / "rules.toml") << R"(
idioms = [""]
[lexicons]
danger = ["危ない"]
[[rules]]
id = "r1"
urgency = "最高"
all = ["danger", "missing"]
[[rules]]
id = "r1"
any = ["danger"]
)";
  std::ofstream(dir / "broken.toml") << "[lexicons\n";
  auto errors = errors_of("[triage]\nrules_file = \"" + (dir / "rules.toml").string() + "\"\n");
  EXPECT_TRUE(has(errors, "triage.rules.idioms[0]"));
  EXPECT_TRUE(has(errors, "triage.rules.rules[0].urgency", "緊急"));
  EXPECT_TRUE(has(errors, "triage.rules.rules[0]", "unknown lexicon missing"));
  EXPECT_TRUE(has(errors, "triage.rules.rules[1].id", "duplicate"));
  auto syntax = errors_of("[triage]\nrules_file = \"" + (dir / "broken.toml").string() + "\"\n");
  EXPECT_TRUE(has(syntax, "triage.rules_file", "line 1"));
  auto missing = errors_of("[triage]\nrules_file = \"/nonexistent/rules.toml\"\n");
  EXPECT_TRUE(has(missing, "triage.rules_file", "cannot read"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace madoguchi::config
