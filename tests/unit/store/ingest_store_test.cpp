#include "store/ingest_store.hpp"
#include "store/stats.hpp"
#include "store_fixture.hpp"

namespace madoguchi::store::testing {
namespace {

TEST_F(StoreTest, PragmasAndMigrationsAreApplied) {
  auto mode = db_->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.step().value());
  EXPECT_EQ(mode.column_text(0), "wal");
  EXPECT_EQ(count("PRAGMA synchronous"), 2);  // FULL
  EXPECT_EQ(count("PRAGMA foreign_keys"), 1);
  EXPECT_EQ(count("PRAGMA secure_delete"), 1);
  EXPECT_EQ(schema_version(*db_), latest_schema_version());
  ASSERT_TRUE(migrate(*db_));  // idempotent
  EXPECT_EQ(count("SELECT count(*) FROM schema_migrations"), latest_schema_version());
  EXPECT_EQ(count("SELECT count(*) FROM windows"), 1);
}

TEST_F(StoreTest, AccountCannotMoveToAnotherTenant) {
  auto moved = sync_accounts(*db_, {{"t2", "別の市", {}}}, {{"t2", "line", "demo"}});
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error(), errc::config_invalid);
  EXPECT_EQ(count("SELECT count(*) FROM tenants"), 1);  // rolled back
}

TEST_F(StoreTest, StoresEventsContactsConversationsAndJobs) {
  IngestStore store(*db_);
  auto e = event("ev1");
  e.has_media = true;
  auto out = store.write_batch(batch({e, event("ev2"), event("ev3", "u2")}));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->stored, 3);
  EXPECT_EQ(out->duplicates, 0);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM contacts"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM conversations"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE conversation_id IS NULL OR contact_id IS NULL"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM jobs WHERE kind = 'triage'"), 3);
  EXPECT_EQ(count("SELECT count(*) FROM jobs WHERE kind = 'fetch_media'"), 1);
}

