// The outbox end to end inside one process: real store, real keys, the real LINE client,
// and the fake LINE API checking every request against LINE's OpenAPI file.
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/unit/outbox/outbox_fixture.hpp"

namespace madoguchi::outbox::testing {
namespace {

using madoguchi::testing::LineFault;
const std::string kUser = "U4af4980629a1b2c3d4e5f60718293a4b";
const std::string kOther = "U0000000000000000000000000000beef";

TEST_F(OutboxTest, FirstReplyGoesOnceThroughTheReplyApi) {
  build();
  start();
  const auto conversation = receive(kUser, "相談したいです", "reply-token-1");
  receive(kUser, "もう一通", "reply-token-2");
  const auto id = first_outbound(conversation);
  ASSERT_FALSE(id.empty());
  auto status = final_status(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, "delivered");
  EXPECT_EQ(status->label_ja, "送信済み");
  EXPECT_EQ(status->method, "reply");
  EXPECT_EQ(status->origin, "auto");
  auto accepted = fake_->accepted();
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].method, "reply");
  EXPECT_EQ(accepted[0].reply_token, "reply-token-1");
  ASSERT_EQ(accepted[0].texts.size(), 1u);
  EXPECT_EQ(accepted[0].texts[0], kFirstReply);
  // The second message of the same conversation gets no second acknowledgement.
  EXPECT_EQ(count("SELECT count(*) FROM outbound_messages"), 1);
  // Both messages were triaged (the second one's job may finish a moment after the reply).
  EXPECT_TRUE(fake_->wait_until(
      [&] { return count("SELECT count(*) FROM jobs WHERE kind = 'triage' AND state = 'done'") == 2; }, 5000));
  EXPECT_EQ(count("SELECT count(*) FROM outbound_messages"), 1);
  // The feed is told right after each commit.
  std::vector<std::string> seen;
  fake_->wait_until([&] {
    std::lock_guard lock(updates_mutex_);
    seen.clear();
    for (const auto& u : updates_)
      if (u.outbound_id == id) seen.push_back(u.status);
    return seen.size() >= 3;
  }, 2000);
  EXPECT_EQ(seen, (std::vector<std::string>{"queued", "sending", "delivered"}));
}

TEST_F(OutboxTest, CounselorReplyIsPushedWithAStoredRetryKey) {
  build();
  fake_->expire_reply_token("t-1");  // the first reply falls back to push
  const auto conversation = receive(kUser, "こんにちは", "t-1");
  auto id = outbox_->enqueue_reply({"t1", conversation, "お返事です。", "sato"});
  ASSERT_TRUE(id) << id.error().message();
  auto stored = count("SELECT count(*) FROM outbound_messages WHERE retry_keys <> '' AND status = 'queued'");
  EXPECT_EQ(stored, 1);  // the key is there before any attempt
  start();
  auto status = final_status(*id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, "delivered");
  EXPECT_EQ(status->method, "push");
  EXPECT_EQ(status->author, "sato");
  bool found = false;
  for (const auto& a : fake_->accepted())
    if (a.texts == std::vector<std::string>{"お返事です。"}) {
      found = true;
      EXPECT_EQ(a.method, "push");
      EXPECT_EQ(a.to, kUser);  // decrypted at the moment of sending
    }
  EXPECT_TRUE(found);
}

TEST_F(OutboxTest, ExpiredReplyTokenFallsBackToPush) {
  build();
  fake_->expire_reply_token("expired-token");
  start();
  const auto conversation = receive(kUser, "夜分にすみません", "expired-token");
  auto status = final_status(first_outbound(conversation));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, "delivered");
  EXPECT_EQ(status->method, "push");
  auto accepted = fake_->accepted();
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].method, "push");
  EXPECT_EQ(accepted[0].to, kUser);
}

TEST_F(OutboxTest, ReplyWindowOverUsesPushDirectly) {
  build(5, /*reply_window_ms=*/0);
  start();
  const auto conversation = receive(kUser, "こんばんは", "token-unused");
  auto status = final_status(first_outbound(conversation));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->method, "push");
  for (const auto& r : fake_->requests()) EXPECT_NE(r.target, "/v2/bot/message/reply");
}

