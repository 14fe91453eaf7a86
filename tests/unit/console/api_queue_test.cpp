// The console's second pass (issue 15) through the API: the queue's preview and 未読 mark,
// the search (by pseudonym, tag and period; audited with its criteria and never content),
// an assignment to a colleague who cannot see the case refused with its own reason, and an
// administrator told that the role, not the case, is why nothing is shown.
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "tests/unit/console/api_fixture.hpp"

namespace madoguchi::console::test {
namespace {

json::array queue_of(const http::Response& r) { return json::parse(r.body).at("conversations").as_array(); }

const json::object& item_for(const json::array& queue, std::int64_t id) {
  for (const auto& c : queue)
    if (c.as_object().at("id").as_int64() == id) return c.as_object();
  throw std::runtime_error("conversation " + std::to_string(id) + " is not in the queue");
}

class QueueApiTest : public ApiTest {
 protected:
  std::int64_t audit_count(const std::string& action) {
    auto s = db_->db.prepare("SELECT count(*) FROM audit_events WHERE action = ?");
    s.bind(1, action);
    EXPECT_TRUE(s.step().value());
    return s.column_int(0);
  }
  std::string last_audit_detail(const std::string& action) {
    auto s = db_->db.prepare("SELECT detail FROM audit_events WHERE action = ? ORDER BY seq DESC LIMIT 1");
    s.bind(1, action);
    EXPECT_TRUE(s.step().value());
    return s.column_text(0);
  }
  std::string label_of(std::int64_t id) {
    auto s = db_->db.prepare("SELECT k.label FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE c.id = ?");
    s.bind(1, id);
    EXPECT_TRUE(s.step().value());
    return s.column_text(0);
  }
};

TEST_F(QueueApiTest, EachItemShowsTheFirstLineOfItsNewestMessageAndWhetherAnyoneReadIt) {
  const auto id = receive("U2", "\n  はじめまして。\n娘が半年ほど部屋から出てきません。");
  const std::string long_line(60, 'x');
  const auto long_id = receive("U3", "とても長い一行目です" + long_line);
  auto s = login("a-counselor");
  auto queue = queue_of(call("GET", "/api/conversations", "", &s));
  EXPECT_EQ(item_for(queue, id).at("preview").as_string(), "はじめまして。");  // leading blank lines skipped
  EXPECT_EQ(item_for(queue, conversation_).at("preview").as_string(), "息子のことで相談したいです");
  // At most 40 characters, marked as cut.
  EXPECT_EQ(item_for(queue, long_id).at("preview").as_string(), "とても長い一行目です" + std::string(30, 'x') + "…");
  EXPECT_TRUE(item_for(queue, id).at("unread").as_bool());

  // Opening the messages reads them for the whole team: no longer 未読, until the next one.
  ASSERT_EQ(call("GET", "/api/conversations/" + std::to_string(id) + "/messages", "", &s).status, 200u);
  queue = queue_of(call("GET", "/api/conversations", "", &s));
  EXPECT_FALSE(item_for(queue, id).at("unread").as_bool());
  EXPECT_TRUE(item_for(queue, conversation_).at("unread").as_bool());
  clock_.advance_ms(5000);
  receive("U2", "追伸です");
  queue = queue_of(call("GET", "/api/conversations", "", &s));
  EXPECT_TRUE(item_for(queue, id).at("unread").as_bool());
  EXPECT_EQ(item_for(queue, id).at("preview").as_string(), "追伸です");
  // Listing is not a search: nothing audited for it.
  EXPECT_EQ(audit_count("search"), 0);
}

TEST_F(QueueApiTest, SearchFindsByPseudonymTagAndPeriodAndIsAuditedWithoutContent) {
  const auto other = receive("U2", "話を聞いてほしい");
  auto s = login("a-counselor");
  const auto label = label_of(other);
  ASSERT_GE(label.size(), 4u);
  // Typed as staff see it ("相談者 #7F3A-…"), in lower case, or only its beginning.
  for (const std::string& typed : {"相談者 #" + label, label.substr(0, 4)}) {
    std::string lower = typed;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto found = queue_of(call("GET", "/api/conversations?contact=" + boost::urls::encode(lower, boost::urls::unreserved_chars), "", &s));
    ASSERT_EQ(found.size(), 1u) << typed;
    EXPECT_EQ(found[0].at("id").as_int64(), other);
  }
  EXPECT_EQ(audit_count("search"), 2);
  const auto detail = last_audit_detail("search");
  EXPECT_NE(detail.find(label.substr(0, 4)), std::string::npos) << detail;
  EXPECT_NE(detail.find("\"found\":1"), std::string::npos) << detail;
  EXPECT_EQ(detail.find("話を聞いて"), std::string::npos) << detail;

  // A tag triage gave one of them.
  ASSERT_TRUE(db_->db.exec("UPDATE conversations SET tags = '[\"家族相談\",\"暴力\"]' WHERE id = " + std::to_string(other)));
  auto tagged = queue_of(call("GET", "/api/conversations?tag=" + boost::urls::encode("暴力", boost::urls::unreserved_chars), "", &s));
  ASSERT_EQ(tagged.size(), 1u);
  EXPECT_EQ(tagged[0].at("id").as_int64(), other);
  EXPECT_TRUE(queue_of(call("GET", "/api/conversations?tag=" + boost::urls::encode("不登校", boost::urls::unreserved_chars), "", &s)).empty());

  // Periods in Japan time: both conversations were active today, none a year ago.
  const auto today = iso_jst(clock_.now_ms()).substr(0, 10);
  EXPECT_EQ(queue_of(call("GET", "/api/conversations?from=" + today + "&to=" + today, "", &s)).size(), 2u);
  const auto year_ago = iso_jst(clock_.now_ms() - 365LL * 24 * 3600 * 1000).substr(0, 10);
  EXPECT_TRUE(queue_of(call("GET", "/api/conversations?from=" + year_ago + "&to=" + year_ago, "", &s)).empty());

  // Mistakes are refused, not widened into "everything".
  for (const char* bad : {"contact=%E5%B1%B1%E7%94%B0", "from=2026-02-31", "from=2026-12-02&to=2026-12-01", "to=tomorrow"}) {
    auto r = call("GET", std::string("/api/conversations?") + bad, "", &s);
    EXPECT_EQ(r.status, 400u) << bad;
  }
  // A search never reaches past the counselor's windows.
  auto b = login("b-counselor");
  EXPECT_TRUE(queue_of(call("GET", "/api/conversations?contact=" + label.substr(0, 4), "", &b)).empty());
}

TEST_F(QueueApiTest, AssigningAColleagueWhoCannotSeeTheWindowSaysWhy) {
  // Whoever assigns: a supervisor as much as a counselor of the window.
  auto chief = login("chief");
  auto a = login("a-counselor");
  for (auto* s : {&chief, &a}) {
    auto r = call("POST", conv("/assign"), R"({"username":"b-counselor"})", s);
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(error_of(r), "assignee_ineligible");
    EXPECT_NE(std::string(json::parse(r.body).at("message").as_string()).find("この窓口"), std::string::npos) << r.body;
  }
  // The staff list tells the page who may take it: b-counselor's windows do not include 窓口A.
  auto staff = json::parse(call("GET", "/api/staff", "", &chief).body).at("staff").as_array();
  std::int64_t window_a = 0;
  const auto windows = json::parse(call("GET", "/api/windows", "", &chief).body);
  for (const auto& w : windows.at("windows").as_array())
    if (w.at("name").as_string() == "窓口A") window_a = w.at("id").as_int64();
  for (const auto& u : staff) {
    const auto& o = u.as_object();
    if (o.at("username").as_string() != "b-counselor") continue;
    for (const auto& w : o.at("windows").as_array()) EXPECT_NE(w.as_int64(), window_a);
  }
  EXPECT_EQ(call("POST", conv("/assign"), R"({"username":"a-counselor"})", &chief).status, 200u);
}

TEST_F(QueueApiTest, AnAdministratorIsToldTheRoleIsWhyNoConsultationIsShown) {
  add("kanri", "admin", {});
  auto admin = login("kanri");
  for (const char* path : {"/api/staff", "/api/conversations"}) {
    auto r = call("GET", path, "", &admin);
    EXPECT_EQ(r.status, 403u) << path;
    EXPECT_EQ(error_of(r), "admin_no_cases") << path;
    const auto message = std::string(json::parse(r.body).at("message").as_string());
    EXPECT_NE(message.find("管理者"), std::string::npos) << message;
    EXPECT_EQ(message.find("この相談を扱う権限"), std::string::npos) << message;
  }
  auto r = call("GET", conv(), "", &admin);
  EXPECT_EQ(error_of(r), "admin_no_cases");
}

}  // namespace
}  // namespace madoguchi::console::test
