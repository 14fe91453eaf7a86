#include "store/jobs.hpp"
#include "store_fixture.hpp"

namespace madoguchi::store::testing {
namespace {

double half() { return 0.5; }

class JobsTest : public StoreTest {
 protected:
  FakeClock clock_;
};

TEST_F(JobsTest, LeasesOldestFirstAndOneConversationInOrder) {
  JobQueue q(*db_, clock_);
  auto a = q.enqueue({"triage", 7, "m1"});
  auto b = q.enqueue({"triage", 7, "m2"});
  auto c = q.enqueue({"triage", 8, "m3"});
  ASSERT_TRUE(a && b && c);
  auto first = q.lease("triage", "w1", 30'000).value();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id, *a);
  EXPECT_EQ(first->attempts, 1);
  auto second = q.lease("triage", "w2", 30'000).value();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->id, *c);  // m2 waits behind m1 of the same conversation
  EXPECT_FALSE(q.lease("triage", "w3", 30'000).value());
  ASSERT_TRUE(q.complete(*first));
  auto third = q.lease("triage", "w3", 30'000).value();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->id, *b);
  EXPECT_FALSE(q.lease("outbox", "w", 30'000).value());  // other kinds are separate
}

TEST_F(JobsTest, ExpiredLeaseRunsAgainAndTheStaleTokenIsRefused) {
  JobQueue q(*db_, clock_);
  ASSERT_TRUE(q.enqueue({"triage", 1, "m"}));
  auto first = q.lease("triage", "crashed", 10'000).value();
  ASSERT_TRUE(first);
  clock_.advance_ms(9'999);
  EXPECT_FALSE(q.lease("triage", "w2", 10'000).value());
  clock_.advance_ms(1);
  auto again = q.lease("triage", "w2", 10'000).value();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(again->attempts, 2);
  auto stale = q.complete(*first);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error(), errc::store_failed);
  EXPECT_TRUE(q.complete(*again));
}

TEST_F(JobsTest, BackoffGrowsIsCappedAndJittered) {
  JobQueue q(*db_, clock_, {1000, 8000}, &half);
  EXPECT_EQ(q.backoff_ms(1), 1000);
  EXPECT_EQ(q.backoff_ms(2), 2000);
  EXPECT_EQ(q.backoff_ms(4), 8000);
  EXPECT_EQ(q.backoff_ms(30), 8000);
  ASSERT_TRUE(q.enqueue({"outbox", 1, "m", {}, 5}));
  auto job = q.lease("outbox", "w", 60'000).value();
  ASSERT_TRUE(job);
  ASSERT_TRUE(q.fail(*job, "timeout"));
  clock_.advance_ms(499);  // half of 1000 with the injected jitter
  EXPECT_FALSE(q.lease("outbox", "w", 60'000).value());
  clock_.advance_ms(1);
  job = q.lease("outbox", "w", 60'000).value();
  ASSERT_TRUE(job);
  ASSERT_TRUE(q.fail(*job, "rate limited", 30'000));  // Retry-After overrides the backoff
  clock_.advance_ms(29'999);
  EXPECT_FALSE(q.lease("outbox", "w", 60'000).value());
  clock_.advance_ms(1);
  EXPECT_TRUE(q.lease("outbox", "w", 60'000).value());
}

TEST_F(JobsTest, DeadLetterAfterTheLastAttempt) {
  JobQueue q(*db_, clock_, {10, 10}, &half);
  ASSERT_TRUE(q.enqueue({"outbox", 1, "m", {}, 2}));
  for (int i = 0; i < 2; ++i) {
    auto job = q.lease("outbox", "w", 60'000).value();
    ASSERT_TRUE(job);
    ASSERT_TRUE(q.fail(*job, "provider down"));
    clock_.advance_ms(100);
  }
  EXPECT_FALSE(q.lease("outbox", "w", 60'000).value());
  EXPECT_EQ(count("SELECT count(*) FROM jobs WHERE state = 'dead' AND last_error = 'provider down'"), 1);
  auto depth = q.depth().value();
  EXPECT_TRUE(depth.empty());
}

TEST_F(JobsTest, CrashOnTheLastAttemptIsDeadLettered) {
  JobQueue q(*db_, clock_);
  ASSERT_TRUE(q.enqueue({"outbox", 1, "m", {}, 1}));
  ASSERT_TRUE(q.lease("outbox", "w", 1000).value());
  clock_.advance_ms(1000);
  EXPECT_FALSE(q.lease("outbox", "w", 1000).value());
  EXPECT_EQ(count("SELECT count(*) FROM jobs WHERE state = 'dead'"), 1);
}

TEST_F(JobsTest, DepthCountsReadyAndLeasedByKind) {
  JobQueue q(*db_, clock_);
  ASSERT_TRUE(q.enqueue({"triage", 1, "a"}));
  ASSERT_TRUE(q.enqueue({"triage", 2, "b"}));
  ASSERT_TRUE(q.enqueue({"fetch_media", 0, "c"}));
  ASSERT_TRUE(q.lease("triage", "w", 1000).value());
  auto depth = q.depth().value();
  ASSERT_EQ(depth.size(), 2u);
  EXPECT_EQ(depth[0], (std::pair<std::string, std::int64_t>{"fetch_media", 1}));
  EXPECT_EQ(depth[1], (std::pair<std::string, std::int64_t>{"triage", 2}));
}

}  // namespace
}  // namespace madoguchi::store::testing
