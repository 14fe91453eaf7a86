// The rest of the console API: session and logout, the absolute timeout, the TOTP second
// factor, claim / assign / release, close and reopen, case fields with a household link,
// manual contacts, queue filters, staff and window lists, and the audit trail they leave.
#include <boost/url/parse.hpp>

#include "crypto/totp.hpp"
#include "tests/unit/console/api_fixture.hpp"

namespace madoguchi::console::test {
namespace {

json::array queue_of(const http::Response& r) { return json::parse(r.body).at("conversations").as_array(); }

std::int64_t audit_count(store::Database& db, const std::string& action, const std::string& actor) {
  auto s = db.prepare("SELECT count(*) FROM audit_events WHERE action = ? AND actor = ?");
  s.bind(1, action);
  s.bind(2, actor);
  EXPECT_TRUE(s.step().value());
  return s.column_int(0);
}

TEST_F(ApiTest, SessionEndpointAndLogout) {
  auto s = login("a-counselor");
  auto session = call("GET", "/api/session", "", &s);
  ASSERT_EQ(session.status, 200u);
  auto body = json::parse(session.body);
  EXPECT_EQ(body.at("user").at("username").as_string(), "a-counselor");
  EXPECT_EQ(body.at("csrf_token").as_string(), s.csrf);
  EXPECT_EQ(call("POST", "/api/logout", "{}", &s, /*with_csrf=*/false).status, 403u);
  auto out = call("POST", "/api/logout", "{}", &s);
  EXPECT_EQ(out.status, 204u);
  bool cleared = false;
  for (auto& [k, v] : out.headers)
    if (k == "Set-Cookie") cleared = v.find("Max-Age=0") != std::string::npos;
  EXPECT_TRUE(cleared);
  auto after = call("GET", "/api/session", "", &s);
  EXPECT_EQ(after.status, 401u);
  EXPECT_EQ(error_of(after), "not_logged_in");
  EXPECT_EQ(audit_count(db_->db, "logout", "a-counselor"), 1);
}

TEST_F(ApiTest, SessionsEndAfterTheAbsoluteLimitEvenWhenActive) {
  auto s = login("a-counselor");
  for (int i = 0; i < 35; ++i) {  // 11 h 40 min of work, a request every 20 minutes
    clock_.advance_ms(20 * 60 * 1000);
    ASSERT_EQ(call("GET", "/api/conversations", "", &s).status, 200u) << i;
  }
  clock_.advance_ms(25 * 60 * 1000);  // within the idle limit, but past 12 hours
  auto res = call("GET", "/api/conversations", "", &s);
  EXPECT_EQ(res.status, 401u);
  EXPECT_EQ(error_of(res), "session_expired");
}

TEST_F(ApiTest, TotpIsAskedAfterThePasswordAndCannotBeReplayed) {
  auto created = add_staff(db_->db, keys_, *audit_, {"t1", "totp-user", "counselor", {"窓口A"}, "password-1234", true},
                           "test", crypto::KdfLimits::interactive(), clock_);
  ASSERT_TRUE(created);
  auto uri = boost::urls::parse_uri(created->totp_uri);
  ASSERT_TRUE(uri);
  std::string secret_b32;
  for (auto p : uri->params())
    if (p.key == "secret") secret_b32 = p.value;
  auto secret = crypto::base32_decode(secret_b32);
  ASSERT_TRUE(secret);
  const Secret key(*secret);
  const auto code = crypto::totp_code(key, clock_.now_ms() / 1000 / 30);

  auto no_code = call("POST", "/api/login", R"({"username":"totp-user","password":"password-1234"})");
  EXPECT_EQ(no_code.status, 401u);
  EXPECT_EQ(error_of(no_code), "totp_required");
  const std::string wrong = code == "000000" ? "111111" : "000000";
  auto bad = call("POST", "/api/login", R"({"username":"totp-user","password":"password-1234","totp":")" + wrong + "\"}");
  EXPECT_EQ(bad.status, 401u);
  auto ok = call("POST", "/api/login", R"({"username":"totp-user","password":"password-1234","totp":")" + code + "\"}");
  EXPECT_EQ(ok.status, 200u) << ok.body;
  auto replay = call("POST", "/api/login", R"({"username":"totp-user","password":"password-1234","totp":")" + code + "\"}");
  EXPECT_EQ(replay.status, 401u);
  // The right code with a wrong password reveals nothing about the code.
  clock_.advance_ms(30'000);
  const auto next = crypto::totp_code(key, clock_.now_ms() / 1000 / 30);
  auto wrong_password = call("POST", "/api/login", R"({"username":"totp-user","password":"wrong-pass-1","totp":")" + next + "\"}");
  EXPECT_EQ(error_of(wrong_password), "login_failed");
}

