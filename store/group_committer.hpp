#pragma once
// Group commit: one writer thread owns the write connection. Requests queue up while a
// commit is in flight; the next transaction takes all of them (up to max_batch), writes
// each as its own SAVEPOINT, and commits once with synchronous=FULL. Every request is
// completed only after the commit that holds it succeeded; if the commit fails, every
// request in it is completed with errc::store_busy or errc::store_failed and nothing of
// it is on disk.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "gateway/core/clock.hpp"
#include "gateway/core/errc.hpp"
#include "gateway/core/metrics.hpp"
#include "store/database.hpp"
#include "store/ingest_store.hpp"
#include "store/records.hpp"

namespace madoguchi::store {

struct CommitterOptions {
  DatabaseOptions database;
  std::size_t max_batch = 256;        // requests per transaction
  std::int64_t counter_flush_ms = 1000;  // persist counters without waiting for events
};

class GroupCommitter {
 public:
  using Completion = std::function<void(result<IngestOutcome>)>;

  // Opens its own connection (schema must already be migrated) and starts the writer.
  GroupCommitter(CommitterOptions options, Metrics& metrics, const Clock& clock);
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;
  ~GroupCommitter();  // stop()

  // Thread-safe, never blocks on I/O. `done` runs on the writer thread: keep it short
  // (post to your own executor).
  void submit(IngestBatch batch, Completion done);

  // Adds to a persistent counter (signature failures, ...) in the next transaction.
  void add_counter(const std::string& name, std::int64_t delta);

  // Finishes what is queued, then joins the writer. Later submits fail with store_failed.
  void stop();

  std::size_t pending() const;

 private:
  void run();
  struct Pending {
    IngestBatch batch;
    Completion done;
  };
  void commit(std::deque<Pending>& work, std::map<std::string, std::int64_t> counters);

  CommitterOptions options_;
  Metrics& metrics_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::unique_ptr<Database> db_;  // used by the writer thread only
  std::unique_ptr<IngestStore> store_;
  std::deque<Pending> queue_;
  std::map<std::string, std::int64_t> counters_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace madoguchi::store
