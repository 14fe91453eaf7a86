// Faults injected at every write and every fsync of the group committer's commits, one
// step at a time, through the faulty VFS (tests/fakes/faulty_vfs): a write answers
// SQLITE_FULL (ENOSPC), a sync SQLITE_IOERR_FSYNC. For each step n:
//   - every webhook is answered either "stored" or store_failed / store_busy (what the
//     webhook handler answers 503 with, so LINE redelivers), never anything else;
//   - after a restart (every connection closed, the file reopened through the default VFS)
//     integrity_check is ok, every webhook answered "stored" is there, a refused one is there
//     completely or not at all, and no message lacks its contact, conversation or job;
//   - the provider's redelivery of the refused webhooks (same event ids) is accepted and
//     leaves exactly one copy of every event.
// WAL: a commit whose frames (with the commit mark) reached the WAL before the fsync failed
// is not visible to the failing connection, but WAL recovery at the next open may bring it
// back. Such a webhook was refused and yet is stored: allowed, because the invariant for a
// refused webhook is "stored at most once, and its redelivery adds nothing". The sweep
// counts these cases and prints them. Only a fault in the WAL may do that: after a fault in
// a statement journal, a refused webhook found stored was committed on its own, outside its
// group transaction (SQLite had rolled that back), and a counter of that commit was written
// twice; both are checked.
//
// Two kinds of fault: transient (only step n fails, the next webhook finds a working disk)
// and sticky (every write and sync after step n fails too, as on a disk that stays full:
// the connection cannot even checkpoint when it closes, so the restart meets the WAL as the
// fault left it, like after a crash).
#include <cstdlib>
#include <future>
#include <iostream>
#include <set>

#include "store/group_committer.hpp"
#include "store_fixture.hpp"
#include "tests/fakes/faulty_vfs.hpp"

namespace madoguchi::store::testing {
namespace {

using madoguchi::testing::FaultyVfs;
using madoguchi::testing::IoStep;

struct SweepTally {
  int steps = 0;          // steps at which the fault fired
  int refused = 0;        // webhooks answered store_failed / store_busy
  int recovered = 0;      // of those, found stored at the restart (WAL recovery)
  int acknowledged = 0;   // webhooks answered "stored"
};

class CommitFaultTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    db_.reset();  // checkpointed on close: the migrated store is one file, copied per run
    template_ = dir_ / "template.db";
    std::filesystem::copy_file(options_.path, template_);
    // Hundreds of runs, each with several fsyncs: on tmpfs they cost nothing, and the
    // faults come from the VFS either way.
    char pattern[] = "/dev/shm/madoguchi-faults-XXXXXX";
    if (std::filesystem::is_directory("/dev/shm") && mkdtemp(pattern)) runs_dir_ = pattern;
    else runs_dir_ = dir_;
  }
  void TearDown() override {
    if (runs_dir_ != dir_) std::filesystem::remove_all(runs_dir_);
    StoreTest::TearDown();
  }

  // Four webhooks: W0 alone (before the fault is armed), then W1 and W2 sharing one
  // commit (W1 also carries a redelivery of W0's event), then W3 alone.
  static constexpr int kWebhooks = 4;
  std::vector<IngestBatch> webhooks() {
    auto u3_follow = event("w3-follow", "u3", 3000);
    u3_follow.event_type = "follow";
    u3_follow.message_type.clear();
    u3_follow.effect = ContactEffect::reachable;
    return {batch({event("w0-a", "u0")}), batch({event("w1-a", "u1"), event("w1-b", "u1", 1100), event("w0-a", "u0")}),
            batch({event("w2-a", "u2")}), batch({u3_follow, event("w3-a", "u3", 3100)})};
  }

  result<IngestOutcome> wait(std::future<result<IngestOutcome>>& f) {
    if (f.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      ADD_FAILURE() << "the committer did not answer within 20 s";
      return errc::store_failed;
    }
    return f.get();
  }