TEST_F(ApiTest, ClaimAssignAndReleaseFollowTheWindows) {
  add("a-second", "counselor", {"窓口A"});
  auto a = login("a-counselor");
  auto claimed = call("POST", conv("/claim"), "{}", &a);
  ASSERT_EQ(claimed.status, 200u) << claimed.body;
  auto mine = queue_of(call("GET", "/api/conversations?mine=1", "", &a));
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].at("assignee").as_string(), "a-counselor");
  auto b = login("b-counselor");
  EXPECT_EQ(call("POST", conv("/claim"), "{}", &b).status, 403u);
  // A counselor hands over only to someone who can see the case.
  EXPECT_EQ(call("POST", conv("/assign"), R"({"username":"b-counselor"})", &a).status, 400u);
  EXPECT_EQ(call("POST", conv("/assign"), R"({"username":"nobody"})", &a).status, 400u);
  EXPECT_EQ(call("POST", conv("/assign"), R"({"username":"a-second"})", &a).status, 200u);
  EXPECT_TRUE(queue_of(call("GET", "/api/conversations?mine=1", "", &a)).empty());
  auto chief = login("chief");
  EXPECT_EQ(call("POST", conv("/assign"), R"({"username":"a-counselor"})", &chief).status, 200u);
  auto detail = json::parse(call("GET", conv(), "", &a).body);
  EXPECT_EQ(detail.at("conversation").at("assignee").as_string(), "a-counselor");
  EXPECT_EQ(call("POST", conv("/release"), "{}", &a).status, 200u);
  EXPECT_EQ(call("POST", conv("/release"), "{}", &a).status, 400u);  // nobody left to release
  detail = json::parse(call("GET", conv(), "", &a).body);
  EXPECT_TRUE(detail.at("conversation").at("assignee").is_null() ||
              detail.at("conversation").at("assignee").as_string().empty());
  EXPECT_EQ(audit_count(db_->db, "claim", "a-counselor"), 1);
  EXPECT_EQ(audit_count(db_->db, "assign", "a-counselor"), 1);
  EXPECT_EQ(audit_count(db_->db, "assign", "chief"), 1);
  EXPECT_EQ(audit_count(db_->db, "release", "a-counselor"), 1);
  EXPECT_GE(audit_count(db_->db, "access_denied", "b-counselor"), 1);
}

TEST_F(ApiTest, CloseAndReopenMoveTheCaseBetweenTheStatusFilters) {
  auto s = login("a-counselor");
  ASSERT_EQ(call("POST", conv("/close"), "{}", &s).status, 200u);
  EXPECT_TRUE(queue_of(call("GET", "/api/conversations", "", &s)).empty());  // open by default
  auto closed = queue_of(call("GET", "/api/conversations?status=closed", "", &s));
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].at("status_label").as_string(), "終了");
  EXPECT_EQ(queue_of(call("GET", "/api/conversations?status=all", "", &s)).size(), 1u);
  ASSERT_EQ(call("POST", conv("/reopen"), "{}", &s).status, 200u);
  EXPECT_EQ(queue_of(call("GET", "/api/conversations", "", &s)).size(), 1u);
  auto entries = json::parse(call("GET", conv(), "", &s).body).at("entries").as_array();
  ASSERT_GE(entries.size(), 2u);
  EXPECT_EQ(entries[entries.size() - 2].at("kind").as_string(), "status");
  EXPECT_EQ(entries.back().at("detail").at("status").as_string(), "open");
}