TEST_F(OutboxTest, PushAcceptedButUnansweredIsDeliveredOnceThrough409) {
  build();
  fake_->expire_reply_token("t");
  const auto conversation = receive(kUser, "こんにちは", "t");
  start();
  auto first = final_status(first_outbound(conversation));
  ASSERT_TRUE(first && first->status == "delivered");
  fake_->inject(LineFault::hang_after_accept);
  auto id = outbox_->enqueue_reply({"t1", conversation, "一度だけ届くはず", "sato"});
  ASSERT_TRUE(id);
  auto status = final_status(*id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, "delivered");
  int accepted = 0;
  for (const auto& a : fake_->accepted()) accepted += a.texts == std::vector<std::string>{"一度だけ届くはず"};
  EXPECT_EQ(accepted, 1);
  std::vector<std::string> keys;
  std::vector<unsigned> statuses;
  for (const auto& r : fake_->requests())
    if (r.texts == std::vector<std::string>{"一度だけ届くはず"}) {
      keys.push_back(r.retry_key);
      statuses.push_back(r.status);
    }
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0], keys[1]);  // the same retry key on the retry
  EXPECT_EQ(statuses, (std::vector<unsigned>{0, 409}));
  EXPECT_GE(status->attempts, 2);
}

TEST_F(OutboxTest, ServerErrorsAndHangsBeforeAcceptingAreRetried) {
  build();
  fake_->expire_reply_token("t");
  fake_->inject(LineFault::server_error, 2);
  fake_->inject(LineFault::hang_before_accept, 1);
  start();
  const auto conversation = receive(kUser, "こんにちは", "t");
  auto status = final_status(first_outbound(conversation));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, "delivered");
  EXPECT_EQ(fake_->accepted().size(), 1u);
  std::set<std::string> keys;
  int pushes = 0;
  for (const auto& r : fake_->requests())
    if (r.target == "/v2/bot/message/push") {
      keys.insert(r.retry_key);
      ++pushes;
    }
  EXPECT_EQ(pushes, 4);
  EXPECT_EQ(keys.size(), 1u);
}

TEST_F(OutboxTest, RateLimitHonoursRetryAfter) {
  build();
  fake_->expire_reply_token("t");
  fake_->inject(LineFault::rate_limited, 1, /*retry_after_s=*/1);
  start();
  const auto began = std::chrono::steady_clock::now();
  const auto conversation = receive(kUser, "こんにちは", "t");
  auto status = final_status(first_outbound(conversation));
  const auto took = std::chrono::steady_clock::now() - began;
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, "delivered");
  // The backoff here is 10–40 ms: only Retry-After explains a wait of a second.
  EXPECT_GE(took, std::chrono::milliseconds(950));
}

TEST_F(OutboxTest, ReplyAcceptedButUnansweredIsNotRepeated) {
  build();
  fake_->inject(LineFault::hang_after_accept);
  start();
  const auto conversation = receive(kUser, "こんにちは", "once-token");
  auto status = final_status(first_outbound(conversation));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, "delivered");
  auto accepted = fake_->accepted();
  ASSERT_EQ(accepted.size(), 1u);  // never pushed on top of the accepted reply
  EXPECT_EQ(accepted[0].method, "reply");
  int replies = 0;
  for (const auto& r : fake_->requests()) replies += r.target == "/v2/bot/message/reply";
  EXPECT_EQ(replies, 2);  // the retry met 400 "Invalid reply token": our first one had used it
}

