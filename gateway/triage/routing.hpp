#pragma once
// Which window a conversation goes to: the tenant's routes in order (tags, who is writing,
// age of the person concerned, channel, areas named in the text), else the general window —
// nobody is turned away. Pure.
#include <string>
#include <string_view>

#include "config/triage_config.hpp"
#include "gateway/triage/classifier.hpp"

namespace madoguchi::triage {

struct RouteChoice {
  std::string window;
  std::string why;  // "route 2: 8050" or "general window" (codes and configured words only)
};

RouteChoice choose_window(const config::TriageTenantConfig& tenant, const Decision& decision, std::string_view channel,
                          const Classifier& classifier);

}  // namespace madoguchi::triage
