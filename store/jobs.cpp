#include "store/jobs.hpp"

#include <sodium.h>

#include "gateway/core/hex.hpp"

#include <algorithm>
#include <random>

namespace madoguchi::store {
namespace {

double default_random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

std::string new_token() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  return to_hex(bytes);
}

}  // namespace

JobQueue::JobQueue(Database& db, const Clock& clock, BackoffPolicy backoff, double (*random)())
    : db_(db), clock_(clock), backoff_(backoff), random_(random ? random : &default_random) {}

result<std::int64_t> JobQueue::enqueue(const NewJob& job) {
  const auto now = clock_.now_ms();
  auto s = db_.prepare("INSERT INTO jobs (kind, conversation_id, message_id, payload, max_attempts, run_at_ms, "
                       "created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, job.kind).bind(2, job.conversation_id).bind(3, job.message_id).bind(4, job.payload)
      .bind(5, std::int64_t{job.max_attempts}).bind(6, job.run_at_ms > 0 ? job.run_at_ms : now).bind(7, now).bind(8, now);
  if (auto r = s.run(); !r) return r.error();
  return db_.last_insert_rowid();
}

result<std::optional<Job>> JobQueue::lease(const std::string& kind, const std::string& worker,
                                           std::int64_t visibility_ms) {
  const auto now = clock_.now_ms();
  // A crashed worker's last attempt: nothing left to retry.
  auto expire = db_.prepare("UPDATE jobs SET state = 'dead', last_error = 'lease expired on the last attempt', "
                            "updated_at_ms = ? WHERE kind = ? AND state = 'leased' AND lease_until_ms <= ? "
                            "AND attempts >= max_attempts");
  if (auto r = expire.bind(1, now).bind(2, kind).bind(3, now).run(); !r) return r.error();
  // The oldest runnable job whose conversation has no earlier unfinished job of this kind:
  // one conversation is processed in order.
  auto s = db_.prepare(
      "UPDATE jobs SET state = 'leased', attempts = attempts + 1, lease_token = ?, lease_owner = ?, "
      "lease_until_ms = ?, updated_at_ms = ? WHERE id = ("
      " SELECT j.id FROM jobs j WHERE j.kind = ? AND j.state IN ('ready', 'leased') AND ("
      "  (j.state = 'ready' AND j.run_at_ms <= ?) OR (j.state = 'leased' AND j.lease_until_ms <= ?))"
      " AND (j.conversation_id = 0 OR NOT EXISTS (SELECT 1 FROM jobs o WHERE o.kind = j.kind"
      "  AND o.conversation_id = j.conversation_id AND o.id < j.id AND o.state IN ('ready', 'leased')))"
      " ORDER BY j.id LIMIT 1) "
      "RETURNING id, kind, conversation_id, message_id, payload, attempts, max_attempts, lease_token");
  s.bind(1, new_token()).bind(2, worker).bind(3, now + visibility_ms).bind(4, now).bind(5, kind).bind(6, now).bind(7, now);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<Job>();
  Job job;
  job.id = s.column_int(0);
  job.kind = s.column_text(1);
  job.conversation_id = s.column_int(2);
  job.message_id = s.column_text(3);
  job.payload = s.column_blob(4);
  job.attempts = static_cast<int>(s.column_int(5));
  job.max_attempts = static_cast<int>(s.column_int(6));
  job.lease_token = s.column_text(7);
  if (auto done = s.step(); !done) return done.error();
  return std::optional<Job>(std::move(job));
}

namespace {

result<void> checked(Database& db, Statement& s) {
  if (auto r = s.run(); !r) return r;
  if (db.changes() == 0) return errc::store_failed;  // the lease is stale: someone else owns the job
  return {};
}

}  // namespace

result<void> JobQueue::complete(const Job& job) {
  auto s = db_.prepare("UPDATE jobs SET state = 'done', lease_token = NULL, updated_at_ms = ? "
                       "WHERE id = ? AND state = 'leased' AND lease_token = ?");
  s.bind(1, clock_.now_ms()).bind(2, job.id).bind(3, job.lease_token);
  return checked(db_, s);
}

std::int64_t JobQueue::backoff_ms(int attempts) const {
  std::int64_t delay = backoff_.base_ms;
  for (int i = 1; i < attempts && delay < backoff_.cap_ms; ++i) delay *= 2;
  return std::min(delay, backoff_.cap_ms);
}

result<void> JobQueue::fail(const Job& job, const std::string& reason, std::int64_t retry_after_ms) {
  if (job.attempts >= job.max_attempts) return dead_letter(job, reason);
  const auto now = clock_.now_ms();
  // Full jitter: a uniformly random wait up to the capped exponential delay.
  const auto delay = retry_after_ms > 0 ? retry_after_ms
                                        : static_cast<std::int64_t>(random_() * static_cast<double>(backoff_ms(job.attempts)));
  auto s = db_.prepare("UPDATE jobs SET state = 'ready', lease_token = NULL, run_at_ms = ?, last_error = ?, "
                       "updated_at_ms = ? WHERE id = ? AND state = 'leased' AND lease_token = ?");
  s.bind(1, now + delay).bind(2, reason).bind(3, now).bind(4, job.id).bind(5, job.lease_token);
  return checked(db_, s);
}

result<void> JobQueue::dead_letter(const Job& job, const std::string& reason) {
  auto s = db_.prepare("UPDATE jobs SET state = 'dead', lease_token = NULL, last_error = ?, updated_at_ms = ? "
                       "WHERE id = ? AND state = 'leased' AND lease_token = ?");
  s.bind(1, reason).bind(2, clock_.now_ms()).bind(3, job.id).bind(4, job.lease_token);
  return checked(db_, s);
}

result<std::int64_t> JobQueue::release_leases(const std::string& owner_prefix) {
  auto s = db_.prepare("UPDATE jobs SET lease_until_ms = 0 WHERE state = 'leased' AND substr(lease_owner, 1, ?) = ?");
  s.bind(1, static_cast<std::int64_t>(owner_prefix.size())).bind(2, owner_prefix);
  if (auto r = s.run(); !r) return r.error();
  return std::int64_t{db_.changes()};
}

result<std::vector<std::pair<std::string, std::int64_t>>> JobQueue::depth() {
  auto s = db_.prepare("SELECT kind, count(*) FROM jobs WHERE state IN ('ready', 'leased') GROUP BY kind ORDER BY kind");
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    out.emplace_back(s.column_text(0), s.column_int(1));
  }
  return out;
}

}  // namespace madoguchi::store