TEST_F(OutboxTest, WrongAccessTokenFailsPermanentlyWithAJapaneseReason) {
  build();
  line_.reset();
  senders_ = Senders();
  adapters::HttpClientOptions http{fake_->base_url(), std::chrono::milliseconds(200)};
  senders_.add(account_, adapters::line::line_channel_info(), "demo",
               std::make_shared<adapters::line::LineOutbound>(
                   Secret("wrong-token"), std::make_unique<adapters::HttpClient>(worker_->executor(), http)),
               1000);
  start();
  const auto conversation = receive(kUser, "こんにちは", "t");
  auto status = final_status(first_outbound(conversation));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, "failed");
  EXPECT_EQ(status->code, "http_401");
  EXPECT_NE(status->reason.find("アクセストークン"), std::string::npos);
  EXPECT_EQ(fake_->accepted_count(), 0u);
  EXPECT_EQ(count("SELECT count(*) FROM jobs WHERE kind = 'deliver' AND state = 'dead'"), 1);
  EXPECT_NE(metrics_.render_prometheus().find("outcome=\"dead_letter\"} 1"), std::string::npos);
}

TEST_F(OutboxTest, UnfollowedContactFailsAsBlockedWithoutCallingLine) {
  build();
  const auto conversation = receive(kUser, "こんにちは", "t");
  unfollow(kUser);
  auto id = outbox_->enqueue_reply({"t1", conversation, "届きますか", "sato"});
  ASSERT_TRUE(id);
  start();
  auto status = final_status(*id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, "failed");
  EXPECT_EQ(status->code, "blocked");
  EXPECT_NE(status->reason.find("ブロックされています"), std::string::npos);
  EXPECT_TRUE(fake_->requests().empty());
}

TEST_F(OutboxTest, LongTextsAreSplitIntoPiecesAndRequests) {
  build();
  fake_->expire_reply_token("t");
  const auto conversation = receive(kUser, "こんにちは", "t");
  std::string text;
  for (int i = 0; i < 26000; ++i) text += (i % 100 == 99) ? "。" : "あ";
  auto id = outbox_->enqueue_reply({"t1", conversation, text, "sato"});
  ASSERT_TRUE(id);
  start();
  auto status = final_status(*id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, "delivered");
  std::string joined;
  std::set<std::string> keys;
  int requests = 0;
  for (const auto& a : fake_->accepted()) {
    if (a.texts.size() == 1 && a.texts[0] == kFirstReply) continue;
    ++requests;
    keys.insert(a.key);
    EXPECT_LE(a.texts.size(), 5u);
    for (const auto& t : a.texts) joined += t;
  }
  EXPECT_EQ(requests, 2);  // 6 pieces of at most 5,000 characters: 5 + 1
  EXPECT_EQ(keys.size(), 2u);
  EXPECT_EQ(joined, text);
}

TEST_F(OutboxTest, DeadLetterAfterTheLastAttemptThenAdminRetryDelivers) {
  build(/*max_attempts=*/3);
  fake_->expire_reply_token("t");
  fake_->inject(LineFault::server_error, 3);
  start();
  const auto conversation = receive(kUser, "こんにちは", "t");
  const auto id = first_outbound(conversation);
  auto status = final_status(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, "failed");
  EXPECT_NE(status->reason.find("再送を繰り返しましたが"), std::string::npos);
  std::ifstream log_file(dir_ / "log.jsonl");
  std::stringstream log;
  log << log_file.rdbuf();
  EXPECT_NE(log.str().find("outbox_dead_letter"), std::string::npos);
  EXPECT_EQ(log.str().find("こんにちは"), std::string::npos);  // no content in logs

  store::OutboxStore admin(*db_, clock_);
  auto dead = admin.list("dead");
  ASSERT_TRUE(dead);
  ASSERT_EQ(dead->size(), 1u);
  ASSERT_TRUE(admin.retry((*dead)[0].job_id).value());
  worker_->wake();
  EXPECT_TRUE(fake_->wait_until([&] { return status_of(id) == "delivered"; }, 5000));
  EXPECT_EQ(fake_->accepted_count(), 1u);
}

