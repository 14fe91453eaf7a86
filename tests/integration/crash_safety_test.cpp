// SIGKILL at random moments under load (SECURITY.md): no acknowledged event is lost,
// nothing is stored twice, and the database passes integrity_check. Rounds:
// MADOGUCHI_CRASH_ROUNDS (default 20); seed: MADOGUCHI_CRASH_SEED (printed on failure).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json/serialize.hpp>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <set>
#include <thread>

#include "tests/fakes/line_webhooks.hpp"
#include "tests/fakes/sqlite_probe.hpp"
#include "tests/integration/harness.hpp"

namespace madoguchi::testing {
namespace {

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::strtoull(value, nullptr, 10) : fallback;
}

// Every event ever sent, and which ids a 200 acknowledged. Shared by the client threads.
class Ledger {
 public:
  void sent(const std::vector<boost::json::object>& events) {
    std::lock_guard lock(mutex_);
    for (const auto& e : events) events_.emplace(std::string(e.at("webhookEventId").as_string()), e);
  }
  void acknowledged(const std::vector<std::string>& ids) {
    std::lock_guard lock(mutex_);
    acknowledged_.insert(ids.begin(), ids.end());
  }
  // A random part of the acknowledged and of the unacknowledged events, to send again.
  std::vector<boost::json::object> pick_resends(std::mt19937_64& rng) {
    std::lock_guard lock(mutex_);
    std::vector<boost::json::object> out;
    for (const auto& [id, event] : events_) {
      const bool acked = acknowledged_.contains(id);
      if (rng() % 100 < (acked ? 15u : 60u)) {
        auto again = event;
        again["deliveryContext"].as_object()["isRedelivery"] = true;
        out.push_back(std::move(again));
      }
    }
    std::shuffle(out.begin(), out.end(), rng);
    return out;
  }
  bool is_acknowledged(const std::string& id) {
    std::lock_guard lock(mutex_);
    return acknowledged_.contains(id);
  }
  std::set<std::string> acknowledged_ids() {
    std::lock_guard lock(mutex_);
    return acknowledged_;
  }
  std::set<std::string> sent_ids() {
    std::lock_guard lock(mutex_);
    std::set<std::string> out;
    for (const auto& [id, event] : events_) out.insert(id);
    return out;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, boost::json::object> events_;
  std::set<std::string> acknowledged_;
};

// One client connection: new events mixed with resends of older ones, until the
// gateway goes away (or `stop`).
class LoadClient {
 public:
  LoadClient(std::uint16_t port, const std::string& secret, std::uint64_t seed, Ledger& ledger,
             std::vector<boost::json::object> resends, const std::atomic<bool>& killing)
      : client_(port), secret_(secret), factory_(seed), ledger_(ledger), resends_(std::move(resends)),
        killing_(killing) {
    for (int i = 0; i < 2; ++i) users_.push_back(factory_.next_user_id());
  }

  // Returns when a request fails (the kill) or after `max_requests`.
  void run(int max_requests) {
    auto& rng = factory_.rng();
    for (int n = 0; n < max_requests; ++n) {
      std::vector<boost::json::object> events;
      std::vector<std::string> ids;
      bool all_known_acked = true;
      const int count = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < count; ++k) {
        auto event = next_event(rng);
        std::string id(event.at("webhookEventId").as_string());
        if (std::find(ids.begin(), ids.end(), id) != ids.end()) continue;  // never twice in one webhook
        all_known_acked = all_known_acked && ledger_.is_acknowledged(id);
        ids.push_back(std::move(id));
        events.push_back(std::move(event));
      }
      ledger_.sent(events);
      auto r = post_signed(client_, secret_, line_webhook_body(events));
      if (!r) {
        // Only the kill may cut a request short.
        if (!killing_.load()) ADD_FAILURE() << "request failed before the kill: " << r.error().message();
        return;
      }
      if (r->status != 200) {
        ADD_FAILURE() << "status " << r->status << ": " << r->body;
        return;
      }
      auto answer = parse_answer(r->body);
      ASSERT_TRUE(answer) << r->body;
      EXPECT_EQ(answer->stored + answer->duplicates, static_cast<std::int64_t>(ids.size())) << r->body;
      if (all_known_acked) {
        EXPECT_EQ(answer->stored, 0) << "an acknowledged event was stored again: " << r->body;
      }
      ledger_.acknowledged(ids);
      for (auto& e : events) acked_events_.push_back(std::move(e));
      ++acknowledged_requests_;
    }
  }

  int acknowledged_requests() const { return acknowledged_requests_; }

