#pragma once
// Fixture of the console API tests: a tenant with windows 窓口A and 窓口B, staff a-counselor
// (窓口A), b-counselor (窓口B) and chief (supervisor), one conversation in 窓口A, and the
// console routes on an in-process router driven with a fake clock. No sockets: handlers
// answer synchronously, except login, which answers from the API's login pool (call()
// waits for it).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <future>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "crypto/keys.hpp"
#include "gateway/console/api.hpp"
#include "gateway/console/staff_admin.hpp"
#include "gateway/ingest/event_records.hpp"
#include "store/accounts.hpp"
#include "store/ingest_store.hpp"
#include "store/schema.hpp"
#include "store/transaction.hpp"

namespace madoguchi::console::test {
namespace json = boost::json;

// The outbox worker does not run here: a reply only has to be queued.
class UnusedSender final : public OutboundAdapter {
 public:
  OutboundCapabilities capabilities() const override { return {5000, 5, 50'000}; }
  boost::asio::awaitable<DeliveryResult> send(const OutboundRequest&) override {
    ADD_FAILURE() << "nothing is sent in API tests";
    co_return DeliveryResult{};
  }
};

class ApiTest : public ::testing::Test {
 protected:
  // Where the console's pages are served from in these tests.
  static constexpr const char* kConsoleOrigin = "http://127.0.0.1:8080";

  // What a derived fixture may change: the limits of Cases and the options of the API.
  virtual CaseLimits case_limits() const { return {100, 20000, 32}; }
  virtual ApiOptions api_options() const { return {}; }

  void SetUp() override {
    char pattern[] = "/tmp/madoguchi-api-XXXXXX";
    dir_ = mkdtemp(pattern);
    ASSERT_TRUE(crypto::init_tenant_keys(dir_ / "keys", "pass", crypto::KdfLimits::interactive()));
    auto ingest_keys = crypto::load_ingest_keys(dir_ / "keys", "pass");
    auto pair = crypto::load_sealing_keys(dir_ / "keys", "pass");
    ASSERT_TRUE(ingest_keys && pair);
    tenant_ = std::make_unique<ingest::TenantIngest>("t1", std::move(*ingest_keys), clock_, 600'000, 1000);
    keys_.add("t1", std::move(*pair), 600'000, 1000);
    options_.path = dir_ / "test.db";
    db_ = std::make_unique<ConsoleDb>(options_);
    ASSERT_TRUE(store::migrate(db_->db));
    auto ids = store::sync_accounts(db_->db, {{"t1", "テスト市", {"窓口A", "窓口B"}}}, {{"t1", "line", "demo"}});
    ASSERT_TRUE(ids);
    account_ = ids->at({"line", "demo"});
    senders_.add(account_, ChannelInfo{"line", "LINE", "", 5000, true}, "demo", std::make_shared<UnusedSender>(), 100);
    outbox_ = std::make_unique<outbox::Outbox>(options_, keys_, senders_, outbox::OutboxLimits{20000, 8}, [] {}, clock_);
    audit_ = std::make_unique<AuditLog>(db_->db, load_audit_key(dir_ / "audit.key", true), clock_);
    AuthPolicy policy;
    policy.lock_after_failures = 3;
    auth_ = std::make_unique<Auth>(*db_, keys_, *audit_, policy, clock_);
    cases_ = std::make_unique<Cases>(*db_, keys_, *outbox_, *audit_, case_limits(), clock_);
    live_ = std::make_unique<LiveHub>(options_, *cases_, feed_);
    templates_ = std::make_unique<Templates>(*db_, *audit_, [](const std::string&, const std::string&, std::int64_t) {
      return WindowFacts{"月〜金 8:30-17:15（祝日・年末年始は休み）", "", "・救急 119（24時間）"};
    }, TemplateLimits{60, 5000, 3}, clock_);
    api_ = std::make_unique<ConsoleApi>(*auth_, *cases_, *templates_, *live_, api_options());
    api_->allow_origins({kConsoleOrigin});
    api_->add_routes(router_);
    add("a-counselor", "counselor", {"窓口A"});
    add("b-counselor", "counselor", {"窓口B"});
    add("chief", "supervisor", {});
    conversation_ = receive("U1", "息子のことで相談したいです");
  }
  void TearDown() override {
    api_.reset();
    templates_.reset();
    live_.reset();
    cases_.reset();
    auth_.reset();
    audit_.reset();
    outbox_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  void add(const std::string& name, const std::string& role, std::vector<std::string> windows) {
    ASSERT_TRUE(add_staff(db_->db, keys_, *audit_, {"t1", name, role, std::move(windows), "password-1234", false},
                          "test", crypto::KdfLimits::interactive(), clock_));
  }

  // Seals and stores one inbound message as ingest does; the batch says what was written.
  store::IngestBatch store_message(const NormalizedMessage& m) {
    auto batch = ingest::build_batch(*tenant_, account_, {m}, clock_);
    store::IngestStore store(db_->db);
    EXPECT_TRUE(store::in_transaction(db_->db, [&]() -> result<void> {
      auto r = store.write_batch(batch);
      if (!r) return r.error();
      return {};
    }));
    return batch;
  }

  std::int64_t receive(const std::string& user, const std::string& text) {
    NormalizedMessage m;
    m.channel = "line";
    m.account = "demo";
    m.external_id = "ev-" + user + text;
    m.event_type = "message";
    m.message_type = "text";
    m.provider_timestamp_ms = clock_.now_ms();
    m.source_kind = "user";
    m.sender_id = m.thread_id = user;
    m.text = text;
    m.payload_json = R"({"type":"message"})";
    store_message(m);
    auto s = db_->db.prepare("SELECT conversation_id FROM messages WHERE external_id = ?");
    s.bind(1, m.external_id);
    EXPECT_TRUE(s.step().value());
    return s.column_int(0);
  }

  struct Session {
    std::string cookie, csrf;
  };

  http::Response call(const std::string& method, const std::string& target, const std::string& body = "",
                      const Session* session = nullptr, bool with_csrf = true) {
    http::Request r;
    r.method = method;
    auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    r.body = body;
    r.remote_address = "127.0.0.1";
    // As the console's pages send them: JSON, and the page's Origin with every POST.
    if (method != "GET") {
      r.headers.emplace_back("content-type", "application/json");
      r.headers.emplace_back("origin", kConsoleOrigin);
    }
    if (session) {
      r.headers.emplace_back("cookie", "other=1; madoguchi_session=" + session->cookie);
      if (with_csrf) r.headers.emplace_back("x-csrf-token", session->csrf);
    }
    auto match = router_.match(r.method, r.path);
    EXPECT_TRUE(match.handler) << target;
    return answer(std::move(r));
  }

  // Runs a prepared request through the router and waits (bounded) for its answer.
  http::Response answer(http::Request r) {
    auto match = router_.match(r.method, r.path);
    if (!match.handler) return {};
    auto promise = std::make_shared<std::promise<http::Response>>();
    auto future = promise->get_future();
    (*match.handler)(std::move(r), match.params, [promise](http::Response res) { promise->set_value(std::move(res)); });
    if (future.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
      ADD_FAILURE() << "no answer";
      return {};
    }
    return future.get();
  }

  Session login(const std::string& user, const std::string& password = "password-1234") {
    auto res = call("POST", "/api/login", R"({"username":")" + user + R"(","password":")" + password + R"("})");
    EXPECT_EQ(res.status, 200u) << res.body;
    Session s;
    for (auto& [k, v] : res.headers)
      if (k == "Set-Cookie") s.cookie = v.substr(v.find('=') + 1, v.find(';') - v.find('=') - 1);
    s.csrf = std::string(json::parse(res.body).at("csrf_token").as_string());
    return s;
  }

  static std::string error_of(const http::Response& r) { return std::string(json::parse(r.body).at("error").as_string()); }
  std::string conv(const std::string& suffix = "") { return "/api/conversations/" + std::to_string(conversation_) + suffix; }

  std::filesystem::path dir_;
  FakeClock clock_;
  std::unique_ptr<ingest::TenantIngest> tenant_;
  crypto::Keyring keys_{clock_};
  store::DatabaseOptions options_;
  std::unique_ptr<ConsoleDb> db_;
  std::int64_t account_ = 0, conversation_ = 0;
  outbox::Senders senders_;
  DeliveryFeed feed_;
  std::unique_ptr<outbox::Outbox> outbox_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<Auth> auth_;
  std::unique_ptr<Cases> cases_;
  std::unique_ptr<LiveHub> live_;
  std::unique_ptr<Templates> templates_;
  std::unique_ptr<ConsoleApi> api_;
  http::Router router_;
};

}  // namespace madoguchi::console::test
