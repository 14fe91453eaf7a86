#pragma once
// Writes one webhook's events inside the caller's open transaction (as a SAVEPOINT, so a
// failing webhook rolls back alone). Per event, in this order:
//   INSERT the message row; on UNIQUE(channel, account_id, external_id) conflict it is a
//   duplicate and nothing else of that event is written;
//   upsert the contact (tenant, pseudonym) and its conversation (account, thread);
//   apply the effect (reachable / unreachable / hide the unsent message);
//   enqueue a `triage` job for message events and a `fetch_media` job for media.
#include "queue/database.hpp"
#include "queue/records.hpp"

namespace madoguchi::queue {

class IngestStore {
 public:
  explicit IngestStore(Database& db);
  result<IngestOutcome> write_batch(const IngestBatch& batch);

 private:
  Database& db_;
};

}  // namespace madoguchi::queue
