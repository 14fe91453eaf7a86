// The console API in process, through the same router the server uses: login, lock-out,
// CSRF, session expiry (fake clock), access across windows, limits, and a reply reaching
// the outbox.
#include "tests/unit/console/api_fixture.hpp"

namespace madoguchi::console::test {
namespace {

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
}  // namespace madoguchi::console::test