 private:
  boost::json::object next_event(std::mt19937_64& rng) {
    const auto roll = rng() % 100;
    if (roll < 20 && !resends_.empty()) {
      auto event = std::move(resends_.back());
      resends_.pop_back();
      return event;
    }
    if (roll < 30 && !acked_events_.empty()) {  // LINE redelivers what we already acknowledged
      auto event = acked_events_[rng() % acked_events_.size()];
      event["deliveryContext"].as_object()["isRedelivery"] = true;
      return event;
    }
    const auto& user = users_[rng() % users_.size()];
    if (roll < 45) return factory_.follow(factory_.next_event_id(), user);
    if (roll < 55 && !message_ids_.empty())
      return factory_.unsend(factory_.next_event_id(), user, message_ids_[rng() % message_ids_.size()]);
    message_ids_.push_back(factory_.next_message_id());
    return factory_.text(factory_.next_event_id(), user, "相談です " + random_hex(rng, 8), message_ids_.back());
  }

  HttpClient client_;
  std::string secret_;
  LineEventFactory factory_;
  Ledger& ledger_;
  std::vector<boost::json::object> resends_;
  const std::atomic<bool>& killing_;
  std::vector<std::string> users_;
  std::vector<std::string> message_ids_;
  std::vector<boost::json::object> acked_events_;
  int acknowledged_requests_ = 0;
};

// Starts the gateway, loads it from `threads` connections, and SIGKILLs it after
// `kill_after` (or stops it cleanly when kill_after is zero and the load is done).
int load_round(const GatewayHarness& h, Ledger& ledger, std::mt19937_64& rng, int threads,
               std::chrono::milliseconds kill_after, int max_requests_per_client) {
  auto gateway = h.start();
  auto resends = ledger.pick_resends(rng);
  std::atomic<bool> killing{false};
  std::vector<std::unique_ptr<LoadClient>> clients;
  for (int i = 0; i < threads; ++i) {
    std::vector<boost::json::object> share;
    for (std::size_t k = static_cast<std::size_t>(i); k < resends.size(); k += static_cast<std::size_t>(threads))
      share.push_back(resends[k]);
    clients.push_back(std::make_unique<LoadClient>(gateway->port(), h.channel_secret(), rng(), ledger,
                                                   std::move(share), killing));
  }
  std::vector<std::thread> workers;
  for (auto& c : clients) workers.emplace_back([&c, max_requests_per_client] { c->run(max_requests_per_client); });
  if (kill_after.count() > 0) {
    // The random moment of the crash is the point of this test, not a wait for a condition.
    std::this_thread::sleep_for(kill_after);
    killing = true;
    auto status = gateway->kill();
    EXPECT_EQ(status.signal, SIGKILL) << status.describe();
  }
  for (auto& w : workers) w.join();
  if (kill_after.count() == 0) {
    EXPECT_TRUE(stopped_cleanly(*gateway));
  }
  int acknowledged = 0;
  for (auto& c : clients) acknowledged += c->acknowledged_requests();
  return acknowledged;
}

TEST(GatewayCrashSafety, SigkillUnderLoadLosesNothingAcknowledgedAndDuplicatesNothing) {
  const auto rounds = static_cast<int>(env_number("MADOGUCHI_CRASH_ROUNDS", 20));
  const auto seed = env_number("MADOGUCHI_CRASH_SEED", 0x5eed'cafe);
  SCOPED_TRACE("MADOGUCHI_CRASH_SEED=" + std::to_string(seed) + " MADOGUCHI_CRASH_ROUNDS=" + std::to_string(rounds));
  std::mt19937_64 rng(seed);
  GatewayHarness h;
  Ledger ledger;

  int acknowledged_requests = 0;
  for (int round = 0; round < rounds && !::testing::Test::HasFatalFailure(); ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    const int threads = 8 + static_cast<int>(rng() % 9);
    const auto kill_after = std::chrono::milliseconds(20 + rng() % 381);
    acknowledged_requests += load_round(h, ledger, rng, threads, kill_after, /*max_requests_per_client=*/100'000);
  }
  // The last restart: resends only, then a clean stop.
  acknowledged_requests += load_round(h, ledger, rng, 8, std::chrono::milliseconds(0), 20);

  const auto acknowledged = ledger.acknowledged_ids();
  const auto sent = ledger.sent_ids();
  ASSERT_GT(acknowledged.size(), 0u) << "no request was ever acknowledged: the test proved nothing";
  std::cout << "[ crash ] rounds=" << rounds << " acknowledged requests=" << acknowledged_requests
            << " acknowledged events=" << acknowledged.size() << " sent events=" << sent.size() << "\n";

  auto stored = h.stored_external_ids();
  for (const auto& id : acknowledged) {
    auto it = stored.find(id);
    EXPECT_TRUE(it != stored.end()) << "acknowledged event lost: " << id;
  }
  for (const auto& [id, count] : stored) {
    EXPECT_EQ(count, 1) << "stored " << count << " times: " << id;
    EXPECT_TRUE(sent.contains(id)) << "stored but never sent: " << id;
  }
  SqliteProbe db(h.database());
  EXPECT_EQ(db.rows("PRAGMA integrity_check"), (std::vector<std::vector<std::string>>{{"ok"}}));
  EXPECT_TRUE(db.rows("PRAGMA foreign_key_check").empty());
}

}  // namespace
}  // namespace madoguchi::testing