TEST_F(ApiTest, HouseholdNumbersFromBeforeTheMigrationAreSealedAtStart) {
  auto sibling = receive("U3", "兄のことで");
  for (auto id : {conversation_, sibling})
    ASSERT_TRUE(db_->db.prepare("UPDATE conversations SET household = 'H-77' WHERE id = ?").bind(1, id).run());
  auto sealed = cases_->seal_clear_households();
  ASSERT_TRUE(sealed);
  EXPECT_EQ(*sealed, 2u);
  auto clear = db_->db.prepare("SELECT count(*) FROM conversations WHERE household LIKE '%H-77%'");
  ASSERT_TRUE(clear.step().value());
  EXPECT_EQ(clear.column_int(0), 0);
  EXPECT_EQ(*cases_->seal_clear_households(), 0u);  // nothing left to do
  auto s = login("a-counselor");
  auto detail = json::parse(call("GET", conv(), "", &s).body);
  EXPECT_EQ(detail.at("conversation").at("case").at("household").as_string(), "H-77");
  ASSERT_EQ(detail.at("household_cases").as_array().size(), 1u);  // still linked
}

TEST_F(ApiTest, CaseFieldsLinkAHousehold) {
  auto sibling = receive("U3", "兄のことで");
  auto s = login("a-counselor");
  auto put = call("PUT", conv("/case"), R"({"writer":"family","age_band":"40s","household":"H-12","consent":"person"})", &s);
  ASSERT_EQ(put.status, 200u) << put.body;
  EXPECT_EQ(json::parse(put.body).at("case").at("writer_label").as_string(), "家族");
  ASSERT_EQ(call("PUT", "/api/conversations/" + std::to_string(sibling) + "/case", R"({"household":"H-12"})", &s).status, 200u);
  auto detail = json::parse(call("GET", conv(), "", &s).body);
  const auto& kase = detail.at("conversation").at("case");
  EXPECT_EQ(kase.at("age_band_label").as_string(), "40代");
  EXPECT_EQ(kase.at("consent").as_string(), "person");
  EXPECT_EQ(kase.at("household").as_string(), "H-12");  // opened for display
  auto household = detail.at("household_cases").as_array();
  ASSERT_EQ(household.size(), 1u);
  EXPECT_EQ(household[0].at("id").as_int64(), sibling);
  // In the store only the keyed link and the sealed number; in the audit log only "set".
  auto rows = db_->db.prepare("SELECT household, household_sealed IS NOT NULL FROM conversations WHERE household <> '' ORDER BY id");
  int linked = 0;
  std::string first_link;
  while (rows.step().value()) {
    const auto link = rows.column_text(0);
    EXPECT_EQ(link.rfind("h1:", 0), 0u) << link;
    EXPECT_EQ(link.find("H-12"), std::string::npos);
    EXPECT_EQ(rows.column_int(1), 1);
    if (linked++ == 0) first_link = link;
    else EXPECT_EQ(link, first_link);  // the same number links the two cases
  }
  EXPECT_EQ(linked, 2);
  auto audit_rows = db_->db.prepare("SELECT count(*) FROM audit_events WHERE detail LIKE '%H-12%'");
  ASSERT_TRUE(audit_rows.step().value());
  EXPECT_EQ(audit_rows.column_int(0), 0);
  // A field left out stays as it was.
  ASSERT_EQ(call("PUT", conv("/case"), R"({"consent":"refused"})", &s).status, 200u);
  detail = json::parse(call("GET", conv(), "", &s).body);
  EXPECT_EQ(detail.at("conversation").at("case").at("writer").as_string(), "family");
  EXPECT_EQ(detail.at("conversation").at("case").at("consent").as_string(), "refused");
  auto other = login("b-counselor");
  EXPECT_EQ(call("PUT", conv("/case"), R"({"writer":"self"})", &other).status, 403u);
}

