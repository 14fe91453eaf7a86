#pragma once
// The triage worker: one thread with its own store connection. It leases each `triage` job
// (one per inbound message; one conversation in order), opens the message, and in ONE
// transaction: raises the conversation's urgency to the highest level reached (never lowers
// it), adds topic tags, routes a conversation seen for the first time to its window, records
// the decision and its reasons on the case (sealed), queues at most one automatic reply —
//   緊急 while the window is closed: the emergency reply (once per closed period),
//   closed: the after-hours reply with the next opening and the 24-hour numbers (once per
//           closed period),
//   open: the first reply (once per conversation) —
// and completes the job. A crash anywhere repeats the job, never half of it.
// Provider messages are never marked as read here: that is left to a human opening them.
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "gateway/core/clock.hpp"
#include "gateway/core/log.hpp"
#include "gateway/core/delivery_feed.hpp"
#include "gateway/outbox/senders.hpp"
#include "crypto/keyring.hpp"
#include "gateway/triage/assessor.hpp"
#include "store/database.hpp"
#include "store/jobs.hpp"

namespace madoguchi::triage {

struct TriageWorkerOptions {
  std::int64_t poll_ms = 200;
  std::int64_t lease_ms = 60'000;
  std::string owner = "local";
  store::BackoffPolicy backoff;
  int reply_max_attempts = 8;  // of the automatic replies queued in the outbox
};

class TriageWorker {
 public:
  // first_replies: tenant id → the automatic first reply ("" = none). A queued reply is
  // announced on `feed` (the console's live delivery status) and wakes the outbox worker
  // through on_reply_queued.
  TriageWorker(const store::DatabaseOptions& db, TriageWorkerOptions options, const Assessor& assessor,
               std::map<std::string, std::string> first_replies, crypto::Keyring& keys,
               const outbox::Senders& senders, DeliveryFeed& feed, std::function<void()> on_reply_queued,
               Log& log, const Clock& clock);
  ~TriageWorker();
  TriageWorker(const TriageWorker&) = delete;
  TriageWorker& operator=(const TriageWorker&) = delete;

  // Releases leases of earlier processes of this instance, then starts the thread.
  void start();
  void stop();
  // Handles one job on the caller's thread (tests); false when none was due.
  bool run_once();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace madoguchi::triage
