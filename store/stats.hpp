#pragma once
// Counts without any content, for `madoguchi stats` and the reports municipalities file.
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "store/database.hpp"

namespace madoguchi::store {

struct Stats {
  // (channel, event_type[/message_type]) → count, e.g. ("line", "message/text")
  std::map<std::pair<std::string, std::string>, std::int64_t> events;
  std::int64_t conversations = 0;
  std::int64_t contacts = 0;
  std::int64_t duplicates_refused = 0;
  std::int64_t signature_failures = 0;
  std::map<std::string, std::int64_t> jobs_by_state;
};

[[nodiscard]] result<Stats> compute_stats(Database& db);

}  // namespace madoguchi::store
