#pragma once
// The outbox worker: one thread with its own io_context and store connection, running
// `lanes` coroutines. Each lane leases a delivery job (one
// conversation in order), sends through the account's adapter under its rate limit and
// records the outcome: delivered, retry later (capped exponential backoff with full
// jitter, or the provider's Retry-After), or failed. A job whose attempts run out, or that
// fails permanently for a reason staff must fix, is dead-lettered and raised as an alert
// (error log + metric + a failed status on the feed).
//
// Exactly once: a push carries the retry key stored with the row before the first attempt
// (a 409 for a repeated key counts as delivered). A reply token is single use: before it is
// sent the row is marked "uncertain", so after a crash a 400 "invalid reply token" within
// the token's validity means our earlier attempt used it (delivered).
#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "gateway/core/clock.hpp"
#include "gateway/core/log.hpp"
#include "gateway/core/metrics.hpp"
#include "gateway/core/delivery_feed.hpp"
#include "gateway/outbox/senders.hpp"
#include "crypto/keyring.hpp"
#include "store/database.hpp"
#include "store/jobs.hpp"

namespace madoguchi::outbox {

struct WorkerOptions {
  int lanes = 8;
  store::BackoffPolicy backoff;
  std::int64_t lease_ms = 120'000;     // visibility timeout of a leased job
  std::int64_t poll_ms = 200;          // idle lanes look for due jobs this often
  std::string owner = "local";         // lease owner prefix of this instance
};

class OutboxWorker {
 public:
  OutboxWorker(const store::DatabaseOptions& db, WorkerOptions options, crypto::Keyring& keys, Senders& senders,
               DeliveryFeed& feed, Metrics& metrics, Log& log, const Clock& clock);
  ~OutboxWorker();
  OutboxWorker(const OutboxWorker&) = delete;
  OutboxWorker& operator=(const OutboxWorker&) = delete;

  // For the adapters' HTTP clients, which must run on this worker's thread.
  boost::asio::any_io_executor executor();
  // Runs `task` on the worker's thread once started (quota polling).
  void spawn(std::function<boost::asio::awaitable<void>()> task);
  // Releases leases left by earlier processes of this instance, then starts the thread.
  void start();
  // Thread-safe: idle lanes look for work now.
  void wake();
  // The thread ends (a request in flight is abandoned: its job's lease is released at the
  // next start and the retry key or reply state makes the retry safe), then the senders
  // are dropped, since their connections belong to this worker's io_context.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace madoguchi::outbox
