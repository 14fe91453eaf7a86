// The outbox with the real binary and the fake LINE API: a signed webhook in, the
// automatic first reply out; counselor-style pushes and first replies while the gateway
// is SIGKILLed at random moments, and at each step of a delivery in turn: every reply
// arrives exactly once and none is lost.
// Rounds: MADOGUCHI_OUTBOX_CRASH_ROUNDS (default 20); seed: MADOGUCHI_CRASH_SEED.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <future>
#include <iostream>
#include <optional>
#include <map>
#include <set>
#include <thread>

#include "tests/fakes/fake_line_api.hpp"
#include "tests/fakes/line_webhooks.hpp"
#include "tests/fakes/sqlite_probe.hpp"
#include "tests/integration/harness.hpp"

namespace madoguchi::testing {
namespace {

const char* kSpec = MADOGUCHI_SHARED_DIR "/specs/line-openapi/messaging-api.yml";
const char* kAck = "受け付けました。担当者から順にお返事します。";

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::strtoull(value, nullptr, 10) : fallback;
}

// Sets the acknowledgement text of the harness's tenant.
void set_first_reply(const GatewayHarness& h) {
  auto text = read_file(h.config_path());
  const std::string anchor = "windows = [";
  text.insert(text.find(anchor), std::string("first_reply = \"") + kAck + "\"\n");
  write_file(h.config_path(), text);
}

// Points the gateway at another fake LINE API (as after fixing a configuration).
void rewrite_api_base(const GatewayHarness& h, const std::string& base) {
  auto text = read_file(h.config_path());
  const auto begin = text.find("api_base = \"");
  const auto end = text.find('\n', begin);
  text.replace(begin, end - begin, "api_base = \"" + base + "\"");
  write_file(h.config_path(), text);
}

void expect_no_spec_violations(const FakeLineApi& fake) {
  for (const auto& p : fake.problems()) ADD_FAILURE() << "LINE API spec violation: " << p;
}

TEST(Outbox, SignedWebhookGetsTheAcknowledgementThroughTheReplyApi) {
  const std::string token = "integration-token";
  FakeLineApi fake(kSpec, token);
  fake.set_quota(true, 1000, 900);
  GatewayHarness h(fake_line_options(fake, token));
  set_first_reply(h);
  auto gateway = h.start();
  LineEventFactory events(11);
  const auto user = events.next_user_id();
  auto event = events.text(events.next_event_id(), user, "夜分にすみません。息子のことで相談です。", events.next_message_id());
  const std::string reply_token(event.at("replyToken").as_string());
  HttpClient client(gateway->port());
  auto answer = post_signed(client, h.channel_secret(), line_webhook_body({event}));
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200u);

  ASSERT_TRUE(fake.wait_until([&] { return fake.accepted_count() >= 1; }, 10000));
  auto accepted = fake.accepted();
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].method, "reply");
  EXPECT_EQ(accepted[0].reply_token, reply_token);
  EXPECT_EQ(accepted[0].texts, std::vector<std::string>{kAck});

  // The quota shows in /metrics; 90% used is warned about in the log. The delivery is
  // counted once the worker has recorded LINE's answer, a moment after LINE accepted it.
  ASSERT_TRUE(fake.wait_until([&] {
    auto m = client.get("/metrics");
    return m && m->body.find("madoguchi_line_quota_used{account=\"demo\"} 900") != std::string::npos &&
           m->body.find("outcome=\"delivered\"} 1") != std::string::npos;
  }, 5000));
  auto m = client.get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("madoguchi_line_quota_limit{account=\"demo\"} 1000"), std::string::npos);
  EXPECT_TRUE(stopped_cleanly(*gateway));
  const auto log = read_file(h.stderr_log());
  EXPECT_NE(log.find("line_quota_high"), std::string::npos);
  EXPECT_EQ(log.find(reply_token), std::string::npos);  // tokens never logged
  EXPECT_EQ(log.find(user), std::string::npos);
  expect_no_spec_violations(fake);
}