  // One run with the fault at step n; false when the run had no step n (the sweep is over).
  bool run_once(IoStep step, int n, bool sticky, SweepTally& tally) {
    const auto path = runs_dir_ / ("run-" + std::to_string(runs_++) + ".db");
    std::filesystem::copy_file(template_, path);
    auto options = options_;
    options.path = path;
    options.vfs = vfs_.name();
    auto hooks = webhooks();
    std::vector<std::optional<result<IngestOutcome>>> answers(kWebhooks);
    bool fired = false;
    {
      GroupCommitter committer({options, 256, 60'000}, metrics_, clock_);
      // W0 commits unfaulted; its completion (on the writer thread) arms the fault and
      // holds the writer until W1 and W2 are both queued, so they share the next commit.
      std::promise<void> armed, queued;
      std::promise<result<IngestOutcome>> p0, p1, p2, p3;
      auto f0 = p0.get_future(), f1 = p1.get_future(), f2 = p2.get_future(), f3 = p3.get_future();
      auto gate = queued.get_future().share();
      committer.submit(hooks[0], [&, gate](result<IngestOutcome> r) {
        vfs_.fail_at(step, n, sticky);
        armed.set_value();
        gate.wait();
        p0.set_value(std::move(r));
      });
      armed.get_future().wait();  // W0 is committed and the writer waits here
      committer.submit(hooks[1], [&](result<IngestOutcome> r) { p1.set_value(std::move(r)); });
      committer.submit(hooks[2], [&](result<IngestOutcome> r) { p2.set_value(std::move(r)); });
      committer.add_counter("signature_failures", 1);  // written in W1+W2's transaction
      queued.set_value();
      answers[0] = wait(f0);
      answers[1] = wait(f1);
      answers[2] = wait(f2);
      committer.submit(hooks[3], [&](result<IngestOutcome> r) { p3.set_value(std::move(r)); });
      answers[3] = wait(f3);
      committer.stop();
    }  // the connection closes: with a sticky fault its checkpoint fails and the WAL stays
    fired = vfs_.fired();
    const auto where = vfs_.fired_on();
    vfs_.reset();
    const std::string context = std::string(to_string(step)) + " fault at step " + std::to_string(n) +
                                (sticky ? " (sticky)" : " (transient)") + " on " + where;
    if (!fired) {
      for (auto& a : answers) EXPECT_TRUE(*a) << "no fault fired, yet a webhook was refused";
      return false;
    }
    ++tally.steps;
    if (verbose()) {
      std::cout << context << ":";
      for (auto& a : answers) std::cout << (*a ? " stored" : " refused");
      std::cout << "\n";
    }
    EXPECT_TRUE(*answers[0]) << context << ": W0 committed before the fault was armed";

    std::vector<bool> acknowledged(kWebhooks);
    for (int i = 0; i < kWebhooks; ++i) {
      auto& a = *answers[i];
      if (a) {
        acknowledged[i] = true;
        ++tally.acknowledged;
        EXPECT_EQ(a->stored + a->duplicates, static_cast<int>(hooks[i].events.size())) << context;
      } else {
        ++tally.refused;
        EXPECT_TRUE(a.error() == errc::store_failed || a.error() == errc::store_busy)
            << context << ": W" << i << " answered " << a.error().message();
      }
    }

    // Only frames already in the WAL can come back at the restart: a refused webhook that
    // is stored after a fault anywhere else was committed outside its group transaction.
    auto refused_yet_stored = [&](int i) {
      if (verbose()) std::cout << context << ": W" << i << " refused, yet stored\n";
      ++tally.recovered;
      EXPECT_EQ(where, "wal") << context << ": W" << i << " refused, yet committed on its own";
    };

    // The restart: only the default VFS from here on.
    auto plain = options_;
    plain.path = path;
    {
      Database db(plain);
      auto check = db.prepare("PRAGMA integrity_check");
      EXPECT_TRUE(check.step().value()) << context;
      EXPECT_EQ(check.column_text(0), "ok") << context;
      for (int i = 0; i < kWebhooks; ++i) {
        int present = 0, expected = 0;
        for (const auto& e : hooks[i].events) {
          ++expected;
          present += count_in(db, "SELECT count(*) FROM messages WHERE external_id = '" + e.external_id + "'") > 0;
        }
        if (acknowledged[i]) {
          EXPECT_EQ(present, expected) << context << ": W" << i << " was acknowledged and is missing";
        } else if (i != 1) {  // W1's redelivered event is there anyway (from W0)
          EXPECT_TRUE(present == 0 || present == expected) << context << ": W" << i << " half-written";
          if (present == expected) refused_yet_stored(i);
        } else {
          const int own = present - 1;
          EXPECT_TRUE(own == 0 || own == expected - 1) << context << ": W1 half-written";
          if (own == expected - 1) refused_yet_stored(i);
        }
      }
      expect_nothing_half_written(db, context);
      // A counter belongs to one transaction: written once, or (refused) carried to the
      // next commit, never both. Written for sure when W1+W2 and W3 were all stored.
      const auto counted = count_in(db, "SELECT coalesce(sum(value), 0) FROM counters WHERE name = 'signature_failures'");
      EXPECT_LE(counted, 1) << context << ": a counter persisted twice";
      if (acknowledged[1] && acknowledged[2] && acknowledged[3]) {
        EXPECT_EQ(counted, 1) << context;
      }
    }

    // The provider redelivers what was refused, with the same event ids.
    {
      GroupCommitter committer({plain, 256, 60'000}, metrics_, clock_);
      for (int i = 0; i < kWebhooks; ++i) {
        if (acknowledged[i]) continue;
        std::promise<result<IngestOutcome>> p;
        auto f = p.get_future();
        committer.submit(hooks[i], [&](result<IngestOutcome> r) { p.set_value(std::move(r)); });
        auto again = wait(f);
        if (!again) {
          ADD_FAILURE() << context << ": redelivery of W" << i << " refused by a healthy store";
          return false;
        }
        EXPECT_EQ(again->stored + again->duplicates, static_cast<int>(hooks[i].events.size())) << context;
      }
    }
    {
      Database db(plain);
      std::set<std::string> ids;
      for (const auto& h : hooks)
        for (const auto& e : h.events) ids.insert(e.external_id);
      for (const auto& id : ids)
        EXPECT_EQ(count_in(db, "SELECT count(*) FROM messages WHERE external_id = '" + id + "'"), 1)
            << context << ": event " << id << " after the redelivery";
      EXPECT_EQ(count_in(db, "SELECT count(*) FROM messages"), static_cast<std::int64_t>(ids.size())) << context;
      expect_nothing_half_written(db, context);
    }
    remove_run(path);
    return true;
  }

  void remove_run(const std::filesystem::path& path) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.native() + suffix);
  }

  // The rows of one event belong together: a message has its contact and conversation,
  // every message event has exactly one triage job and every job its message.
  void expect_nothing_half_written(Database& db, const std::string& context) {
    EXPECT_EQ(count_in(db, "SELECT count(*) FROM messages m WHERE m.conversation_id IS NULL OR NOT EXISTS "
                           "(SELECT 1 FROM conversations c WHERE c.id = m.conversation_id)"), 0)
        << context << ": message without its conversation";
    EXPECT_EQ(count_in(db, "SELECT count(*) FROM messages m WHERE m.contact_id IS NULL OR NOT EXISTS "
                           "(SELECT 1 FROM contacts c WHERE c.id = m.contact_id)"), 0)
        << context << ": message without its contact";
    EXPECT_EQ(count_in(db, "SELECT count(*) FROM messages m WHERE m.event_type = 'message' AND "
                           "(SELECT count(*) FROM jobs j WHERE j.message_id = m.id AND j.kind = 'triage') <> 1"), 0)
        << context << ": message without exactly one triage job";
    EXPECT_EQ(count_in(db, "SELECT count(*) FROM jobs j WHERE NOT EXISTS "
                           "(SELECT 1 FROM messages m WHERE m.id = j.message_id)"), 0)
        << context << ": job without its message";
    EXPECT_EQ(count_in(db, "SELECT count(*) FROM conversations c WHERE NOT EXISTS "
                           "(SELECT 1 FROM messages m WHERE m.conversation_id = c.id)"), 0)
        << context << ": conversation without any message";
  }

  static std::int64_t count_in(Database& db, const std::string& sql) {
    auto s = db.prepare(sql);
    EXPECT_TRUE(s.step().value());
    return s.column_int(0);
  }

  // MADOGUCHI_FAULTS_VERBOSE=1: one line per step (the answers, where the fault hit).
  static bool verbose() { return std::getenv("MADOGUCHI_FAULTS_VERBOSE") != nullptr; }

  SweepTally sweep(IoStep step, bool sticky) {
    SweepTally tally;
    for (int n = 1; n <= 500; ++n) {
      if (!run_once(step, n, sticky, tally)) break;
      if (::testing::Test::HasFatalFailure()) break;
    }
    std::cout << "[ sweep    ] group commit, " << to_string(step) << (sticky ? " sticky" : " transient")
              << ": " << tally.steps << " steps, " << tally.acknowledged << " webhooks stored, " << tally.refused
              << " refused (503), " << tally.recovered << " of those recovered from the WAL at restart\n";
    return tally;
  }

  FaultyVfs vfs_{"madoguchi-faulty-commit"};
  std::filesystem::path template_, runs_dir_;
  int runs_ = 0;
  FakeClock clock_;
  Metrics metrics_;
};

TEST_F(CommitFaultTest, EveryWriteFailingWithENOSPCAnswersRefusedAndRedeliveryStoresOnce) {
  auto tally = sweep(IoStep::write, false);
  EXPECT_GE(tally.steps, 6);  // W0's WAL is reused: each later commit writes several frames
  EXPECT_GT(tally.refused, 0);
}

TEST_F(CommitFaultTest, DiskStayingFullFromEveryWriteOnLosesNothingAcknowledged) {
  auto tally = sweep(IoStep::write, true);
  EXPECT_GE(tally.steps, 6);
  EXPECT_GT(tally.refused, 0);
}

TEST_F(CommitFaultTest, EveryFsyncFailingAnswersRefusedAndRedeliveryStoresOnce) {
  auto tally = sweep(IoStep::sync, false);
  EXPECT_GE(tally.steps, 2);  // at least W1+W2's commit and W3's commit sync the WAL
  EXPECT_GT(tally.refused, 0);
}

TEST_F(CommitFaultTest, FsyncFailingForGoodFromEveryStepOnLosesNothingAcknowledged) {
  auto tally = sweep(IoStep::sync, true);
  EXPECT_GE(tally.steps, 2);
  EXPECT_GT(tally.refused, 0);
}

}  // namespace
}  // namespace madoguchi::store::testing
