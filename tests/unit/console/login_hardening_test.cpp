// Login under attack (issue 14, findings 2, 3, 5 and 8): parallel wrong passwords lock the
// account; unknown names are answered like real ones, 429 included; the pool's queue and
// the per-address limit answer 503; login and changes take only JSON from the console's
// own origins.
#include <thread>

#include "gateway/console/origin.hpp"
#include "gateway/console/staff_admin.hpp"
#include "tests/unit/console/api_fixture.hpp"

namespace madoguchi::console::test {
namespace {

const std::string kWrong = R"({"username":"a-counselor","password":"wrong-password"})";

class LoginHardeningTest : public ApiTest {
 protected:
  ApiOptions api_options() const override {
    ApiOptions o;
    o.origins = {"https://console.example.jp"};
    o.login_threads = 4;  // parallel checks, as several I/O threads had before
    return o;
  }
  http::Request login_request(const std::string& body, std::string content_type = "application/json",
                              std::string origin = "") {
    http::Request r;
    r.method = "POST";
    r.path = "/api/login";
    r.body = body;
    r.remote_address = "127.0.0.1";
    if (!content_type.empty()) r.headers.emplace_back("content-type", content_type);
    if (!origin.empty()) r.headers.emplace_back("origin", origin);
    return r;
  }
};

TEST_F(LoginHardeningTest, EightParallelWrongPasswordsLockTheAccount) {
  // lock_after_failures = 3 in the fixture: at most 3 checks, then the lock.
  std::vector<std::thread> threads;
  std::vector<unsigned> statuses(8);
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] { statuses[i] = call("POST", "/api/login", kWrong).status; });
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 401u), 3);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 429u), 5);
  EXPECT_EQ(call("POST", "/api/login", R"({"username":"a-counselor","password":"password-1234"})").status, 429u);
  auto s = db_->db.prepare("SELECT failed_logins FROM staff_users WHERE username = 'a-counselor'");
  ASSERT_TRUE(s.step().value());
  EXPECT_EQ(s.column_int(0), 3);
}

TEST_F(LoginHardeningTest, UnknownNamesAreAnsweredLikeRealOnesIncludingTheLock) {
  auto answers = [&](const std::string& user) {
    std::vector<std::pair<unsigned, std::string>> out;
    for (int i = 0; i < 5; ++i) {
      auto res = call("POST", "/api/login", R"({"username":")" + user + R"(","password":"wrong-password"})");
      std::string retry;
      for (auto& [k, v] : res.headers)
        if (k == "Retry-After") retry = v;
      out.emplace_back(res.status, error_of(res) + "/" + retry);
    }
    return out;
  };
  EXPECT_EQ(answers("a-counselor"), answers("nobody-at-all"));
  EXPECT_EQ(answers("b-counselor")[4].first, 429u);
}

TEST_F(LoginHardeningTest, LoginTakesOnlyJsonFromTheConsoleOrigin) {
  const std::string right = R"({"username":"a-counselor","password":"password-1234"})";
  // A cross-site form can send text/plain without a preflight: refused before any check.
  const std::string own = "https://console.example.jp";
  EXPECT_EQ(answer(login_request(right, "text/plain", own)).status, 403u);
  EXPECT_EQ(answer(login_request(right, "", own)).status, 403u);
  EXPECT_EQ(answer(login_request(right, "application/x-www-form-urlencoded", own)).status, 403u);
  // Browsers send Origin with every POST: a login without one came from no page of ours.
  EXPECT_EQ(answer(login_request(right, "application/json")).status, 403u);
  EXPECT_EQ(answer(login_request(right, "application/json", "https://evil.example")).status, 403u);
  EXPECT_EQ(answer(login_request(right, "application/json", "http://console.example.jp")).status, 403u);  // scheme
  EXPECT_EQ(answer(login_request(right, "application/json", "https://console.example.jp:8443")).status, 403u);
  EXPECT_EQ(answer(login_request(right, "application/json", "null")).status, 403u);
  EXPECT_EQ(answer(login_request(right, "application/json; charset=utf-8", "https://console.example.jp")).status, 200u);
  EXPECT_EQ(answer(login_request(right, "Application/JSON", "https://CONSOLE.example.jp:443")).status, 200u);
}

