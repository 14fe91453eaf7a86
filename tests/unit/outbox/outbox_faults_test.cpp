// Faults injected at every write and fsync of the outbox worker's state changes (lease →
// sending → delivered; for a reply the durable "token may be used" mark), one step at a
// time, through the faulty VFS: a write answers SQLITE_FULL (ENOSPC), a sync
// SQLITE_IOERR_FSYNC. The worker and the entry point open the store through it; the test's
// own connection and the conversations it receives do not.
// For each step n:
//   - what counselors see: the reply stays 送信待ち / 送信中 while the store fails and then
//     becomes 送信済み; it is never shown as failed because the disk was full;
//   - after a restart (every connection closed, the file reopened through the default VFS,
//     a new worker releasing the old leases) integrity_check is ok, and the reply reaches
//     LINE exactly once: a push repeated after an unrecorded success carries its stored
//     retry key (LINE answers 409), a reply repeated after the durable mark meets "invalid
//     reply token" and counts as delivered.
// Transient faults are resolved by the worker itself (a failed status write is retried after
// backoff; an unrecorded end keeps the lease until its visibility timeout, 300 ms here).
// Sticky ones (every write and sync failing from step n on) are resolved by the restart, as
// after a crash: a commit whose fsync failed may then come back from the WAL, which the
// reply state and the retry key make safe.
#include <deque>
#include <fstream>
#include <iostream>

#include "gateway/outbox/compose.hpp"
#include "tests/fakes/faulty_vfs.hpp"
#include "tests/unit/outbox/outbox_fixture.hpp"

namespace madoguchi::outbox::testing {
namespace {

using madoguchi::testing::FaultyVfs;
using madoguchi::testing::IoStep;

class OutboxFaultTest : public OutboxTest {
 protected:
  // How the reply goes out: by push (the reply window is over) or through the reply API.
  enum class Via { push, reply };

  std::string status_in_store(const std::string& id) {
    auto s = db_->prepare("SELECT status FROM outbound_messages WHERE id = ?");
    s.bind(1, id);
    auto row = s.step();
    return row && *row ? s.column_text(0) : "";
  }
  bool finished(const std::string& id) {
    const auto s = status_in_store(id);
    return s == "delivered" || s == "failed";
  }

  // In this order: the sender's connections belong to the worker's io_context.
  void drop_outbox() {
    if (worker_) worker_->stop();
    line_.reset();
    outbox_.reset();
    worker_.reset();
  }

  // Everything that holds a connection through the faulty VFS goes; the store reopens
  // through the default VFS.
  void restart() {
    drop_outbox();
    db_.reset();
    vfs_.reset();
    db_options_.vfs.clear();
    db_ = std::make_unique<store::Database>(db_options_);
  }

  // A counselor's reply goes by push (LINE threads no counselor replies); the reply API is
  // for the automatic first reply, queued here as the triage worker does: composed with the
  // inbound message whose token it may use.
  result<std::string> queue(Via via, std::int64_t conversation, const std::string& text) {
    if (via == Via::push) return outbox_->enqueue_reply({"t1", conversation, text, "sato"});
    store::OutboxStore store(*db_, clock_);
    auto inbound = store.latest_inbound(conversation);
    if (!inbound) return inbound.error();
    const auto* sender = senders_.find(account_);
    if (!sender) return errc::channel_unsupported;
    auto composed = compose(keys_, {"t1", conversation, text, "auto", "first_reply", *inbound, 5}, sender->caps);
    if (!composed) return composed.error();
    auto written = store::in_transaction(*db_, [&] { return store.insert(composed->row, composed->key); });
    if (!written) return written.error();
    return composed->row.id;
  }

  // The worker's log (ids and codes only), for a failure's message.
  std::string log_tail() {
    std::ifstream in(dir_ / "log.jsonl");
    std::deque<std::string> lines;
    for (std::string line; std::getline(in, line);) {
      lines.push_back(line);
      if (lines.size() > 12) lines.pop_front();
    }
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
  }

