#include "store/group_committer.hpp"

#include <future>
#include <thread>

#include "store_fixture.hpp"

namespace madoguchi::store::testing {
namespace {

class CommitterTest : public StoreTest {
 protected:
  result<IngestOutcome> submit_and_wait(GroupCommitter& c, IngestBatch b) {
    std::promise<result<IngestOutcome>> promise;
    auto future = promise.get_future();
    c.submit(std::move(b), [&](result<IngestOutcome> r) { promise.set_value(std::move(r)); });
    return future.get();
  }
  FakeClock clock_;
  Metrics metrics_;
};

TEST_F(CommitterTest, ConcurrentRequestsShareCommitsAndAreAllDurable) {
  GroupCommitter committer({options_, 256, 1000}, metrics_, clock_);
  constexpr int kThreads = 8, kPerThread = 200;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      std::vector<std::future<void>> waits;
      for (int i = 0; i < kPerThread; ++i) {
        auto p = std::make_shared<std::promise<void>>();
        waits.push_back(p->get_future());
        auto id = std::to_string(t) + "-" + std::to_string(i);
        committer.submit(batch({event(id, "u" + std::to_string(t))}), [&, p](result<IngestOutcome> r) {
          if (r && r->stored == 1) ++ok;
          p->set_value();
        });
      }
      for (auto& w : waits) w.get();
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), kThreads * kPerThread);
  EXPECT_LT(metrics_.batches(), static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_GT(metrics_.batches(), 0u);
}

TEST_F(CommitterTest, DuplicatesAndCountersArePersisted) {
  GroupCommitter committer({options_, 256, 1000}, metrics_, clock_);
  ASSERT_TRUE(submit_and_wait(committer, batch({event("x")})));
  committer.add_counter("signature_failures", 3);
  auto again = submit_and_wait(committer, batch({event("x")}));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->duplicates, 1);
  committer.stop();
  EXPECT_EQ(count("SELECT value FROM counters WHERE name = 'duplicates_refused'"), 1);
  EXPECT_EQ(count("SELECT value FROM counters WHERE name = 'signature_failures'"), 3);
}

TEST_F(CommitterTest, LockedStoreAnswersBusyAndWritesNothing) {
  auto options = options_;
  options.busy_timeout_ms = 50;
  GroupCommitter committer({options, 256, 1000}, metrics_, clock_);
  Database locker(options_);
  ASSERT_TRUE(locker.exec("BEGIN IMMEDIATE"));
  auto refused = submit_and_wait(committer, batch({event("locked")}));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), errc::store_busy);
  ASSERT_TRUE(locker.exec("ROLLBACK"));
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 0);
  auto retried = submit_and_wait(committer, batch({event("locked")}));
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->stored, 1);
}

TEST_F(CommitterTest, FullStoreAnswersFailedAndWritesNothingHalf) {
  auto pages = count("PRAGMA page_count");
  auto options = options_;
  options.max_pages = pages + 2;
  GroupCommitter committer({options, 256, 1000}, metrics_, clock_);
  std::vector<EventRecord> big;
  for (int i = 0; i < 50; ++i) {
    auto e = event("big" + std::to_string(i), "u" + std::to_string(i));
    e.body = Blob(4000, 0x42);
    big.push_back(e);
  }
  auto refused = submit_and_wait(committer, batch(big));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), errc::store_failed);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM contacts"), 0);
  EXPECT_TRUE(submit_and_wait(committer, batch({event("small")})));  // still serving
}

TEST_F(CommitterTest, StopDrainsThenRefuses) {
  GroupCommitter committer({options_, 4, 1000}, metrics_, clock_);
  std::atomic<int> ok{0};
  for (int i = 0; i < 50; ++i)
    committer.submit(batch({event("d" + std::to_string(i))}), [&](result<IngestOutcome> r) { ok += r ? 1 : 0; });
  committer.stop();
  EXPECT_EQ(ok.load(), 50);
  auto late = submit_and_wait(committer, batch({event("late")}));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error(), errc::store_failed);
}

}  // namespace
}  // namespace madoguchi::store::testing
