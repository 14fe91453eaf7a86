// The console API in process, through the same router the server uses: login, lock-out,
// CSRF, session expiry (fake clock), access across windows, limits, and a reply reaching
// the outbox. No sockets: handlers answer synchronously.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "crypto/keys.hpp"
#include "gateway/console/api.hpp"
#include "gateway/console/staff_admin.hpp"
#include "gateway/ingest/event_records.hpp"
#include "queue/accounts.hpp"
#include "queue/ingest_store.hpp"
#include "queue/schema.hpp"
#include "queue/transaction.hpp"

namespace madoguchi::console {
namespace {
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
    ASSERT_TRUE(queue::migrate(db_->db));
    auto ids = queue::sync_accounts(db_->db, {{"t1", "テスト市", {"窓口A", "窓口B"}}}, {{"t1", "line", "demo"}});
    ASSERT_TRUE(ids);
    account_ = ids->at({"line", "demo"});
    senders_.add(account_, "line", "demo", std::make_shared<UnusedSender>(), 100);
    outbox_ = std::make_unique<outbox::Outbox>(options_, keys_, senders_, outbox::OutboxLimits{20000, 8}, [] {}, clock_);
    audit_ = std::make_unique<AuditLog>(db_->db, load_audit_key(dir_ / "audit.key", true), clock_);
    AuthPolicy policy;
    policy.lock_after_failures = 3;
    auth_ = std::make_unique<Auth>(*db_, keys_, *audit_, policy, clock_);
    cases_ = std::make_unique<Cases>(*db_, keys_, *outbox_, *audit_, CaseLimits{100, 20000, 32}, clock_);
    live_ = std::make_unique<LiveHub>(options_, *cases_, feed_);
    api_ = std::make_unique<ConsoleApi>(*auth_, *cases_, *live_, ApiOptions{});
    api_->add_routes(router_);
    add("a-counselor", "counselor", {"窓口A"});
    add("b-counselor", "counselor", {"窓口B"});
    add("chief", "supervisor", {});
    conversation_ = receive("U1", "息子のことで相談したいです");
  }
  void TearDown() override {
    api_.reset();
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
    auto batch = ingest::build_batch(*tenant_, account_, {m}, clock_);
    queue::IngestStore store(db_->db);
    EXPECT_TRUE(queue::in_transaction(db_->db, [&]() -> result<void> {
      auto r = store.write_batch(batch);
      if (!r) return r.error();
      return {};
    }));
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
    if (session) {
      r.headers.emplace_back("cookie", "other=1; madoguchi_session=" + session->cookie);
      if (with_csrf) r.headers.emplace_back("x-csrf-token", session->csrf);
    }
    auto match = router_.match(r.method, r.path);
    EXPECT_TRUE(match.handler) << target;
    http::Response out;
    (*match.handler)(std::move(r), match.params, [&](http::Response res) { out = std::move(res); });
    return out;
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
  outbox::TenantKeys keys_{clock_};
  queue::DatabaseOptions options_;
  std::unique_ptr<ConsoleDb> db_;
  std::int64_t account_ = 0, conversation_ = 0;
  outbox::Senders senders_;
  outbox::DeliveryFeed feed_;
  std::unique_ptr<outbox::Outbox> outbox_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<Auth> auth_;
  std::unique_ptr<Cases> cases_;
  std::unique_ptr<LiveHub> live_;
  std::unique_ptr<ConsoleApi> api_;
  http::Router router_;
};

TEST_F(ApiTest, LoginSetsAStrictHttpOnlyCookie) {
  auto res = call("POST", "/api/login", R"({"username":"a-counselor","password":"password-1234"})");
  ASSERT_EQ(res.status, 200u);
  bool cookie = false;
  for (auto& [k, v] : res.headers)
    if (k == "Set-Cookie") cookie = v.find("HttpOnly") != std::string::npos && v.find("SameSite=Strict") != std::string::npos;
  EXPECT_TRUE(cookie);
  EXPECT_EQ(json::parse(res.body).at("user").at("role").as_string(), "counselor");
}

TEST_F(ApiTest, WrongPasswordThenLockOut) {
  for (int i = 0; i < 3; ++i) {
    auto res = call("POST", "/api/login", R"({"username":"a-counselor","password":"wrong-password"})");
    EXPECT_EQ(res.status, 401u);
    EXPECT_EQ(error_of(res), "login_failed");
  }
  auto locked = call("POST", "/api/login", R"({"username":"a-counselor","password":"password-1234"})");
  EXPECT_EQ(locked.status, 429u);
  EXPECT_EQ(error_of(locked), "locked");
  clock_.advance_ms(61'000);
  login("a-counselor");  // the lock has expired and the right password works again
  auto unknown = call("POST", "/api/login", R"({"username":"nobody","password":"password-1234"})");
  EXPECT_EQ(error_of(unknown), "login_failed");
  EXPECT_EQ(call("POST", "/api/login", "not json").status, 400u);
}

TEST_F(ApiTest, StateChangesNeedTheCsrfToken) {
  auto s = login("a-counselor");
  auto res = call("POST", conv("/notes"), R"({"text":"メモ"})", &s, /*with_csrf=*/false);
  EXPECT_EQ(res.status, 403u);
  EXPECT_EQ(error_of(res), "csrf_failed");
  EXPECT_EQ(call("POST", conv("/notes"), R"({"text":"メモ"})", &s).status, 201u);
}

TEST_F(ApiTest, SessionsExpireWhenIdle) {
  auto s = login("a-counselor");
  EXPECT_EQ(call("GET", "/api/conversations", "", &s).status, 200u);
  clock_.advance_ms(31 * 60 * 1000);
  auto res = call("GET", "/api/conversations", "", &s);
  EXPECT_EQ(res.status, 401u);
  EXPECT_EQ(error_of(res), "session_expired");
  EXPECT_EQ(error_of(call("GET", "/api/conversations")), "not_logged_in");
}

TEST_F(ApiTest, ACounselorOfAnotherWindowIsDenied) {
  auto other = login("b-counselor");
  EXPECT_EQ(call("GET", conv("/messages"), "", &other).status, 403u);
  EXPECT_EQ(call("POST", conv("/replies"), R"({"text":"こんにちは"})", &other).status, 403u);
  auto queue = json::parse(call("GET", "/api/conversations", "", &other).body);
  EXPECT_TRUE(queue.at("conversations").as_array().empty());
  auto chief = login("chief");
  auto all = json::parse(call("GET", "/api/conversations", "", &chief).body);
  EXPECT_EQ(all.at("conversations").as_array().size(), 1u);
}

TEST_F(ApiTest, MessagesAreDecryptedAndAReplyIsQueued) {
  auto s = login("a-counselor");
  auto reply = call("POST", conv("/replies"), R"({"text":"ご連絡ありがとうございます"})", &s);
  ASSERT_EQ(reply.status, 202u) << reply.body;
  auto messages = json::parse(call("GET", conv("/messages"), "", &s).body).at("messages").as_array();
  ASSERT_GE(messages.size(), 2u);
  EXPECT_EQ(messages.front().at("direction").as_string(), "in");
  EXPECT_EQ(messages.front().at("text").as_string(), "息子のことで相談したいです");
  EXPECT_EQ(messages.back().at("direction").as_string(), "out");
  EXPECT_EQ(messages.back().at("delivery_label").as_string(), "送信待ち");
  auto queue = json::parse(call("GET", "/api/conversations", "", &s).body);
  EXPECT_TRUE(queue.at("conversations").as_array()[0].at("waiting_since_ms").is_null());
}

TEST_F(ApiTest, BadInputGetsClearErrors) {
  auto s = login("a-counselor");
  EXPECT_EQ(call("POST", conv("/notes"), R"({"text":")" + std::string(101, 'x') + R"("})", &s).status, 413u);
  EXPECT_EQ(error_of(call("POST", conv("/replies"), R"({"text":"　 "})", &s)), "text_empty");
  EXPECT_EQ(call("GET", "/api/conversations/999999/messages", "", &s).status, 404u);
  EXPECT_EQ(call("GET", "/api/conversations/abc/messages", "", &s).status, 404u);
  EXPECT_EQ(call("POST", conv("/urgency"), R"({"urgency":"extreme","reason":"x"})", &s).status, 400u);
  EXPECT_EQ(call("PUT", conv("/case"), R"({"writer":"neighbour"})", &s).status, 400u);
  EXPECT_EQ(call("POST", conv("/contacts"), R"({"method":"phone","date":"2026-13-01","duration_minutes":10})", &s).status, 400u);
}

TEST_F(ApiTest, UrgencyOrdersTheQueueAndATransferKeepsTheHistory) {
  auto second = receive("U2", "話を聞いてほしい");
  auto s = login("a-counselor");
  ASSERT_EQ(call("POST", "/api/conversations/" + std::to_string(second) + "/urgency",
                 R"({"urgency":"emergency","reason":"屋上にいると書いている"})", &s).status, 200u);
  auto queue = json::parse(call("GET", "/api/conversations", "", &s).body).at("conversations").as_array();
  ASSERT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue[0].at("id").as_int64(), second);
  EXPECT_EQ(queue[0].at("urgency_label").as_string(), "緊急");
  std::int64_t window_b = 0;
  auto windows = json::parse(call("GET", "/api/windows", "", &s).body);
  for (auto& w : windows.at("windows").as_array())
    if (w.at("name").as_string() == "窓口B") window_b = w.at("id").as_int64();
  ASSERT_EQ(call("POST", conv("/transfer"), R"({"window_id":)" + std::to_string(window_b) + R"(,"note":"若者窓口へ"})", &s).status, 200u);
  EXPECT_EQ(call("GET", conv("/messages"), "", &s).status, 403u);  // no longer in a-counselor's window
  auto b = login("b-counselor");
  auto detail = json::parse(call("GET", conv(), "", &b).body);
  auto entries = detail.at("entries").as_array();
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.back().at("kind").as_string(), "transfer");
  EXPECT_EQ(entries.back().at("text").as_string(), "若者窓口へ");
  auto messages = json::parse(call("GET", conv("/messages"), "", &b).body).at("messages").as_array();
  EXPECT_EQ(messages.front().at("text").as_string(), "息子のことで相談したいです");
  auto report = verify_audit(db_->db, load_audit_key(dir_ / "audit.key", false)).value();
  EXPECT_TRUE(report.intact);
  EXPECT_GT(report.entries, 8);
}

}  // namespace
}  // namespace madoguchi::console
