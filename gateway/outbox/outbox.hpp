#pragma once
// The outbox's entry point: the console (and automatic rules) queue a reply here and read
// its delivery status. A reply is committed as an outbound row plus a deliver job before
// this returns; the worker then sends it. Thread-safe: calls are serialised on the outbox's
// own connection and block for one short transaction.
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/clock.hpp"
#include "gateway/outbox/senders.hpp"
#include "crypto/keyring.hpp"
#include "store/database.hpp"
#include "store/outbox_store.hpp"

namespace madoguchi::outbox {

struct ReplyRequest {
  std::string tenant_id;  // the caller's tenant: a conversation of another tenant is not_found
  std::int64_t conversation_id = 0;
  std::string text;       // (sensitive)
  std::string author;     // staff user name
};

struct OutboundStatus {
  std::string id, origin, author, status, label_ja, code, reason, method;
  std::int64_t conversation_id = 0;
  int attempts = 0;
  std::int64_t created_at_ms = 0, updated_at_ms = 0, delivered_at_ms = 0;
};

struct OutboxLimits {
  std::size_t max_text_chars = 20000;  // code points
  int max_attempts = 8;
};

class Outbox {
 public:
  Outbox(const store::DatabaseOptions& db, crypto::Keyring& keys, const Senders& senders, OutboxLimits limits,
         std::function<void()> on_enqueued, const Clock& clock);

  // The new outbound message's id. errc::text_empty, text_too_long (also for invalid
  // UTF-8), not_found (no such conversation for this tenant), channel_unsupported (no
  // sender for its account), store_busy / store_failed.
  [[nodiscard]] result<std::string> enqueue_reply(const ReplyRequest& request);

  [[nodiscard]] result<std::optional<OutboundStatus>> status(const std::string& outbound_id);
  [[nodiscard]] result<std::vector<OutboundStatus>> conversation_statuses(std::int64_t conversation_id);

 private:
  std::mutex mutex_;
  store::Database db_;
  store::OutboxStore store_;
  crypto::Keyring& keys_;
  const Senders& senders_;
  OutboxLimits limits_;
  std::function<void()> on_enqueued_;
};

OutboundStatus to_status(const store::OutboundRow& row);

}  // namespace madoguchi::outbox