TEST(Outbox, AdminCommandsListRetryAndCancel) {
  const std::string token = "integration-token";
  FakeLineApi fake(kSpec, "another-token");  // every send is refused with 401
  GatewayHarness h(fake_line_options(fake, token));
  auto gateway = h.start();
  LineEventFactory events(12);
  HttpClient client(gateway->port());
  for (int i = 0; i < 2; ++i) {
    auto e = events.text(events.next_event_id(), events.next_user_id(), "こんにちは", events.next_message_id());
    ASSERT_EQ(post_signed(client, h.channel_secret(), line_webhook_body({e}))->status, 200u);
  }
  ASSERT_TRUE(fake.wait_until([&] {
    SqliteProbe probe(h.database());
    return probe.scalar("SELECT count(*) FROM jobs WHERE kind = 'deliver' AND state = 'dead'") == 2;
  }, 10000));
  auto listed = h.run({"outbox", "list", "--config", h.config_path().string(), "--state", "dead"});
  ASSERT_EQ(listed.status.code, 0) << listed.err;
  EXPECT_NE(listed.out.find("http_401"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("送信できませんでした"), std::string::npos) << listed.out;
  SqliteProbe probe(h.database());
  const auto first = probe.scalar("SELECT min(id) FROM jobs WHERE kind = 'deliver'");
  const auto second = probe.scalar("SELECT max(id) FROM jobs WHERE kind = 'deliver'");

  auto cancelled = h.run({"outbox", "cancel", "--config", h.config_path().string(), std::to_string(second)});
  EXPECT_EQ(cancelled.status.code, 0) << cancelled.err;
  auto again = h.run({"outbox", "cancel", "--config", h.config_path().string(), std::to_string(second)});
  EXPECT_EQ(again.status.code, 1);  // nothing left to cancel
  auto unknown = h.run({"outbox", "retry", "--config", h.config_path().string(), "999999"});
  EXPECT_EQ(unknown.status.code, 1);
  EXPECT_NE(unknown.err.find("999999"), std::string::npos);

  // The token is fixed (the fake now accepts ours): an administrator retries the first.
  EXPECT_TRUE(stopped_cleanly(*gateway));
  FakeLineApi fixed(kSpec, token);
  rewrite_api_base(h, fixed.base_url());
  gateway = h.start();
  auto retried = h.run({"outbox", "retry", "--config", h.config_path().string(), std::to_string(first)});
  EXPECT_EQ(retried.status.code, 0) << retried.err;
  ASSERT_TRUE(fixed.wait_until([&] { return fixed.accepted_count() == 1; }, 10000));
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM outbound_messages WHERE status = 'delivered'"), 1);
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM outbound_messages WHERE error_code = 'cancelled'"), 1);
  EXPECT_TRUE(stopped_cleanly(*gateway));
  expect_no_spec_violations(fixed);
}

// Exactly once at LINE: one accepted acknowledgement per person, by reply token (each used
// once) or by push (to someone who wrote). Returns how many went by reply.
std::size_t expect_one_acknowledgement_each(const FakeLineApi& fake, const std::set<std::string>& users) {
  std::map<std::string, int> per_reply_token, per_user;
  for (const auto& a : fake.accepted()) {
    EXPECT_EQ(a.texts, std::vector<std::string>{kAck});
    if (a.method == "reply") ++per_reply_token[a.reply_token];
    else ++per_user[a.to];
  }
  EXPECT_EQ(per_reply_token.size() + per_user.size(), users.size());
  for (const auto& [k, n] : per_reply_token) EXPECT_EQ(n, 1) << "reply token " << k;
  for (const auto& [u, n] : per_user) {
    EXPECT_EQ(n, 1) << "push to " << u;
    EXPECT_TRUE(users.contains(u));
  }
  return per_reply_token.size();
}

// Repeats of something LINE had accepted (409 for a retry key, 400 for a used reply token),
// which the gateway answers as delivered.
int repeats_of_accepted(const FakeLineApi& fake) {
  int repeats = 0;
  for (const auto& r : fake.requests()) repeats += r.status == 409 || (r.status == 400 && !r.reply_token.empty());
  return repeats;
}

// Round after round: webhooks from new people (each gets one acknowledgement: by the reply
// API, or by push with its retry key when reply_window_s is 0) while LINE misbehaves at
// random and the gateway is SIGKILLed at a random moment.
void crash_rounds(int reply_window_s) {
  const auto rounds = env_number("MADOGUCHI_OUTBOX_CRASH_ROUNDS", 20);
  const auto seed = env_number("MADOGUCHI_CRASH_SEED", std::random_device{}());
  SCOPED_TRACE("MADOGUCHI_CRASH_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const std::string token = "integration-token";
  FakeLineApi fake(kSpec, token);
  fake.set_hang_ms(1500);  // longer than the gateway's 1 s send timeout
  fake.random_faults(0.2, static_cast<std::uint32_t>(seed));
  GatewayHarness h(fake_line_options(fake, token, reply_window_s));
  set_first_reply(h);
  LineEventFactory events(seed);
  std::set<std::string> users;  // everyone who wrote: each must get exactly one acknowledgement

  for (std::uint64_t round = 0; round < rounds; ++round) {
    auto gateway = h.start();
    HttpClient client(gateway->port());
    // 10–30 new people, in webhooks of 1–3 events.
    const int people = 10 + static_cast<int>(rng() % 21);
    for (int i = 0; i < people;) {
      std::vector<boost::json::object> batch;
      std::vector<std::string> batch_users;
      for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n && i < people; ++k, ++i) {
        auto user = events.next_user_id();
        batch.push_back(events.text(events.next_event_id(), user, "相談です", events.next_message_id()));
        batch_users.push_back(user);
      }
      auto answer = post_signed(client, h.channel_secret(), line_webhook_body(batch));
      ASSERT_TRUE(answer && answer->status == 200) << "round " << round;
      users.insert(batch_users.begin(), batch_users.end());
    }
    // Killed at a random moment while the acknowledgements are going out.
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 400));
    gateway->kill();
  }

  // A last start without faults lets everything finish.
  fake.random_faults(0, 1);
  auto gateway = h.start();
  SqliteProbe probe(h.database());
  const auto everyone = static_cast<std::int64_t>(users.size());
  ASSERT_TRUE(fake.wait_until([&] {
    return probe.scalar("SELECT count(*) FROM outbound_messages WHERE status IN ('delivered', 'failed')") == everyone;
  }, 120000)) << probe.scalar("SELECT count(*) FROM outbound_messages WHERE status = 'delivered'") << " of "
              << everyone;
  EXPECT_TRUE(stopped_cleanly(*gateway));

  EXPECT_EQ(probe.scalar("SELECT count(*) FROM outbound_messages"), everyone);
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM outbound_messages WHERE status = 'delivered'"), everyone);
  const auto by_reply = expect_one_acknowledgement_each(fake, users);
  if (reply_window_s == 0) {
    EXPECT_EQ(by_reply, 0u);
  }
  // The recovery paths were taken: a repeat of something LINE had accepted.
  const int repeats = repeats_of_accepted(fake);
  int requests = 0;
  for (const auto& r : fake.requests())
    requests += r.target != "/v2/bot/message/quota" && r.target != "/v2/bot/message/quota/consumption";
  std::cout << "[ figures  ] " << rounds << " rounds, " << everyone << " people, " << requests
            << " send requests, " << repeats << " repeats of accepted requests\n";
  if (rounds >= 10) {
    EXPECT_GT(repeats, 0);
  }
  EXPECT_EQ(probe.rows("PRAGMA integrity_check").at(0).at(0), "ok");
  expect_no_spec_violations(fake);
}

