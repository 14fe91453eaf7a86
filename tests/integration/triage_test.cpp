// Triage with the real binary: after hours a webhook gets exactly one after-hours reply (by
// LINE's free reply API, with the next opening and the 24-hour numbers), a second message
// in the same closed period gets none, and an emergency gets the emergency reply at once;
// no message is ever marked as read. The `triage`, `calendar` and `eval` commands.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <sstream>

#include "tests/fakes/fake_line_api.hpp"
#include "tests/fakes/line_webhooks.hpp"
#include "tests/fakes/sqlite_probe.hpp"
#include "tests/integration/harness.hpp"

namespace madoguchi::testing {
namespace {

namespace json = boost::json;
const char* kSpec = MADOGUCHI_SHARED_DIR "/specs/line-openapi/messaging-api.yml";


TEST(Triage, AfterHoursOneReplyPerClosedPeriodAndTheEmergencyReplyAtOnce) {
  const std::string token = "triage-token";
  FakeLineApi fake(kSpec, token);
  auto o = fake_line_options(fake, token);
  o.extra_toml += triage_toml(closed_now_hours());
  GatewayHarness h(o);
  auto gateway = h.start();
  HttpClient client(gateway->port());
  LineEventFactory events(7);
  const auto user = events.next_user_id();
  auto send = [&](const std::string& text) {
    auto e = events.text(events.next_event_id(), user, text, events.next_message_id());
    auto answer = post_signed(client, h.channel_secret(), line_webhook_body({e}));
    EXPECT_TRUE(answer && answer->status == 200u);
    return std::string(e.at("replyToken").as_string());
  };
  SqliteProbe probe(h.database());
  auto triaged = [&](int n) {
    return fake.wait_until([&] { return probe.scalar("SELECT count(*) FROM jobs WHERE kind = 'triage' AND state = 'done'") == n; },
                           10000);
  };

  const auto first_token = send("夜分にすみません。息子のことで相談したいです。");
  ASSERT_TRUE(fake.wait_until([&] { return fake.accepted_count() == 1; }, 10000));
  auto accepted = fake.accepted();
  EXPECT_EQ(accepted[0].method, "reply");  // the free reply API
  EXPECT_EQ(accepted[0].reply_token, first_token);
  ASSERT_EQ(accepted[0].texts.size(), 1u);
  const auto& after_hours = accepted[0].texts[0];
  EXPECT_NE(after_hours.find("受付時間外"), std::string::npos) << after_hours;
  EXPECT_NE(after_hours.find("0120-000-000"), std::string::npos) << after_hours;
  EXPECT_NE(after_hours.find("日（"), std::string::npos) << after_hours;  // "12月3日（木）9:41以降"

  // The same closed period: triaged, no second reply.
  // (An automatic reply is written in the same transaction that completes the triage job.)
  send("また連絡します");
  ASSERT_TRUE(triaged(2));
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM outbound_messages"), 1);

  // An emergency while closed: the emergency reply at once, the case at 緊急.
  send("もう無理です。今から飛び降ります");
  ASSERT_TRUE(fake.wait_until([&] { return fake.accepted_count() == 2; }, 10000));
  const auto emergency = fake.accepted()[1].texts.at(0);
  EXPECT_NE(emergency.find("119"), std::string::npos) << emergency;
  EXPECT_NE(emergency.find("0120-000-000"), std::string::npos) << emergency;
  ASSERT_TRUE(triaged(3));
  EXPECT_EQ(probe.scalar("SELECT urgency FROM conversations"), 0);
  EXPECT_GE(probe.scalar("SELECT count(*) FROM case_entries WHERE kind = 'triage'"), 2);
  // Urgency is sticky: a calmer message afterwards does not lower it, and gets no reply.
  send("ありがとうございます");
  ASSERT_TRUE(triaged(4));
  EXPECT_EQ(probe.scalar("SELECT urgency FROM conversations"), 0);
  EXPECT_EQ(probe.scalar("SELECT routed FROM conversations"), 1);
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM outbound_messages"), 2);
  EXPECT_TRUE(stopped_cleanly(*gateway));

  for (const auto& r : fake.requests()) EXPECT_EQ(r.target.find("markAsRead"), std::string::npos) << r.target;
  for (const auto& p : fake.problems()) ADD_FAILURE() << "LINE API spec violation: " << p;
  const auto log = read_file(h.stderr_log());
  EXPECT_NE(log.find("triage_emergency"), std::string::npos);
  EXPECT_EQ(log.find("飛び降り"), std::string::npos);  // no bodies, no matched words in logs
}

// The harness's tenant with a youth window and a partner window beside the general one.
void add_windows(const GatewayHarness& h) {
  auto text = read_file(h.config_path());
  const std::string from = "windows = [\"ひきこもり地域支援センター\"]";
  text.replace(text.find(from), from.size(),
               "windows = [\"ひきこもり地域支援センター\", \"子ども・若者相談\", \"地域包括支援センター\"]");
  write_file(h.config_path(), text);
}

// A tenant with no 窓口 configured yet still gets every message triaged (urgency, tags,
// the first reply), the conversation simply stays unrouted — never a job that fails forever.
TEST(Triage, ATenantWithoutWindowsIsTriagedAndLeftUnrouted) {
  const std::string token = "triage-token";
  FakeLineApi fake(kSpec, token);
  auto o = fake_line_options(fake, token);
  o.tenant_windows = false;
  GatewayHarness h(o);
  auto gateway = h.start();
  HttpClient client(gateway->port());
  LineEventFactory events(11);
  auto e = events.text(events.next_event_id(), events.next_user_id(), "今から飛び降ります", events.next_message_id());
  auto answer = post_signed(client, h.channel_secret(), line_webhook_body({e}));
  ASSERT_TRUE(answer && answer->status == 200u);
  SqliteProbe probe(h.database());
  ASSERT_TRUE(fake.wait_until(
      [&] { return probe.scalar("SELECT count(*) FROM jobs WHERE kind = 'triage' AND state = 'done'") == 1; }, 10000))
      << "triage jobs: " << probe.scalar("SELECT count(*) FROM jobs WHERE kind = 'triage'");
  EXPECT_EQ(probe.scalar("SELECT urgency FROM conversations"), 0);  // 緊急
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM conversations WHERE window_id IS NOT NULL"), 0);
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM jobs WHERE kind = 'triage' AND attempts > 1"), 0);
  ASSERT_TRUE(fake.wait_until([&] { return fake.accepted_count() == 1; }, 10000));  // the reply went out
  EXPECT_TRUE(stopped_cleanly(*gateway));
}

// A conversation of plain questions is 情報提供 (its queue badge, filter and overview count
// read conversations.urgency): the placeholder 通常 a conversation starts with is not a
// level the sticky minimum may keep. A later worry raises it, and it stays raised.
TEST(Triage, APlainQuestionIsInformationUntilAMessageNeedsMore) {
  const std::string token = "triage-token";
  FakeLineApi fake(kSpec, token);
  GatewayHarness h(fake_line_options(fake, token));
  auto gateway = h.start();
  HttpClient client(gateway->port());
  LineEventFactory events(13);
  const auto user = events.next_user_id();
  SqliteProbe probe(h.database());
  auto send_and_triage = [&](const std::string& text, int n) {
    auto e = events.text(events.next_event_id(), user, text, events.next_message_id());
    auto answer = post_signed(client, h.channel_secret(), line_webhook_body({e}));
    EXPECT_TRUE(answer && answer->status == 200u);
    return fake.wait_until(
        [&] { return probe.scalar("SELECT count(*) FROM jobs WHERE kind = 'triage' AND state = 'done'") == n; }, 10000);
  };
  ASSERT_TRUE(send_and_triage("相談は予約が必要ですか？", 1));
  EXPECT_EQ(probe.scalar("SELECT urgency FROM conversations"), 3);  // 情報提供
  ASSERT_TRUE(send_and_triage("土曜日も開いていますか？", 2));
  EXPECT_EQ(probe.scalar("SELECT urgency FROM conversations"), 3);
  ASSERT_TRUE(send_and_triage("実は息子が10年ひきこもっていて、どうしたらいいかわかりません。", 3));
  EXPECT_EQ(probe.scalar("SELECT urgency FROM conversations"), 2);  // 通常
  ASSERT_TRUE(send_and_triage("開所時間を教えてください。", 4));
  EXPECT_EQ(probe.scalar("SELECT urgency FROM conversations"), 2);  // never lowered again
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM conversations WHERE triaged = 1"), 1);
  EXPECT_TRUE(stopped_cleanly(*gateway));
}

TEST(Triage, TheCommandReadsJsonLinesAndAnswersEachLine) {
  HarnessOptions o;  // routed by topic, then by age; else the general window
  o.extra_toml =
      "[[triage.tenants]]\n"
      "general_window = \"ひきこもり地域支援センター\"\n"
      "[[triage.tenants.routes]]\nwindow = \"地域包括支援センター\"\ntags = [\"8050\"]\n"
      "[[triage.tenants.routes]]\nwindow = \"子ども・若者相談\"\nmax_age = 39\n";
  GatewayHarness h(o);
  add_windows(h);
  LaunchOptions l;
  l.program = madoguchi_binary();
  l.args = {"triage", "--config", h.config_path().string()};
  l.env = h.environment();
  l.stdin_file = h.root() / "input.jsonl";
  const std::string input =
      "{\"id\":1,\"text\":\"70代の母です。45歳の息子が部屋から出てきません。私が倒れたらと思うと心配です\"}\n"
      "{\"id\":2,\"text\":\"高校生の娘が学校に行けていません\"}\n"
      "{\"id\":\"x\",\"text\":\"ｼﾆﾀｲ\",\"channel\":\"line\",\"at\":\"2026-12-02T02:00:00+09:00\"}\n"
      "not json\n"
      "{\"id\":4,\"text\":\"今から飛び降りる\"}\n";
  write_file(*l.stdin_file, input);
  auto r = run_command(l, std::chrono::seconds(60));
  EXPECT_EQ(r.status.code, 1) << r.err;  // one bad line
  std::istringstream out(r.out);
  std::vector<json::object> lines;
  for (std::string line; std::getline(out, line);) lines.push_back(json::parse(line).as_object());
  ASSERT_EQ(lines.size(), 5u) << r.out;
  EXPECT_EQ(lines[0].at("window").as_string(), "地域包括支援センター");  // 8050: a parent in her 70s, a son at home
  EXPECT_EQ(lines[0].at("writer").as_string(), "家族");
  EXPECT_EQ(lines[0].at("age").as_int64(), 45);
  EXPECT_EQ(lines[1].at("window").as_string(), "子ども・若者相談");
  EXPECT_EQ(lines[2].at("id").as_string(), "x");
  EXPECT_EQ(lines[2].at("urgency").as_string(), "高");
  EXPECT_EQ(lines[3].at("line").as_int64(), 4);
  EXPECT_TRUE(lines[3].contains("error"));
  EXPECT_EQ(lines[4].at("urgency").as_string(), "緊急");
  EXPECT_FALSE(lines[4].at("reasons").as_array().empty());
}

TEST(Triage, CalendarPrintsOneLinePerDateWithHolidayNames) {
  HarnessOptions o;
  o.extra_toml = "[[triage.windows]]\nname = \"ひきこもり地域支援センター\"\nweekdays = \"8:30-17:15\"\n"
                 "closures = [{ date = \"2026-09-25\", reason = \"庁舎点検\" }]\n";
  GatewayHarness h(o);
  auto r = h.run({"calendar", "--config", h.config_path().string(), "--window", "ひきこもり地域支援センター", "--from",
                  "2026-09-18", "--to", "2026-09-25"});
  ASSERT_EQ(r.status.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "2026-09-18 open 8:30-17:15\n"
            "2026-09-19 closed 休業日\n"
            "2026-09-20 closed 休業日\n"
            "2026-09-21 closed 敬老の日\n"
            "2026-09-22 closed 国民の休日\n"
            "2026-09-23 closed 秋分の日\n"
            "2026-09-24 open 8:30-17:15\n"
            "2026-09-25 closed 庁舎点検\n");
  auto bad = h.run({"calendar", "--config", h.config_path().string(), "--window", "ない窓口", "--from", "2026-09-20",
                    "--to", "2026-09-23"});
  EXPECT_EQ(bad.status.code, 2);
  auto bad_date = h.run({"calendar", "--config", h.config_path().string(), "--window", "ひきこもり地域支援センター",
                         "--from", "2026-02-30", "--to", "2026-03-01"});
  EXPECT_EQ(bad_date.status.code, 2);
}

TEST(Triage, EvalMeetsTheTargetsOnTheDevelopmentSet) {
  GatewayHarness h;
  auto r = h.run({"eval", "--config", h.config_path().string(), "--set",
                  MADOGUCHI_SOURCE_DIR "/tests/fixtures/triage/devset.jsonl"});
  EXPECT_EQ(r.status.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("targets met"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace madoguchi::testing
