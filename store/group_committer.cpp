#include "store/group_committer.hpp"

#include <chrono>

namespace madoguchi::store {

GroupCommitter::GroupCommitter(CommitterOptions options, Metrics& metrics, const Clock& clock)
    : options_(std::move(options)), metrics_(metrics), clock_(clock) {
  db_ = std::make_unique<Database>(options_.database);
  store_ = std::make_unique<IngestStore>(*db_);
  writer_ = std::thread([this] { run(); });
}

GroupCommitter::~GroupCommitter() { stop(); }

void GroupCommitter::submit(IngestBatch batch, Completion done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back({std::move(batch), std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  done(errc::store_failed);
}

void GroupCommitter::add_counter(const std::string& name, std::int64_t delta) {
  std::lock_guard lock(mutex_);
  counters_[name] += delta;
}

std::size_t GroupCommitter::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void GroupCommitter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
}

void GroupCommitter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, std::chrono::milliseconds(options_.counter_flush_ms),
                   [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && counters_.empty()) {
      if (stopping_) return;
      continue;
    }
    std::deque<Pending> work;
    while (!queue_.empty() && work.size() < options_.max_batch) {
      work.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    auto counters = std::move(counters_);
    counters_.clear();
    lock.unlock();
    commit(work, std::move(counters));
    lock.lock();
    // A store that keeps failing at shutdown must not hold the process: counters are
    // best effort, events were answered 503 and will be redelivered.
    if (stopping_ && queue_.empty()) counters_.clear();
  }
}

void GroupCommitter::commit(std::deque<Pending>& work, std::map<std::string, std::int64_t> counters) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<result<IngestOutcome>> results;
  results.reserve(work.size());
  auto fail_all = [&](boost::system::error_code ec) {
    db_->rollback();
    results.assign(work.size(), result<IngestOutcome>(ec));
    std::lock_guard lock(mutex_);  // keep the counts for the next transaction
    for (auto& [name, delta] : counters) counters_[name] += delta;
  };

  if (auto begin = db_->exec("BEGIN IMMEDIATE"); !begin) {
    fail_all(begin.error());
  } else {
    std::int64_t duplicates = 0;
    result<void> written;
    for (auto& p : work) {
      results.push_back(store_->write_batch(p.batch));
      if (results.back()) {
        duplicates += results.back()->duplicates;
      } else if (sqlite3_get_autocommit(db_->handle())) {
        // An I/O error (or a full disk while spilling or journalling) makes SQLite roll back
        // the whole transaction, not only this webhook's SAVEPOINT: the webhooks before it
        // are gone too, and the ones after it would each commit on their own outside the
        // group. Everything in this commit is refused.
        written = results.back().error();
        break;
      }
    }
    auto to_write = counters;
    if (duplicates > 0) to_write["duplicates_refused"] += duplicates;
    if (written && !to_write.empty()) {
      auto upsert = db_->prepare("INSERT INTO counters (name, value) VALUES (?, ?) "
                                 "ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value");
      for (auto& [name, delta] : to_write)
        if (written) written = upsert.bind(1, name).bind(2, delta).run();
    }
    if (!written) {
      fail_all(written.error());
    } else if (auto committed = db_->exec("COMMIT"); !committed) {
      fail_all(committed.error());
    }
  }

  if (!work.empty()) {
    metrics_.observe_commit_latency(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    metrics_.observe_batch_size(work.size());
  }
  for (std::size_t i = 0; i < work.size(); ++i) work[i].done(std::move(results[i]));
}

}  // namespace madoguchi::store