TEST_F(LoginHardeningTest, ChangesAndTheLiveSocketCheckTheConfiguredOriginNotTheHost) {
  auto s = login("a-counselor");
  http::Request r;
  r.method = "POST";
  r.path = conv("/notes");
  r.body = R"({"text":"メモ"})";
  r.headers = {{"content-type", "application/json"}, {"cookie", "madoguchi_session=" + s.cookie},
               {"x-csrf-token", s.csrf}, {"host", "evil.example"}, {"origin", "http://evil.example"}};
  EXPECT_EQ(answer(r).status, 403u);
  r.headers.back().second = "https://console.example.jp";
  EXPECT_EQ(answer(r).status, 201u);
  const auto* ws = router_.match_websocket("/api/live");
  ASSERT_TRUE(ws);
  http::Request upgrade;
  upgrade.path = "/api/live";
  upgrade.headers = {{"cookie", "madoguchi_session=" + s.cookie}, {"host", "evil.example"}, {"origin", "http://evil.example"}};
  auto refused = (*ws)(upgrade, nullptr);
  ASSERT_TRUE(std::holds_alternative<http::Response>(refused));
  EXPECT_EQ(std::get<http::Response>(refused).status, 403u);
  // Nor without an Origin: browsers send one with every WebSocket.
  upgrade.headers = {{"cookie", "madoguchi_session=" + s.cookie}, {"host", "127.0.0.1:8080"}};
  auto without = (*ws)(upgrade, nullptr);
  ASSERT_TRUE(std::holds_alternative<http::Response>(without));
  EXPECT_EQ(std::get<http::Response>(without).status, 403u);
}

TEST_F(LoginHardeningTest, TheDocumentedDemoPasswordIsForDemoAccountsOnly) {
  const std::string demo(kDocumentedDemoPassword);
  auto real = add_staff(db_->db, keys_, *audit_, {"t1", "real-user", "counselor", {"窓口A"}, demo, false},
                        "test", crypto::KdfLimits::interactive(), clock_);
  ASSERT_FALSE(real);
  EXPECT_EQ(real.error(), errc::invalid_input);
  NewStaff seeded{"t1", "demo-user", "counselor", {"窓口A"}, demo, false, true};
  EXPECT_TRUE(add_staff(db_->db, keys_, *audit_, seeded, "test", crypto::KdfLimits::interactive(), clock_));
}

TEST(Origin, Normalized) {
  EXPECT_EQ(normalize_origin("HTTPS://Console.Example.JP:443"), "https://console.example.jp");
  EXPECT_EQ(normalize_origin("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(normalize_origin("http://[::1]:80"), "http://[::1]");
  EXPECT_FALSE(normalize_origin("null"));
  EXPECT_FALSE(normalize_origin("https://a.example/path"));
  EXPECT_FALSE(normalize_origin("https://user@a.example"));
  EXPECT_FALSE(normalize_origin("javascript://a.example"));
  EXPECT_TRUE(origin_allowed("", {}));  // no browser cross-site request
}

class TinyPoolTest : public ApiTest {
 protected:
  ApiOptions api_options() const override {
    ApiOptions o;
    o.login_queue = 0;  // every login refused: the queue is always full
    return o;
  }
};

TEST_F(TinyPoolTest, AFullQueueAnswers503WithRetryAfter) {
  auto res = call("POST", "/api/login", R"({"username":"nobody","password":"x"})");
  EXPECT_EQ(res.status, 503u);
  EXPECT_EQ(error_of(res), "busy");
}

class ThrottledTest : public ApiTest {
 protected:
  ApiOptions api_options() const override {
    ApiOptions o;
    o.login_per_address_per_minute = 2;
    return o;
  }
};

TEST_F(ThrottledTest, OneAddressGetsItsShareOfAttempts) {
  EXPECT_EQ(call("POST", "/api/login", R"({"username":"nobody","password":"x"})").status, 401u);
  EXPECT_EQ(call("POST", "/api/login", R"({"username":"nobody","password":"x"})").status, 401u);
  EXPECT_EQ(call("POST", "/api/login", R"({"username":"a-counselor","password":"x"})").status, 503u);
  clock_.advance_ms(30'000);  // one attempt back
  EXPECT_EQ(call("POST", "/api/login", R"({"username":"nobody","password":"x"})").status, 401u);
}

}  // namespace
}  // namespace madoguchi::console::test
