#pragma once
// Everything triage decides about one inbound message, the same for the running gateway and
// the `triage` command: classify the text, choose the window (unless the conversation already
// has one), and whether that window is open at the message's time. Immutable after
// construction; shared by every thread.
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "gateway/triage/calendar.hpp"
#include "gateway/triage/classifier.hpp"
#include "gateway/triage/routing.hpp"

namespace madoguchi::triage {

struct Assessment {
  Decision decision;
  RouteChoice route;
  bool open = true;                          // the window is open at the message's time
  std::optional<std::int64_t> next_opening;  // unix ms, when closed
  std::optional<std::int64_t> closed_since;  // unix ms, identifies the closed period
};

class Assessor {
 public:
  explicit Assessor(const config::Config& config);

  // `window`: the conversation's window when it was already routed or transferred ("" = route now).
  Assessment assess(const std::string& tenant, std::string_view text, std::string_view channel, std::int64_t at_ms,
                    const std::string& window = {}) const;
  const Classifier& classifier() const { return classifier_; }
  const config::TriageTenantConfig* tenant(const std::string& id) const;
  // nullptr when the window has no configured hours (always open).
  const Calendar* calendar(const std::string& tenant, const std::string& window) const;
  // A calendar for the `calendar` command even without configured hours (national holidays shown).
  Calendar calendar_or_default(const std::string& tenant, const std::string& window) const;

 private:
  Classifier classifier_;
  std::map<std::string, config::TriageTenantConfig> tenants_;
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Calendar>> calendars_;
  HolidayCorrections corrections_;
};

// The tenant's 24-hour numbers, one "・name number（hours）" per line.
std::string hotlines_text(const config::TriageTenantConfig& tenant);
// "{next_opening}" and "{hotlines}" filled in: the text of an automatic reply.
std::string fill_reply(const std::string& text, const config::TriageTenantConfig& tenant,
                       std::optional<std::int64_t> next_opening);

}  // namespace madoguchi::triage