  // One run with the fault at step n; false when the delivery needed fewer than n steps.
  bool run_once(Via via, IoStep step, int n, bool sticky, int& steps) {
    const auto user = "U" + std::string(28, '0') + std::to_string(1000 + n);
    const auto text = "返信 " + std::string(to_string(step)) + " " + std::to_string(n) + (sticky ? " s" : " t");
    const std::int64_t window = via == Via::reply ? 50'000 : 0;
    db_options_.vfs = vfs_.name();
    build_outbox(5, window, 1000, /*lease_ms=*/300);
    const auto conversation = receive(user, "相談です", "token-" + std::string(to_string(step)) + "-" +
                                                         std::to_string(n) + (sticky ? "-s" : "-t"));
    auto id = queue(via, conversation, text);
    if (!id) {
      ADD_FAILURE() << "queueing refused by a healthy store: " << id.error().message();
      return false;
    }
    const std::string context = text + " (fault: " + to_string(step) + " step " + std::to_string(n) + ")";
    vfs_.fail_at(step, n, sticky);
    worker_->start();
    // Transient: the worker gets there by itself. Sticky: nothing can be written once the
    // fault fired, so the worker is stopped as soon as it did (mid-request, like a crash).
    const bool settled = fake_->wait_until([&] { return finished(*id) || (sticky && vfs_.fired()); }, 15'000);
    const bool fired = vfs_.fired();
    const auto where = vfs_.fired_on();
    EXPECT_TRUE(settled) << context << ": neither delivered nor faulted within 15 s";
    if (fired && !sticky) {
      EXPECT_EQ(status_in_store(*id), "delivered") << context << " on " << where;
    }
    restart();

    {  // (a statement left stepped would hold its snapshot: scoped)
      auto check = db_->prepare("PRAGMA integrity_check");
      EXPECT_TRUE(check.step().value());
      EXPECT_EQ(check.column_text(0), "ok") << context;
    }
    build_outbox(5, window, 1000);
    worker_->start();
    EXPECT_TRUE(fake_->wait_until([&] { return finished(*id); }, 15'000))
        << context << ": not finished after the restart; the log ends:\n" << log_tail();
    EXPECT_EQ(status_in_store(*id), "delivered") << context << " on " << where;
    EXPECT_EQ(count("SELECT count(*) FROM jobs WHERE kind = 'deliver' AND state <> 'done'"), 0) << context;

    int copies = 0;
    std::string method;
    for (const auto& a : fake_->accepted())
      if (a.texts == std::vector<std::string>{text}) {
        ++copies;
        method = a.method;
      }
    EXPECT_EQ(copies, 1) << context << " on " << where << ": copies LINE accepted";
    EXPECT_EQ(method, via == Via::reply ? "reply" : "push") << context;
    {
      std::lock_guard lock(updates_mutex_);
      for (const auto& u : updates_)
        if (u.outbound_id == *id) {
          EXPECT_NE(u.status, "failed") << context << ": shown as failed to counselors";
        }
    }
    drop_outbox();
    if (!fired) return false;
    ++steps;
    return true;
  }

  int sweep(Via via, IoStep step, bool sticky) {
    int steps = 0;
    for (int n = 1; n <= 200; ++n) {
      if (!run_once(via, step, n, sticky, steps)) break;
      if (HasFailure()) break;  // the first failing step says enough
    }
    std::cout << "[ sweep    ] outbox " << (via == Via::reply ? "reply" : "push") << ", " << to_string(step)
              << (sticky ? " sticky" : " transient") << ": " << steps << " steps, each delivered exactly once\n";
    return steps;
  }

  FaultyVfs vfs_{"madoguchi-faulty-outbox"};
};

TEST_F(OutboxFaultTest, PushSurvivesENOSPCAtEveryWrite) { EXPECT_GE(sweep(Via::push, IoStep::write, false), 3); }

TEST_F(OutboxFaultTest, PushSurvivesADiskStayingFullFromEveryWrite) {
  EXPECT_GE(sweep(Via::push, IoStep::write, true), 3);
}

TEST_F(OutboxFaultTest, ReplySurvivesENOSPCAtEveryWrite) { EXPECT_GE(sweep(Via::reply, IoStep::write, false), 3); }

TEST_F(OutboxFaultTest, ReplySurvivesADiskStayingFullFromEveryWrite) {
  EXPECT_GE(sweep(Via::reply, IoStep::write, true), 3);
}

// The durable reply mark is the worker's one synchronous=FULL commit.
TEST_F(OutboxFaultTest, ReplySurvivesAFailedFsyncAtEveryStep) { EXPECT_GE(sweep(Via::reply, IoStep::sync, false), 1); }

TEST_F(OutboxFaultTest, ReplySurvivesFsyncFailingForGoodFromEveryStep) {
  EXPECT_GE(sweep(Via::reply, IoStep::sync, true), 1);
}

}  // namespace
}  // namespace madoguchi::outbox::testing