TEST_F(ApiTest, ManualContactsAreRecordedOnTheCase) {
  auto s = login("a-counselor");
  auto added = call("POST", conv("/contacts"),
                    R"({"method":"visit","date":"2026-12-01","duration_minutes":45,"note":"母親と来所"})", &s);
  ASSERT_EQ(added.status, 201u) << added.body;
  auto entries = json::parse(call("GET", conv(), "", &s).body).at("entries").as_array();
  ASSERT_FALSE(entries.empty());
  const auto& e = entries.back().as_object();
  EXPECT_EQ(e.at("kind").as_string(), "contact");
  EXPECT_EQ(e.at("detail").at("method_label").as_string(), "来所");
  EXPECT_EQ(e.at("detail").at("duration_minutes").as_int64(), 45);
  EXPECT_EQ(e.at("text").as_string(), "母親と来所");
  EXPECT_EQ(call("POST", conv("/contacts"), R"({"method":"fax","date":"2026-12-01","duration_minutes":5})", &s).status, 400u);
  EXPECT_EQ(call("POST", conv("/contacts"), R"({"method":"phone","date":"2026-12-01","duration_minutes":-5})", &s).status, 400u);
  EXPECT_EQ(call("POST", conv("/contacts"), R"({"method":"phone","date":"2026-12-01"})", &s).status, 400u);
}

TEST_F(ApiTest, QueueFiltersByWindowAndUrgency) {
  auto s = login("chief");
  std::int64_t window_a = 0, window_b = 0;
  const auto windows = json::parse(call("GET", "/api/windows", "", &s).body);
  for (auto& w : windows.at("windows").as_array())
    (w.at("name").as_string() == "窓口A" ? window_a : window_b) = w.at("id").as_int64();
  ASSERT_TRUE(window_a && window_b);
  EXPECT_EQ(queue_of(call("GET", "/api/conversations?window=" + std::to_string(window_a), "", &s)).size(), 1u);
  EXPECT_TRUE(queue_of(call("GET", "/api/conversations?window=" + std::to_string(window_b), "", &s)).empty());
  EXPECT_TRUE(queue_of(call("GET", "/api/conversations?urgency=emergency", "", &s)).empty());
  ASSERT_EQ(call("POST", conv("/urgency"), R"({"urgency":"high","reason":"長期化"})", &s).status, 200u);
  EXPECT_EQ(queue_of(call("GET", "/api/conversations?urgency=high", "", &s)).size(), 1u);
  EXPECT_EQ(call("GET", "/api/conversations?urgency=extreme", "", &s).status, 400u);
  EXPECT_EQ(call("GET", "/api/conversations?window=abc", "", &s).status, 400u);
  // A counselor asking for another window's queue is refused.
  auto a = login("a-counselor");
  EXPECT_EQ(call("GET", "/api/conversations?window=" + std::to_string(window_b), "", &a).status, 403u);
  EXPECT_EQ(call("GET", "/api/conversations?status=deleted", "", &a).status, 400u);
}

TEST_F(ApiTest, StaffAndWindowListsNeverShowPasswordsOrSecrets) {
  auto s = login("a-counselor");
  auto staff = call("GET", "/api/staff", "", &s);
  ASSERT_EQ(staff.status, 200u);
  EXPECT_EQ(staff.body.find("argon2"), std::string::npos);
  EXPECT_EQ(staff.body.find("password"), std::string::npos);
  bool chief_listed = false;
  const auto listed = json::parse(staff.body);
  for (auto& u : listed.at("staff").as_array())
    chief_listed |= u.at("username").as_string() == "chief";
  EXPECT_TRUE(chief_listed);
  EXPECT_EQ(json::parse(call("GET", "/api/windows", "", &s).body).at("windows").as_array().size(), 2u);
  EXPECT_EQ(call("GET", "/api/staff").status, 401u);
}

TEST_F(ApiTest, ReadingContentIsAudited) {
  auto s = login("a-counselor");
  ASSERT_EQ(call("GET", conv("/messages"), "", &s).status, 200u);
  ASSERT_EQ(call("GET", conv(), "", &s).status, 200u);
  EXPECT_EQ(audit_count(db_->db, "read_messages", "a-counselor"), 1);
  EXPECT_EQ(audit_count(db_->db, "read_case", "a-counselor"), 1);
  EXPECT_EQ(audit_count(db_->db, "login", "a-counselor"), 1);
}

}  // namespace
}  // namespace madoguchi::console::test
