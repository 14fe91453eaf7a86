#include "gateway/triage/assessor.hpp"

namespace madoguchi::triage {
namespace {

std::vector<TimeRange> ranges(const std::vector<config::TimeRangeConfig>& in) {
  std::vector<TimeRange> out;
  for (const auto& r : in) out.push_back({r.start_min, r.end_min});
  return out;
}

WindowHours hours_of(const config::WindowHoursConfig& w) {
  WindowHours h;
  for (std::size_t d = 0; d < 7; ++d) h.weekly[d] = ranges(w.weekly[d]);
  h.closed_on_holidays = w.closed_on_holidays;
  h.year_end_closure = w.year_end_closure;
  h.extra_closures = w.closures;
  for (const auto& [day, r] : w.openings) h.extra_openings[day] = ranges(r);
  return h;
}

void replace_all(std::string& s, std::string_view from, const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

}  // namespace

Assessor::Assessor(const config::Config& config) : classifier_(config.triage.rules) {
  for (const auto& t : config.triage.tenants) tenants_[t.tenant] = t;
  corrections_.added = config.triage.holidays_added;
  corrections_.removed.insert(config.triage.holidays_removed.begin(), config.triage.holidays_removed.end());
  for (const auto& w : config.triage.hours)
    calendars_[{w.tenant, w.window}] = std::make_unique<Calendar>(hours_of(w), corrections_);
}

const config::TriageTenantConfig* Assessor::tenant(const std::string& id) const {
  auto it = tenants_.find(id);
  return it == tenants_.end() ? nullptr : &it->second;
}

const Calendar* Assessor::calendar(const std::string& tenant, const std::string& window) const {
  auto it = calendars_.find({tenant, window});
  return it == calendars_.end() ? nullptr : it->second.get();
}

Calendar Assessor::calendar_or_default(const std::string& tenant, const std::string& window) const {
  if (const auto* c = calendar(tenant, window)) return *c;
  WindowHours always;
  for (auto& day : always.weekly) day = {{0, 24 * 60}};
  always.closed_on_holidays = false;
  always.year_end_closure = false;
  return Calendar(always, corrections_);
}

Assessment Assessor::assess(const std::string& tenant_id, std::string_view text, std::string_view channel,
                            std::int64_t at_ms, const std::string& window) const {
  Assessment a;
  a.decision = classifier_.classify(text);
  const auto* t = tenant(tenant_id);
  if (!window.empty()) a.route = {window, "already assigned"};
  else if (t) a.route = choose_window(*t, a.decision, channel, classifier_);
  if (const auto* c = calendar(tenant_id, a.route.window)) {
    a.open = c->is_open(at_ms);
    if (!a.open) {
      a.next_opening = c->next_opening(at_ms);
      a.closed_since = c->closed_since(at_ms);
    }
  }
  return a;
}

std::string hotlines_text(const config::TriageTenantConfig& tenant) {
  std::string hotlines;
  for (const auto& h : tenant.hotlines)
    hotlines += "・" + h.name + " " + h.number + (h.hours.empty() ? "" : "（" + h.hours + "）") + "\n";
  if (!hotlines.empty()) hotlines.pop_back();
  return hotlines;
}

std::string fill_reply(const std::string& text, const config::TriageTenantConfig& tenant,
                       std::optional<std::int64_t> next_opening) {
  const auto hotlines = hotlines_text(tenant);
  std::string out = text;
  replace_all(out, "{next_opening}", next_opening ? format_next_opening(*next_opening) : std::string("次の開所日"));
  replace_all(out, "{hotlines}", hotlines);
  return out;
}

}  // namespace madoguchi::triage
