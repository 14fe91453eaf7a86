#pragma once
// What the triage worker reads and writes on a conversation: its window, sticky urgency,
// topic tags, whether it was routed, and which automatic replies it already got (the first
// reply once; one after-hours and one emergency reply per closed period, counted over all
// the conversations of the same contact). One owner thread.
#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace madoguchi::store {

struct TriageState {
  std::string tenant_id, channel, window_name, tags_json, state;
  std::int64_t window_id = 0;
  int urgency = 2;  // a placeholder until `triaged`
  bool routed = false, first_reply_queued = false, triaged = false;
  // The latest closed periods the contact (any of its conversations) got those replies in.
  std::optional<std::int64_t> after_hours_period, emergency_period;
};

struct TriageUpdate {
  int urgency = 2;
  std::string tags_json;
  std::optional<std::int64_t> window_id;  // set when the conversation is routed now
  std::optional<std::int64_t> after_hours_period, emergency_period;  // set when such a reply went out now
  bool first_reply_queued = false;
};

class TriageStore {
 public:
  explicit TriageStore(Database& db) : db_(db) {}
  [[nodiscard]] result<std::optional<TriageState>> state(std::int64_t conversation_id);
  [[nodiscard]] result<std::optional<std::int64_t>> window_id(const std::string& tenant_id, const std::string& name);
  [[nodiscard]] result<void> apply(std::int64_t conversation_id, const TriageUpdate& update, std::int64_t now_ms);

 private:
  Database& db_;
};

}  // namespace madoguchi::store
