#include "gateway/triage/routing.hpp"

#include <algorithm>

namespace madoguchi::triage {
namespace {

bool contains(const std::vector<std::string>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

RouteChoice choose_window(const config::TriageTenantConfig& tenant, const Decision& d, std::string_view channel,
                          const Classifier& classifier) {
  for (std::size_t i = 0; i < tenant.routes.size(); ++i) {
    const auto& r = tenant.routes[i];
    std::string why;
    auto note = [&](std::string_view what) { why += why.empty() ? std::string(what) : "・" + std::string(what); };
    if (!r.tags.empty()) {
      auto tag = std::find_if(r.tags.begin(), r.tags.end(), [&](const std::string& t) { return contains(d.tags, t); });
      if (tag == r.tags.end()) continue;
      note(*tag);
    }
    if (!r.writers.empty()) {
      if (!contains(r.writers, d.writer)) continue;
      note(d.writer);
    }
    if (r.min_age || r.max_age) {
      if (!d.age || (r.min_age && *d.age < *r.min_age) || (r.max_age && *d.age > *r.max_age)) continue;
      note(std::to_string(*d.age) + "歳");
    }
    if (!r.channels.empty()) {
      if (!contains(r.channels, channel)) continue;
      note(channel);
    }
    if (!r.areas.empty()) {
      auto area = std::find_if(r.areas.begin(), r.areas.end(), [&](const std::string& a) {
        return classifier.mentions(d, a);
      });
      if (area == r.areas.end()) continue;
      note(*area);
    }
    return {r.window, "route " + std::to_string(i + 1) + (why.empty() ? "" : ": " + why)};
  }
  return {tenant.general_window, "general window"};
}

}  // namespace madoguchi::triage
