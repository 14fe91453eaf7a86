#pragma once
// The outbox's rows: outbound messages with their delivery status, and what a delivery
// needs from the conversation (sealed thread id, reachability). Content stays sealed
// here; the outbox worker opens it just before sending. Not thread-safe: one owner thread.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/clock.hpp"
#include "gateway/core/delivery_feed.hpp"
#include "store/database.hpp"
#include "store/records.hpp"

namespace madoguchi::store {

inline constexpr const char* kDeliverJob = "deliver";

// Delivery status as counselors see it.
inline constexpr const char* kQueued = delivery::kQueued;
inline constexpr const char* kSending = delivery::kSending;
inline constexpr const char* kDelivered = delivery::kDelivered;
inline constexpr const char* kFailed = delivery::kFailed;

// What happened to the reply token of `in_reply_to` (reply API, single use).
enum class ReplyState : int {
  unused = 0,     // never tried
  uncertain = 1,  // a request was sent and its outcome is unknown: the provider may have used it
  refused = 2,    // tried and certainly not used (e.g. 429): may be tried again in time
  abandoned = 3,  // not usable any more: push instead
};

struct NewOutbound {
  std::string id;  // random record id (also in the body's associated data)
  std::string tenant_id;
  std::int64_t conversation_id = 0;
  std::string origin;       // "counselor" or "auto"
  std::string author;       // staff user name or automatic rule name
  std::string in_reply_to;  // inbound messages.id whose reply token may be used; may be empty
  std::string key_id;
  Blob body;  // sealed {"v":1,"text":…}
  std::vector<std::string> retry_keys;  // one per provider request
  int max_attempts = 8;
};

struct OutboundRow {
  std::string id, tenant_id, origin, author, in_reply_to, key_id;
  std::int64_t conversation_id = 0;
  Blob body;
  std::vector<std::string> retry_keys;
  int requests_done = 0;
  ReplyState reply_state = ReplyState::unused;
  std::string status, method, error_code, reason;
  int attempts = 0;
  std::int64_t created_at_ms = 0, updated_at_ms = 0, delivered_at_ms = 0;
};

struct DeliveryTarget {
  std::string tenant_id;
  std::int64_t account_id = 0;
  std::string channel, account;  // channel_accounts.channel / .name
  std::string key_id;
  Blob thread_pseudonym, sealed_thread_id;
  bool reachable = true;  // false after an unfollow (ブロック)
};

struct InboundRef {
  std::string tenant_id, key_id;
  Blob body;
  std::int64_t received_at_ms = 0;
};

// One line of `madoguchi outbox list`: no content.
struct OutboxJobRow {
  std::int64_t job_id = 0;
  std::string kind, job_state, message_id, status, last_error;
  std::int64_t conversation_id = 0;
  int attempts = 0, max_attempts = 0;
  std::int64_t run_at_ms = 0, updated_at_ms = 0;
};

class OutboxStore {
 public:
  OutboxStore(Database& db, const Clock& clock);

  // The outbound row and its deliver job; inside the caller's transaction.
  [[nodiscard]] result<void> insert(const NewOutbound& message, const DataKeyRecord& key);
  [[nodiscard]] result<std::optional<OutboundRow>> find(const std::string& id);
  [[nodiscard]] result<std::vector<OutboundRow>> by_conversation(std::int64_t conversation_id);
  [[nodiscard]] result<std::optional<DeliveryTarget>> target(std::int64_t conversation_id);
  [[nodiscard]] result<std::optional<InboundRef>> inbound(const std::string& message_id);
  // The id of the conversation's latest received message ("" when none).
  [[nodiscard]] result<std::string> latest_inbound(std::int64_t conversation_id);

  [[nodiscard]] result<void> set_status(const std::string& id, const std::string& status, const std::string& method,
                          const std::string& code, const std::string& reason, bool count_attempt);
  [[nodiscard]] result<void> set_reply_state(const std::string& id, ReplyState state);
  [[nodiscard]] result<void> set_requests_done(const std::string& id, int done);

  // Admin: outbox jobs by job state ("" = every unfinished or dead job).
  [[nodiscard]] result<std::vector<OutboxJobRow>> list(const std::string& job_state);
  // A dead or waiting job runs again now with fresh attempts (same retry keys).
  [[nodiscard]] result<bool> retry(std::int64_t job_id);
  // A job that has not been delivered stops; its message is marked failed (取り消し).
  [[nodiscard]] result<bool> cancel(std::int64_t job_id);

 private:
  Database& db_;
  const Clock& clock_;
};

}  // namespace madoguchi::store
