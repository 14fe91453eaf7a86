// 定型文 through the console API: supervisors and administrators keep them (for every window
// or one), counselors get the ones for the conversation they answer with the placeholders
// filled, never another window's; each mistake has its own answer; changes are audited.
#include "tests/unit/console/api_fixture.hpp"

namespace madoguchi::console::test {
namespace {

class TemplateApiTest : public ApiTest {
 protected:
  std::int64_t window_id(const std::string& name) {
    auto s = db_->db.prepare("SELECT id FROM windows WHERE name = ?");
    s.bind(1, name);
    EXPECT_TRUE(s.step().value());
    return s.column_int(0);
  }
  http::Response create(const Session& s, const std::string& title, const std::string& body,
                        std::optional<std::int64_t> window = std::nullopt) {
    json::object o{{"title", title}, {"body", body}};
    o["window_id"] = window ? json::value(*window) : json::value(nullptr);
    return call("POST", "/api/templates", json::serialize(o), &s);
  }
  json::array for_conversation(const Session& s, std::int64_t id) {
    auto r = call("GET", "/api/conversations/" + std::to_string(id) + "/templates", "", &s);
    EXPECT_EQ(r.status, 200u) << r.body;
    return json::parse(r.body).at("templates").as_array();
  }
  std::int64_t audited(const std::string& action) {
    auto s = db_->db.prepare("SELECT count(*) FROM audit_events WHERE action = ?");
    s.bind(1, action);
    EXPECT_TRUE(s.step().value());
    return s.column_int(0);
  }
};

TEST_F(TemplateApiTest, ASupervisorWritesThemAndACounselorGetsThemFilledForTheWindow) {
  auto chief = login("chief");
  auto shared = create(chief, "受付のごあいさつ", "{窓口名}です。受付時間は{受付時間}です。\n急ぐときは:\n{緊急連絡先}");
  ASSERT_EQ(shared.status, 201u) << shared.body;
  ASSERT_EQ(create(chief, "窓口Bだけ", "窓口Bの案内です。", window_id("窓口B")).status, 201u);
  ASSERT_EQ(create(chief, "窓口Aだけ", "{次の開所}にお電話します。", window_id("窓口A")).status, 201u);
  EXPECT_EQ(audited("template_create"), 3);

  auto a = login("a-counselor");
  auto mine = for_conversation(a, conversation_);  // a conversation of 窓口A
  ASSERT_EQ(mine.size(), 2u);
  std::set<std::string> titles;
  for (const auto& t : mine) titles.insert(std::string(t.at("title").as_string()));
  EXPECT_EQ(titles, (std::set<std::string>{"受付のごあいさつ", "窓口Aだけ"}));
  for (const auto& t : mine) {
    if (t.at("title").as_string() != "受付のごあいさつ") {
      EXPECT_EQ(t.at("filled").as_string(), "次の開所日にお電話します。");  // open now: no date to give
      continue;
    }
    EXPECT_EQ(t.at("filled").as_string(),
              "窓口Aです。受付時間は月〜金 8:30-17:15（祝日・年末年始は休み）です。\n急ぐときは:\n・救急 119（24時間）");
  }
  // The management list a counselor sees: shared and their own window's, no editing.
  auto listed = json::parse(call("GET", "/api/templates", "", &a).body);
  EXPECT_EQ(listed.at("templates").as_array().size(), 2u);
  EXPECT_FALSE(listed.at("can_manage").as_bool());
  // Another window's counselor cannot ask for this conversation's at all.
  auto b = login("b-counselor");
  EXPECT_EQ(call("GET", conv("/templates"), "", &b).status, 403u);
}

TEST_F(TemplateApiTest, OnlyManagersChangeThemAndEachMistakeSaysWhat) {
  auto a = login("a-counselor");
  auto refused = create(a, "t", "本文");
  EXPECT_EQ(refused.status, 403u);
  EXPECT_EQ(error_of(refused), "managers_only");

  auto chief = login("chief");
  auto typo = create(chief, "誤字", "{受付時刻}にご連絡ください");
  EXPECT_EQ(typo.status, 400u);
  EXPECT_EQ(error_of(typo), "placeholder_unknown");
  EXPECT_EQ(error_of(create(chief, "", "本文")), "text_empty");
  EXPECT_EQ(error_of(create(chief, std::string(61 * 3, 'x').substr(0, 61), "本文")), "too_large");
  EXPECT_EQ(create(chief, "他の市の窓口", "本文", 999999).status, 400u);

  // The fixture keeps at most 3 per tenant.
  std::int64_t id = 0;
  for (int i = 0; i < 3; ++i) {
    auto r = create(chief, "定型文" + std::to_string(i), "本文" + std::to_string(i));
    ASSERT_EQ(r.status, 201u) << r.body;
    id = json::parse(r.body).at("id").as_int64();
  }
  auto full = create(chief, "4件目", "本文");
  EXPECT_EQ(full.status, 409u);
  EXPECT_EQ(error_of(full), "limit_reached");

  // Edit and delete, by an administrator too (templates hold no consultation).
  add("kanri", "admin", {});
  auto admin = login("kanri");
  auto edited = call("PUT", "/api/templates/" + std::to_string(id), R"({"title":"改","body":"{窓口名}より","window_id":null})", &admin);
  ASSERT_EQ(edited.status, 200u) << edited.body;
  EXPECT_EQ(json::parse(edited.body).at("updated_by").as_string(), "kanri");
  EXPECT_EQ(call("DELETE", "/api/templates/" + std::to_string(id), "", &admin).status, 200u);
  EXPECT_EQ(call("DELETE", "/api/templates/" + std::to_string(id), "", &admin).status, 404u);
  EXPECT_EQ(call("DELETE", "/api/templates/" + std::to_string(id - 1), "", &a).status, 403u);
  EXPECT_EQ(audited("template_update"), 1);
  EXPECT_EQ(audited("template_delete"), 1);
  auto report = verify_audit(db_->db, load_audit_key(dir_ / "audit.key", false)).value();
  EXPECT_TRUE(report.intact);
}

TEST(TemplateText, PlaceholdersAreFilledAndUnknownOnesFound) {
  const WindowFacts facts{"月〜金 9:00-17:00", "12月8日（火）9:00", "・救急 119"};
  EXPECT_EQ(fill_template("{窓口名}は{次の開所}から。{窓口名}", "相談室", facts), "相談室は12月8日（火）9:00から。相談室");
  EXPECT_EQ(fill_template("{次の開所}", "x", WindowFacts{}), "次の開所日");
  EXPECT_EQ(unknown_placeholder("{窓口名}と{受付時間}"), "");
  EXPECT_EQ(unknown_placeholder("{窓口名}と{電話}"), "{電話}");
  EXPECT_EQ(unknown_placeholder("閉じない{窓口名"), "{窓口名");
  EXPECT_EQ(unknown_placeholder("波括弧なし"), "");
}

}  // namespace
}  // namespace madoguchi::console::test
