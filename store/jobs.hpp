#pragma once
// Durable jobs (triage, fetch_media, outbound delivery) with leases.
// A worker leases the oldest runnable job of a kind whose conversation has no other
// leased job (one conversation is processed in order); the lease expires after the
// visibility timeout so a crashed worker's job runs again. Failures retry with capped
// exponential backoff and full jitter; after max_attempts the job is dead-lettered.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/clock.hpp"
#include "gateway/core/errc.hpp"
#include "store/database.hpp"

namespace madoguchi::store {

struct Job {
  std::int64_t id = 0;
  std::string kind;
  std::int64_t conversation_id = 0;
  std::string message_id;
  std::vector<unsigned char> payload;
  int attempts = 0;  // including the current lease
  int max_attempts = 0;
  std::string lease_token;
};

struct NewJob {
  std::string kind;
  std::int64_t conversation_id = 0;
  std::string message_id;  // may be empty
  std::vector<unsigned char> payload;
  int max_attempts = 8;
  std::int64_t run_at_ms = 0;  // 0 = now
};

struct BackoffPolicy {
  std::int64_t base_ms = 1000;
  std::int64_t cap_ms = 5 * 60 * 1000;
};

class JobQueue {
 public:
  // `random` returns a value in [0, 1) for jitter; injected for tests.
  JobQueue(Database& db, const Clock& clock, BackoffPolicy backoff = {},
           double (*random)() = nullptr);

  // Inside or outside a transaction of the caller.
  [[nodiscard]] result<std::int64_t> enqueue(const NewJob& job);
  [[nodiscard]] result<std::optional<Job>> lease(const std::string& kind, const std::string& worker,
                                   std::int64_t visibility_ms);
  // Stale leases (wrong token) are refused with errc::store_failed and change nothing.
  [[nodiscard]] result<void> complete(const Job& job);
  // Retry later (retry_after_ms overrides the backoff when > 0) or dead-letter.
  [[nodiscard]] result<void> fail(const Job& job, const std::string& reason, std::int64_t retry_after_ms = 0);
  [[nodiscard]] result<void> dead_letter(const Job& job, const std::string& reason);

  // At start-up, under the single-instance lock: leases held by earlier processes of this
  // instance (owner "<prefix>…") are dead, so they become runnable now instead of after
  // their visibility timeout. Returns how many.
  [[nodiscard]] result<std::int64_t> release_leases(const std::string& owner_prefix);

  // Ready + leased jobs per kind, for /metrics.
  [[nodiscard]] result<std::vector<std::pair<std::string, std::int64_t>>> depth();
  std::int64_t backoff_ms(int attempts) const;  // deterministic cap; jitter applied on top

 private:
  Database& db_;
  const Clock& clock_;
  BackoffPolicy backoff_;
  double (*random_)();
};

}  // namespace madoguchi::store
