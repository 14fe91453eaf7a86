// The [triage] section: the rules file, official holiday corrections, each window's hours
// ([[triage.windows]]) and each tenant's routing and automatic replies ([[triage.tenants]]).
#include <charconv>
#include <set>

#include "config/reader.hpp"

namespace madoguchi::config::detail {

void load_triage_rules(Reader& r, const std::filesystem::path& file, TriageRulesConfig& out);
std::optional<int> urgency_from_label(std::string_view label);

namespace {

std::optional<int> number(std::string_view s) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<std::chrono::year_month_day> parse_config_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto y = number(s.substr(0, 4)), m = number(s.substr(5, 2)), d = number(s.substr(8, 2));
  if (!y || !m || !d) return std::nullopt;
  std::chrono::year_month_day day{std::chrono::year(*y), std::chrono::month(static_cast<unsigned>(*m)),
                                  std::chrono::day(static_cast<unsigned>(*d))};
  if (!day.ok()) return std::nullopt;
  return day;
}

// "8:30-17:15" or "8:30-12:00,13:00-17:15"; "" = closed. nullopt when malformed.
std::optional<std::vector<TimeRangeConfig>> parse_config_hours(std::string_view s) {
  std::vector<TimeRangeConfig> out;
  auto minutes = [](std::string_view t) -> std::optional<int> {
    const auto colon = t.find(':');
    if (colon == std::string_view::npos || t.size() - colon != 3) return std::nullopt;
    auto h = number(t.substr(0, colon)), m = number(t.substr(colon + 1));
    if (!h || !m || colon > 2 || *h > 24 || *m > 59 || (*h == 24 && *m != 0)) return std::nullopt;
    return *h * 60 + *m;
  };
  while (!s.empty()) {
    const auto comma = s.find(',');
    auto part = s.substr(0, comma);
    s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
    const auto dash = part.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto from = minutes(part.substr(0, dash)), to = minutes(part.substr(dash + 1));
    if (!from || !to || *to <= *from) return std::nullopt;
    if (!out.empty() && *from < out.back().end_min) return std::nullopt;  // in order, not overlapping
    out.push_back({*from, *to});
  }
  return out;
}

namespace {

const TenantConfig* find_tenant(const Config& c, const std::string& id) {
  for (const auto& t : c.tenants)
    if (t.id == id) return &t;
  return nullptr;
}

bool has_window(const TenantConfig& t, const std::string& name) {
  for (const auto& w : t.windows)
    if (w == name) return true;
  return false;
}

void read_hours(Reader& r, const toml::table& triage, Config& c) {
  static constexpr const char* days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  std::set<std::pair<std::string, std::string>> seen;
  each_table(r, triage, "windows", [&](const toml::table& t, const std::string& short_key) {
    const auto key = "triage." + short_key;
    r.only_keys(t, key, {"tenant", "name", "weekdays", "sun", "mon", "tue", "wed", "thu", "fri", "sat",
                         "closed_on_holidays", "year_end_closure", "closures", "openings"});
    WindowHoursConfig w;
    w.tenant = c.tenants.empty() ? std::string() : c.tenants.front().id;
    if (auto v = r.string(t.get("tenant"), key + ".tenant", false)) w.tenant = *v;
    const auto* tenant = find_tenant(c, w.tenant);
    if (!tenant) r.error(key + ".tenant", "no tenant with id " + w.tenant);
    if (auto v = r.string(t.get("name"), key + ".name", true)) {
      w.window = *v;
      if (tenant && !has_window(*tenant, w.window)) r.error(key + ".name", "not a window of tenant " + w.tenant);
      if (!seen.insert({w.tenant, w.window}).second) r.error(key + ".name", "hours given twice for " + w.window);
    }
    auto hours = [&](const toml::node* node, const std::string& k) -> std::vector<TimeRangeConfig> {
      auto text = r.string(node, k, false);
      if (!text) return {};
      auto parsed = parse_config_hours(*text);
      if (!parsed) r.error(k, "must be like \"8:30-17:15\" or \"8:30-12:00,13:00-17:15\" (\"\" = closed)");
      return parsed.value_or(std::vector<TimeRangeConfig>{});
    };
    const auto weekdays = hours(t.get("weekdays"), key + ".weekdays");
    for (int d = 1; d <= 5; ++d) w.weekly[static_cast<std::size_t>(d)] = weekdays;
    for (int d = 0; d < 7; ++d)
      if (t.get(days[d])) w.weekly[static_cast<std::size_t>(d)] = hours(t.get(days[d]), key + "." + days[d]);
    w.closed_on_holidays = r.boolean(t.get("closed_on_holidays"), key + ".closed_on_holidays", true);
    w.year_end_closure = r.boolean(t.get("year_end_closure"), key + ".year_end_closure", true);
    each_table(r, t, "closures", [&](const toml::table& e, const std::string& k2) {
      const auto k = key + "." + k2;
      r.only_keys(e, k, {"date", "reason"});
      auto date = r.string(e.get("date"), k + ".date", true);
      auto reason = r.string(e.get("reason"), k + ".reason", false);
      auto day = date ? parse_config_date(*date) : std::nullopt;
      if (date && !day) r.error(k + ".date", "must be a date like 2026-12-10");
      if (day) w.closures[*day] = reason.value_or("臨時休業");
    });
    each_table(r, t, "openings", [&](const toml::table& e, const std::string& k2) {
      const auto k = key + "." + k2;
      r.only_keys(e, k, {"date", "hours"});
      auto date = r.string(e.get("date"), k + ".date", true);
      auto day = date ? parse_config_date(*date) : std::nullopt;
      if (date && !day) r.error(k + ".date", "must be a date like 2026-12-12");
      auto h = hours(e.get("hours"), k + ".hours");
      if (h.empty()) r.error(k + ".hours", "required: the hours of the extra opening");
      if (day) w.openings[*day] = h;
    });
    c.triage.hours.push_back(std::move(w));
  });
}

void read_routes(Reader& r, const toml::table& t, const std::string& key, const TenantConfig* tenant,
                 TriageTenantConfig& out) {
  static const std::set<std::string> writers{"本人", "家族", "支援機関", "その他"};
  each_table(r, t, "routes", [&](const toml::table& e, const std::string& k2) {
    const auto k = key + "." + k2;
    r.only_keys(e, k, {"window", "tags", "writers", "channels", "areas", "min_age", "max_age"});
    RouteConfig route;
    if (auto v = r.string(e.get("window"), k + ".window", true)) {
      route.window = *v;
      if (tenant && !has_window(*tenant, route.window)) r.error(k + ".window", "not a window of tenant " + tenant->id);
    }
    route.tags = r.strings(e.get("tags"), k + ".tags");
    route.writers = r.strings(e.get("writers"), k + ".writers");
    for (const auto& w : route.writers)
      if (!writers.count(w)) r.error(k + ".writers", "must be 本人, 家族, 支援機関 or その他");
    route.channels = r.strings(e.get("channels"), k + ".channels");
    route.areas = r.strings(e.get("areas"), k + ".areas");
    if (e.get("min_age")) route.min_age = static_cast<int>(r.integer(e.get("min_age"), k + ".min_age", 0, 0, 130));
    if (e.get("max_age")) route.max_age = static_cast<int>(r.integer(e.get("max_age"), k + ".max_age", 130, 0, 130));
    out.routes.push_back(std::move(route));
  });
}

void read_tenants(Reader& r, const toml::table& triage, Config& c) {
  std::set<std::string> seen;
  each_table(r, triage, "tenants", [&](const toml::table& t, const std::string& short_key) {
    const auto key = "triage." + short_key;
    r.only_keys(t, key, {"tenant", "general_window", "routes", "areas", "after_hours_reply", "emergency_reply", "hotlines"});
    TriageTenantConfig out;
    out.tenant = c.tenants.empty() ? std::string() : c.tenants.front().id;
    if (auto v = r.string(t.get("tenant"), key + ".tenant", false)) out.tenant = *v;
    const auto* tenant = find_tenant(c, out.tenant);
    if (!tenant) r.error(key + ".tenant", "no tenant with id " + out.tenant);
    if (!seen.insert(out.tenant).second) r.error(key + ".tenant", "triage given twice for tenant " + out.tenant);
    if (auto v = r.string(t.get("general_window"), key + ".general_window", false)) {
      out.general_window = *v;
      if (tenant && !has_window(*tenant, *v)) r.error(key + ".general_window", "not a window of tenant " + out.tenant);
    }
    out.areas = r.strings(t.get("areas"), key + ".areas");
    if (auto v = r.string(t.get("after_hours_reply"), key + ".after_hours_reply", false)) out.after_hours_reply = *v;
    if (auto v = r.string(t.get("emergency_reply"), key + ".emergency_reply", false)) out.emergency_reply = *v;
    if (t.get("hotlines")) out.hotlines.clear();
    each_table(r, t, "hotlines", [&](const toml::table& e, const std::string& k2) {
      const auto k = key + "." + k2;
      r.only_keys(e, k, {"name", "number", "hours"});
      HotlineConfig h;
      if (auto v = r.string(e.get("name"), k + ".name", true)) h.name = *v;
      if (auto v = r.string(e.get("number"), k + ".number", true)) h.number = *v;
      if (auto v = r.string(e.get("hours"), k + ".hours", false)) h.hours = *v;
      out.hotlines.push_back(std::move(h));
    });
    read_routes(r, t, key, tenant, out);
    c.triage.tenants.push_back(std::move(out));
  });
  // Every tenant gets triage settings; the general window defaults to its first window.
  for (const auto& tenant : c.tenants) {
    if (!seen.count(tenant.id)) {
      TriageTenantConfig defaults;
      defaults.tenant = tenant.id;
      c.triage.tenants.push_back(std::move(defaults));
    }
  }
  for (auto& t : c.triage.tenants)
    if (const auto* tenant = find_tenant(c, t.tenant); tenant && t.general_window.empty() && !tenant->windows.empty())
      t.general_window = tenant->windows.front();
}

}  // namespace

void read_triage(Reader& r, const toml::table& root, Config& c) {
  auto& o = c.triage;
  const auto* t = r.table(root, "triage", "triage");
  if (t) {
    r.only_keys(*t, "triage", {"rules_file", "poll_ms", "lease_seconds", "holidays_added", "holidays_removed",
                               "windows", "tenants"});
    if (auto v = r.string(t->get("rules_file"), "triage.rules_file", false)) {
      o.rules_file = *v;
      if (o.rules_file.is_relative()) o.rules_file = c.source.parent_path() / o.rules_file;
    }
    o.poll_ms = static_cast<int>(r.integer(t->get("poll_ms"), "triage.poll_ms", o.poll_ms, 10, 60000));
    o.lease_s = static_cast<int>(r.integer(t->get("lease_seconds"), "triage.lease_seconds", o.lease_s, 5, 3600));
    each_table(r, *t, "holidays_added", [&](const toml::table& e, const std::string& k2) {
      const auto k = "triage." + k2;
      r.only_keys(e, k, {"date", "name"});
      auto date = r.string(e.get("date"), k + ".date", true);
      auto name = r.string(e.get("name"), k + ".name", true);
      auto day = date ? parse_config_date(*date) : std::nullopt;
      if (date && !day) r.error(k + ".date", "must be a date like 2027-01-11");
      if (day && name) o.holidays_added[*day] = *name;
    });
    for (const auto& d : r.strings(t->get("holidays_removed"), "triage.holidays_removed")) {
      if (auto day = parse_config_date(d)) o.holidays_removed.push_back(*day);
      else r.error("triage.holidays_removed", d + " is not a date like 2027-01-11");
    }
    read_hours(r, *t, c);
  }
  if (t) read_tenants(r, *t, c);
  else read_tenants(r, toml::table{}, c);
  load_triage_rules(r, o.rules_file, o.rules);
}

}  // namespace madoguchi::config::detail
