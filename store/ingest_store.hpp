#pragma once
// Writes one webhook's events inside the caller's open transaction (as a SAVEPOINT, so a
// failing webhook rolls back alone). Per event, in this order:
//   upsert the contact (tenant, pseudonym) and its conversation (account, thread), which
//   only raise last-seen times and so change nothing for a redelivery;
//   INSERT the message row with those links; on UNIQUE(channel, account_id, external_id)
//   conflict it is a duplicate and nothing else of that event is written;
//   apply the effect (reachable / unreachable / hide the unsent message);
//   enqueue a `triage` job for message events (it also decides the automatic replies) and
//   a `fetch_media` job for media.
#include <memory>

#include "store/database.hpp"
#include "store/records.hpp"

namespace madoguchi::store {

class IngestStore {
 public:
  explicit IngestStore(Database& db);
  ~IngestStore();
  [[nodiscard]] result<IngestOutcome> write_batch(const IngestBatch& batch);

 private:
  [[nodiscard]] result<void> write_event(const EventRecord& event, IngestOutcome& outcome);
  struct Statements;  // prepared once, reused for every batch
  Database& db_;
  std::unique_ptr<Statements> sql_;
};

}  // namespace madoguchi::store
