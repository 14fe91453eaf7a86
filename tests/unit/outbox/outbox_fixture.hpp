#pragma once
// A real outbox against the fake LINE API: a migrated store with tenant keys, ingest to
// create conversations (with reply tokens in their sealed bodies), the worker thread, the
// triage worker (which queues the automatic first reply) and the entry point. Short
// timeouts and backoff so faults resolve in milliseconds.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "adapters/line/line_channel.hpp"
#include "adapters/line/line_outbound.hpp"
#include "crypto/keys.hpp"
#include "gateway/ingest/event_records.hpp"
#include "gateway/outbox/outbox.hpp"
#include "gateway/outbox/worker.hpp"
#include "gateway/triage/worker.hpp"
#include "store/accounts.hpp"
#include "store/ingest_store.hpp"
#include "store/schema.hpp"
#include "store/transaction.hpp"
#include "tests/fakes/fake_line_api.hpp"

namespace madoguchi::outbox::testing {

inline const char* kFirstReply = "ご連絡ありがとうございます。";
inline const char* kToken = "line-token-for-tests";

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/madoguchi-outbox-XXXXXX";
    dir_ = mkdtemp(pattern);
    ASSERT_TRUE(crypto::init_tenant_keys(dir_ / "keys", "pass", crypto::KdfLimits::interactive()));
    auto ingest_keys = crypto::load_ingest_keys(dir_ / "keys", "pass");
    auto pair = crypto::load_sealing_keys(dir_ / "keys", "pass");
    ASSERT_TRUE(ingest_keys && pair);
    tenant_ = std::make_unique<ingest::TenantIngest>("t1", std::move(*ingest_keys), clock_, 600'000, 1000);
    keys_.add("t1", std::move(*pair), 600'000, 1000);
    db_options_.path = dir_ / "test.db";
    db_ = std::make_unique<store::Database>(db_options_);
    ASSERT_TRUE(store::migrate(*db_));
    auto ids = store::sync_accounts(*db_, {{"t1", "テスト市", {"窓口A"}}}, {{"t1", "line", "demo"}});
    ASSERT_TRUE(ids);
    account_ = ids->at({"line", "demo"});
    fake_ = std::make_unique<madoguchi::testing::FakeLineApi>(MADOGUCHI_SHARED_DIR "/specs/line-openapi/messaging-api.yml", kToken);
    fake_->set_hang_ms(400);
    log_ = std::make_unique<Log>(LogLevel::info, (dir_ / "log.jsonl").string());
  }

  // Builds the worker and the triage worker (neither started) and the entry point.
  void build(int max_attempts = 5, std::int64_t reply_window_ms = 50'000, int per_second = 1000) {
    build_outbox(max_attempts, reply_window_ms, per_second);
    config::Config c;  // triage with the built-in rules; the window has no hours: always open
    std::vector<config::ConfigError> errors;
    EXPECT_TRUE(config::load_triage_rules_file({}, c.triage.rules, errors));
    config::TriageTenantConfig t1;
    t1.tenant = "t1";
    t1.general_window = "窓口A";
    c.triage.tenants.push_back(t1);
    assessor_ = std::make_unique<triage::Assessor>(c);
    triage::TriageWorkerOptions to;
    to.poll_ms = 10;
    to.reply_max_attempts = max_attempts;
    triage_ = std::make_unique<triage::TriageWorker>(db_options_, to, *assessor_,
                                                    std::map<std::string, std::string>{{"t1", kFirstReply}}, keys_,
                                                    senders_, feed_, [this] { worker_->wake(); }, *log_,
                                                    clock_);
  }

  // The outbox alone: the worker (not started), the LINE sender and the entry point. A
  // short `lease_ms` lets a job whose end could not be recorded run again within the test.
  void build_outbox(int max_attempts = 5, std::int64_t reply_window_ms = 50'000, int per_second = 1000,
                    std::int64_t lease_ms = 60'000) {
    WorkerOptions o;
    o.lanes = 2;
    o.backoff = {10, 40};
    o.lease_ms = lease_ms;
    o.poll_ms = 10;
    worker_ = std::make_unique<OutboxWorker>(db_options_, o, keys_, senders_, feed_, metrics_, *log_, clock_);
    adapters::HttpClientOptions http{fake_->base_url(), std::chrono::milliseconds(200)};
    line_ = std::make_shared<adapters::line::LineOutbound>(
        Secret(kToken), std::make_unique<adapters::HttpClient>(worker_->executor(), http), reply_window_ms);
    senders_.add(account_, adapters::line::line_channel_info(), "demo", line_, per_second);
    outbox_ = std::make_unique<Outbox>(db_options_, keys_, senders_, OutboxLimits{30000, max_attempts},
                                       [this] { worker_->wake(); }, clock_);
    feed_.subscribe([this](const DeliveryUpdate& u) {
      std::lock_guard lock(updates_mutex_);
      updates_.push_back(u);
    });
  }
  void start() {
    worker_->start();
    triage_->start();
  }

  void TearDown() override {
    if (triage_) triage_->stop();
    if (worker_) worker_->stop();
    line_.reset();  // before the worker's io_context goes
    if (fake_) {
      for (const auto& p : fake_->problems()) ADD_FAILURE() << "LINE API spec violation: " << p;
    }
    outbox_.reset();
    worker_.reset();
    fake_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A text message event from `user` carrying `reply_token`; returns the conversation id.
  std::int64_t receive(const std::string& user, const std::string& text, const std::string& reply_token) {
    NormalizedMessage m;
    m.channel = "line";
    m.account = "demo";
    m.external_id = "ev-" + std::to_string(++events_);
    m.event_type = "message";
    m.message_type = "text";
    m.provider_timestamp_ms = clock_.now_ms();
    m.source_kind = "user";
    m.sender_id = user;
    m.thread_id = user;
    m.text = text;
    m.payload_json = R"({"type":"message","replyToken":")" + reply_token + R"("})";
    m.reply_handle = reply_token;
    return write({m});
  }

  std::int64_t unfollow(const std::string& user) {
    NormalizedMessage m;
    m.channel = "line";
    m.account = "demo";
    m.external_id = "ev-" + std::to_string(++events_);
    m.event_type = "unfollow";
    m.provider_timestamp_ms = clock_.now_ms() + 1;
    m.source_kind = "user";
    m.sender_id = user;
    m.thread_id = user;
    m.effect = ContactEffect::unreachable;
    return write({m});
  }

  std::int64_t write(const std::vector<NormalizedMessage>& messages) {
    auto batch = ingest::build_batch(*tenant_, account_, messages, clock_);
    store::IngestStore store(*db_);
    EXPECT_TRUE(store::in_transaction(*db_, [&]() -> result<void> {
      auto r = store.write_batch(batch);
      if (!r) return r.error();
      return {};
    }));
    auto s = db_->prepare("SELECT conversation_id FROM messages WHERE external_id = ?");
    s.bind(1, messages.back().external_id);
    EXPECT_TRUE(s.step().value());
    return s.column_int(0);
  }

  std::string status_of(const std::string& id) {
    auto s = outbox_->status(id);
    return s && *s ? (*s)->status : "";
  }

  // Waits until the outbound message reaches a final status.
  std::optional<OutboundStatus> final_status(const std::string& id, int timeout_ms = 10000) {
    std::optional<OutboundStatus> last;
    fake_->wait_until([&] {
      auto s = outbox_->status(id);
      if (s && *s) last = **s;
      return last && (last->status == "delivered" || last->status == "failed");
    }, timeout_ms);
    return last;
  }

  std::int64_t count(const std::string& sql) {
    auto s = db_->prepare(sql);
    EXPECT_TRUE(s.step().value());
    return s.column_int(0);
  }

  std::string first_outbound(std::int64_t conversation) {
    std::string id;
    fake_->wait_until([&] {
      auto rows = outbox_->conversation_statuses(conversation);
      if (rows && !rows->empty()) id = rows->front().id;
      return !id.empty();
    }, 5000);
    return id;
  }

  std::filesystem::path dir_;
  SystemClock clock_;
  std::unique_ptr<ingest::TenantIngest> tenant_;
  crypto::Keyring keys_{clock_};
  store::DatabaseOptions db_options_;
  std::unique_ptr<store::Database> db_;
  std::int64_t account_ = 0;
  int events_ = 0;
  std::unique_ptr<madoguchi::testing::FakeLineApi> fake_;
  std::unique_ptr<Log> log_;
  Metrics metrics_;
  DeliveryFeed feed_;
  Senders senders_;
  std::shared_ptr<adapters::line::LineOutbound> line_;
  std::unique_ptr<OutboxWorker> worker_;
  std::unique_ptr<triage::Assessor> assessor_;
  std::unique_ptr<triage::TriageWorker> triage_;
  std::unique_ptr<Outbox> outbox_;
  std::mutex updates_mutex_;
  std::vector<DeliveryUpdate> updates_;
};

}  // namespace madoguchi::outbox::testing
