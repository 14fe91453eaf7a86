#pragma once
// The console's view of the store: the urgency-ordered queue, one conversation with its
// case fields, its inbound messages (sealed), the case record entries, and the changes
// counselors make. Content stays sealed here. Not thread-safe: one owner thread.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"
#include "store/records.hpp"

namespace madoguchi::store {

struct CaseFields {
  std::string writer, age_band;
  std::string household;  // the household link (Keyring::household_link), never the number
  std::string consent;
  std::string household_key_id;  // the number, sealed ("" / empty: none)
  Blob household_sealed;
};

// A household number still in clear (written before migration 6).
struct ClearHousehold {
  std::int64_t id = 0;
  std::string tenant_id, household;
};

struct ConversationRow {
  std::int64_t id = 0;
  std::string tenant_id, channel, account, contact_label;
  std::int64_t window_id = 0;
  std::string window_name;
  int urgency = 2;  // 0 緊急 … 3 情報提供
  std::string state, assignee;
  std::optional<std::int64_t> waiting_since_ms;
  std::int64_t last_message_ms = 0, created_at_ms = 0;
  CaseFields fields;
  std::string tags_json = "[]";  // topic tags from triage
  std::int64_t read_at_ms = 0;    // when staff last opened its messages
};

struct QueueFilter {
  std::string tenant_id;
  std::vector<std::int64_t> window_ids;  // empty: every window of the tenant
  std::string state;                     // "open", "closed", "" = both
  std::optional<int> urgency;
  std::string assignee;                  // "" = anyone
  int limit = 500;
  // Search: a pseudonym's beginning ("7F3A", upper case, base32 and '-' only), a tag, and
  // a period the conversation was active in (created before its end, a message after its
  // start).
  std::string contact_prefix, tag;
  std::optional<std::int64_t> active_from_ms, active_until_ms;
};

struct InboundRow {
  std::string id, channel, event_type, message_type, key_id;
  std::int64_t received_at_ms = 0, provider_ts_ms = 0;
  Blob body;
  bool hidden = false;
  bool has_media = false;  // a fetch_media job was queued (content the channel holds for us)
};

struct CaseEntryRow {
  std::string id, tenant_id, kind, author, detail;  // detail: JSON, codes only
  std::int64_t conversation_id = 0, created_at_ms = 0;
  std::string key_id;  // "" when there is no text
  Blob body;           // sealed text
};

class CaseStore {
 public:
  explicit CaseStore(Database& db) : db_(db) {}

  // Ordered by urgency, then the longest waiting (nothing waiting last), then recency.
  [[nodiscard]] result<std::vector<ConversationRow>> queue(const QueueFilter& filter);
  [[nodiscard]] result<std::optional<ConversationRow>> conversation(const std::string& tenant_id, std::int64_t id);
  [[nodiscard]] result<std::vector<ConversationRow>> household(const std::string& tenant_id, const std::string& household);
  // Message events of the conversation, oldest first (follow/unfollow and the like are left out).
  [[nodiscard]] result<std::vector<InboundRow>> inbound(std::int64_t conversation_id);
  // The newest of those (the queue's preview), nullopt when there is none.
  [[nodiscard]] result<std::optional<InboundRow>> last_inbound(std::int64_t conversation_id);
  [[nodiscard]] result<std::vector<CaseEntryRow>> entries(std::int64_t conversation_id);

  // Each change bumps updated_at_ms; inside the caller's transaction.
  [[nodiscard]] result<void> add_entry(const CaseEntryRow& entry, const DataKeyRecord* key);
  [[nodiscard]] result<std::vector<ClearHousehold>> clear_households();
  [[nodiscard]] result<void> set_assignee(std::int64_t id, const std::string& assignee, std::int64_t now_ms);
  [[nodiscard]] result<void> set_window(std::int64_t id, std::int64_t window_id, std::int64_t now_ms);
  [[nodiscard]] result<void> set_urgency(std::int64_t id, int urgency, std::int64_t now_ms);
  // `key`: the data key the household number is sealed under, inserted if new (or null).
  [[nodiscard]] result<void> set_fields(std::int64_t id, const CaseFields& fields, std::int64_t now_ms,
                                        const DataKeyRecord* key = nullptr);
  [[nodiscard]] result<void> set_state(std::int64_t id, const std::string& state, std::int64_t now_ms);
  [[nodiscard]] result<void> mark_read(std::int64_t id, std::int64_t now_ms);
  // A staff reply answers everything waiting.
  [[nodiscard]] result<void> mark_answered(std::int64_t id, std::int64_t now_ms);

 private:
  [[nodiscard]] result<std::vector<ConversationRow>> select(Statement& s);
  [[nodiscard]] result<void> update(const char* sql, std::int64_t id, std::int64_t now_ms);
  Database& db_;
};

}  // namespace madoguchi::store