TEST_F(OutboxTest, CancelledJobsAreNeverSent) {
  build();
  fake_->expire_reply_token("t");
  const auto conversation = receive(kUser, "こんにちは", "t");
  auto id = outbox_->enqueue_reply({"t1", conversation, "取り消す返信", "sato"});
  ASSERT_TRUE(id);
  store::OutboxStore admin(*db_, clock_);
  auto jobs = admin.list("ready");
  ASSERT_TRUE(jobs);
  std::int64_t job = 0;
  for (const auto& j : *jobs)
    if (j.message_id == *id) job = j.job_id;
  ASSERT_TRUE(admin.cancel(job).value());
  EXPECT_FALSE(admin.cancel(job).value());  // already cancelled
  start();
  auto first = final_status(first_outbound(conversation));
  ASSERT_TRUE(first);
  EXPECT_EQ(status_of(*id), "failed");
  for (const auto& a : fake_->accepted()) EXPECT_NE(a.texts, std::vector<std::string>{"取り消す返信"});
}

TEST_F(OutboxTest, RepliesOfOneConversationArriveInOrder) {
  build();
  fake_->expire_reply_token("t");
  fake_->inject(LineFault::server_error, 2);
  const auto conversation = receive(kUser, "こんにちは", "t");
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    auto id = outbox_->enqueue_reply({"t1", conversation, "返信" + std::to_string(i), "sato"});
    ASSERT_TRUE(id);
    ids.push_back(*id);
  }
  start();
  ASSERT_TRUE(final_status(ids.back()));
  std::vector<std::string> order;
  for (const auto& a : fake_->accepted())
    if (a.texts[0] != kFirstReply) order.push_back(a.texts[0]);
  EXPECT_EQ(order, (std::vector<std::string>{"返信0", "返信1", "返信2", "返信3", "返信4", "返信5"}));
}

TEST_F(OutboxTest, EntryPointRefusesBadRequests) {
  build();
  const auto conversation = receive(kUser, "こんにちは", "t");
  EXPECT_EQ(outbox_->enqueue_reply({"t1", conversation, "", "sato"}).error(), errc::text_empty);
  EXPECT_EQ(outbox_->enqueue_reply({"t1", conversation, " \n　", "sato"}).error(), errc::text_empty);
  EXPECT_EQ(outbox_->enqueue_reply({"t1", conversation, std::string(30001, 'a'), "sato"}).error(), errc::text_too_long);
  EXPECT_EQ(outbox_->enqueue_reply({"t1", conversation, "\xff\xfe", "sato"}).error(), errc::text_too_long);
  EXPECT_EQ(outbox_->enqueue_reply({"t1", 999999, "こんにちは", "sato"}).error(), errc::not_found);
  EXPECT_EQ(outbox_->enqueue_reply({"other-tenant", conversation, "こんにちは", "sato"}).error(), errc::not_found);
  EXPECT_TRUE(outbox_->enqueue_reply({"t1", conversation, std::string(20000, 'a'), "sato"}));
}

TEST_F(OutboxTest, ManyConversationsAreAllDeliveredExactlyOnce) {
  build(/*max_attempts=*/30);
  fake_->random_faults(0.3, 7);
  start();
  std::vector<std::int64_t> conversations;
  for (int i = 0; i < 20; ++i) {
    char user[40];
    std::snprintf(user, sizeof user, "U%032d", i);
    conversations.push_back(receive(user, "こんにちは", "tok-" + std::to_string(i)));
  }
  for (auto c : conversations) ASSERT_TRUE(outbox_->enqueue_reply({"t1", c, "返信 " + std::to_string(c), "sato"}));
  EXPECT_TRUE(fake_->wait_until([&] {
    return count("SELECT count(*) FROM outbound_messages WHERE status IN ('delivered', 'failed')") == 40;
  }, 30000));
  EXPECT_EQ(count("SELECT count(*) FROM outbound_messages WHERE status = 'delivered'"), 40);
  std::map<std::string, int> seen;
  for (const auto& a : fake_->accepted()) ++seen[a.texts[0] + "|" + a.to + a.reply_token];
  EXPECT_EQ(seen.size(), 40u);
  for (const auto& [k, n] : seen) EXPECT_EQ(n, 1) << k;
}

}  // namespace
}  // namespace madoguchi::outbox::testing