TEST_F(StoreTest, RedeliveryAddsNothing) {
  IngestStore store(*db_);
  ASSERT_TRUE(store.write_batch(batch({event("ev1")})));
  auto again = event("ev1");
  again.message_id = "m-other";
  again.redelivery = true;
  auto out = store.write_batch(batch({again, event("ev2")}));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->stored, 1);
  EXPECT_EQ(out->duplicates, 1);
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 2);
  // Two triage jobs (they also decide the automatic replies): none for the redelivery.
  EXPECT_EQ(count("SELECT count(*) FROM jobs"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM jobs WHERE kind = 'triage' AND message_id = 'm-ev1'"), 1);
}

TEST_F(StoreTest, ATriageJobForEveryMessageButNotForOtherEvents) {
  IngestStore store(*db_);
  auto follow = event("f", "u9");
  follow.event_type = "follow";
  follow.message_type = "";
  ASSERT_TRUE(store.write_batch(batch({event("a", "u1"), event("b", "u1"), follow, event("c", "u2")})));
  ASSERT_TRUE(store.write_batch(batch({event("d", "u9"), event("e", "u2")})));
  EXPECT_EQ(count("SELECT count(*) FROM conversations"), 3);
  // One per message event, in arrival order; the follow gets none.
  EXPECT_EQ(count("SELECT count(*) FROM jobs WHERE kind = 'triage'"), 5);
  EXPECT_EQ(count("SELECT count(*) FROM jobs WHERE message_id = 'm-f'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM jobs WHERE kind <> 'triage'"), 0);
}

TEST_F(StoreTest, AFailingBatchRollsBackAlone) {
  IngestStore store(*db_);
  ASSERT_TRUE(db_->exec("BEGIN"));
  ASSERT_TRUE(store.write_batch(batch({event("ok")})));
  auto broken = event("broken");
  broken.key_id = "no-such-key";  // foreign key violation after the first event was written
  auto out = store.write_batch(batch({event("part-of-broken"), broken}));
  EXPECT_FALSE(out);
  ASSERT_TRUE(db_->exec("COMMIT"));
  EXPECT_EQ(count("SELECT count(*) FROM messages"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE external_id = 'part-of-broken'"), 0);
}

TEST_F(StoreTest, NewestFollowOrUnfollowWinsWhateverTheArrivalOrder) {
  IngestStore store(*db_);
  auto unfollow = event("unf", "u1", 2000);
  unfollow.event_type = "unfollow";
  unfollow.effect = ContactEffect::unreachable;
  auto follow = event("fol", "u1", 1000);  // older, arrives later
  follow.event_type = "follow";
  follow.effect = ContactEffect::reachable;
  ASSERT_TRUE(store.write_batch(batch({unfollow})));
  ASSERT_TRUE(store.write_batch(batch({follow})));
  EXPECT_EQ(count("SELECT reachable FROM contacts"), 0);
  auto refollow = event("fol2", "u1", 3000);
  refollow.event_type = "follow";
  refollow.effect = ContactEffect::reachable;
  ASSERT_TRUE(store.write_batch(batch({refollow})));
  EXPECT_EQ(count("SELECT reachable FROM contacts"), 1);
}

TEST_F(StoreTest, UnsendHidesItsTargetBeforeOrAfterItArrives) {
  IngestStore store(*db_);
  auto target = event("msg", "u1");
  target.provider_msg_ref = blob("ref-1");
  auto unsend = event("uns", "u1");
  unsend.event_type = "unsend";
  unsend.message_type = "";
  unsend.target_msg_ref = blob("ref-1");
  unsend.effect = ContactEffect::hide_target;
  ASSERT_TRUE(store.write_batch(batch({target, unsend})));
  EXPECT_EQ(count("SELECT hidden FROM messages WHERE external_id = 'msg'"), 1);

  auto late_target = event("msg2", "u1");
  late_target.provider_msg_ref = blob("ref-2");
  auto early_unsend = unsend;
  early_unsend.external_id = "uns2";
  early_unsend.message_id = "m-uns2";
  early_unsend.target_msg_ref = blob("ref-2");
  ASSERT_TRUE(store.write_batch(batch({early_unsend})));
  ASSERT_TRUE(store.write_batch(batch({late_target})));
  EXPECT_EQ(count("SELECT hidden FROM messages WHERE external_id = 'msg2'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE hidden = 1"), 2);
}

TEST_F(StoreTest, EventsWithoutAContactAreStoredWithoutJobs) {
  IngestStore store(*db_);
  auto e = event("act");
  e.event_type = "activated";
  e.contact_pseudonym.clear();
  e.thread_pseudonym.clear();
  ASSERT_TRUE(store.write_batch(batch({e})));
  EXPECT_EQ(count("SELECT count(*) FROM messages WHERE conversation_id IS NULL"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM jobs"), 0);
}

TEST_F(StoreTest, StatsCountWithoutContent) {
  IngestStore store(*db_);
  auto follow = event("f", "u3");
  follow.event_type = "follow";
  follow.message_type = "";
  ASSERT_TRUE(store.write_batch(batch({event("a"), event("b"), follow})));
  ASSERT_TRUE(db_->exec("INSERT INTO counters (name, value) VALUES ('duplicates_refused', 4), ('signature_failures', 2)"));
  auto stats = compute_stats(*db_);
  ASSERT_TRUE(stats);
  EXPECT_EQ((stats->events[{"line", "message/text"}]), 2);
  EXPECT_EQ((stats->events[{"line", "follow"}]), 1);
  EXPECT_EQ(stats->contacts, 2);
  EXPECT_EQ(stats->conversations, 2);
  EXPECT_EQ(stats->duplicates_refused, 4);
  EXPECT_EQ(stats->signature_failures, 2);
  EXPECT_EQ(stats->jobs_by_state["ready"], 2);  // two triage jobs
}

}  // namespace
}  // namespace madoguchi::store::testing