// The gateway SIGKILLed at each step of a delivery that leaves a different trace, one person
// per step: a restart ends every one of them with exactly one acknowledgement at LINE.
struct KillStep {
  const char* name;
  SendPhase phase;
  std::optional<LineFault> fault;  // what LINE does with the request the gateway dies on
};
const KillStep kKillSteps[] = {
    {"request at LINE, not taken", SendPhase::received, LineFault::hang_before_accept},
    {"request taken by LINE, its answer never came", SendPhase::received, LineFault::hang_after_accept},
    {"LINE's 200 arrived, not yet written down", SendPhase::answered, std::nullopt},
    {"LINE's 500 arrived, the retry not yet written down", SendPhase::answered, LineFault::server_error},
    {"LINE's 429 arrived, the retry not yet written down", SendPhase::answered, LineFault::rate_limited},
};

void killed_at_every_step(int reply_window_s) {
  const std::string token = "integration-token";
  FakeLineApi fake(kSpec, token);
  fake.set_hang_ms(1500);  // longer than the gateway's 1 s send timeout
  GatewayHarness h(fake_line_options(fake, token, reply_window_s));
  set_first_reply(h);
  LineEventFactory events(700 + reply_window_s);
  std::set<std::string> users;
  std::int64_t delivered_before = 0;
  for (const auto& step : kKillSteps) {
    SCOPED_TRACE(step.name);
    auto gateway = h.start();
    // The fake stops at the step and waits there until the gateway is dead.
    std::promise<void> reached, killed;
    auto reached_future = reached.get_future();
    std::shared_future<void> killed_future = killed.get_future().share();
    auto fired = std::make_shared<std::atomic<bool>>(false);
    fake.on_send([&reached, killed_future, fired, phase = step.phase](SendPhase p) {
      if (p != phase || fired->exchange(true)) return;
      reached.set_value();
      killed_future.wait();
    });
    if (step.fault) fake.inject(*step.fault, 1, 1);
    HttpClient client(gateway->port());
    const auto user = events.next_user_id();
    auto answer = post_signed(client, h.channel_secret(),
                              line_webhook_body({events.text(events.next_event_id(), user, "相談です", events.next_message_id())}));
    ASSERT_TRUE(answer && answer->status == 200);
    users.insert(user);
    const bool stopped_there = reached_future.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
    gateway->kill();
    killed.set_value();
    fake.on_send({});
    ASSERT_TRUE(stopped_there);

    // Restarted: this person's acknowledgement (and every earlier one) ends delivered.
    gateway = h.start();
    SqliteProbe probe(h.database());
    const auto everyone = static_cast<std::int64_t>(users.size());
    EXPECT_TRUE(fake.wait_until([&] {
      return probe.scalar("SELECT count(*) FROM outbound_messages WHERE status = 'delivered'") == everyone;
    }, 30000)) << probe.scalar("SELECT count(*) FROM outbound_messages WHERE status = 'delivered'") << " of " << everyone;
    EXPECT_GT(everyone, delivered_before);
    delivered_before = everyone;
    EXPECT_TRUE(stopped_cleanly(*gateway));
    EXPECT_EQ(probe.scalar("SELECT count(*) FROM outbound_messages"), everyone);
    EXPECT_EQ(probe.rows("PRAGMA integrity_check").at(0).at(0), "ok");
  }
  expect_one_acknowledgement_each(fake, users);
  // The request LINE took without its answer reaching the gateway came again and LINE refused
  // it as a repeat.
  EXPECT_GE(repeats_of_accepted(fake), 1);
  expect_no_spec_violations(fake);
}

TEST(Outbox, KilledAtEachStepOfAReplyEveryoneGetsOneAcknowledgement) { killed_at_every_step(50); }
TEST(Outbox, KilledAtEachStepOfAPushEveryoneGetsOneAcknowledgement) { killed_at_every_step(0); }

TEST(Outbox, EveryReplyArrivesExactlyOnceAcrossSigkills) { crash_rounds(50); }
TEST(Outbox, EveryPushArrivesExactlyOnceAcrossSigkills) { crash_rounds(0); }

}  // namespace
}  // namespace madoguchi::testing
