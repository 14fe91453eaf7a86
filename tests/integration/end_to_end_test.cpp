// The real binary end to end: LINE's Verify button, messages, every fixture, redelivery,
// an unknown event type, unsend; then a clean stop and `madoguchi stats --json`, checked
// against what was sent and against the rows in the database.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <set>

#include "tests/fakes/line_webhooks.hpp"
#include "tests/fakes/sqlite_probe.hpp"
#include "tests/integration/harness.hpp"

namespace madoguchi::testing {
namespace {

bool known_line_type(std::string_view type) {
  static const std::set<std::string_view> types{
      "message",   "follow",      "unfollow",          "join",        "leave",       "memberJoined",
      "memberLeft", "postback",   "videoPlayComplete", "beacon",      "accountLink", "membership",
      "unsend",    "module",      "activated",         "deactivated", "botSuspended", "botResumed",
      "delivery"};
  return types.contains(type);
}

bool known_message_type(std::string_view type) {
  static const std::set<std::string_view> types{"text", "image", "video", "audio", "file", "location", "sticker"};
  return types.contains(type);
}

// The type key `madoguchi stats` must report for an event (see line_inbound.hpp).
std::string expected_stats_type(const boost::json::object& event) {
  const std::string type(event.at("type").as_string());
  if (!known_line_type(type)) return "unsupported:" + type;
  if (type != "message") return type;
  const std::string message_type(event.at("message").at("type").as_string());
  return "message/" + (known_message_type(message_type) ? message_type : "unsupported:" + message_type);
}

// What one test sent and was told, to compare with the store and the stats.
struct Ledger {
  std::map<std::string, std::int64_t> types;  // stats type → events stored
  std::set<std::string> ids;                  // every webhookEventId stored
  std::set<std::string> users;
  std::int64_t duplicates = 0;
  std::int64_t signature_failures = 0;

  void stored(const boost::json::object& event) {
    types[expected_stats_type(event)] += 1;
    ids.insert(std::string(event.at("webhookEventId").as_string()));
    if (auto* source = event.if_contains("source"))
      if (auto* user = source->as_object().if_contains("userId")) users.insert(std::string(user->as_string()));
  }
};

// Posts a webhook that must be answered 200 with exactly these counts.
void expect_answer(HttpClient& client, const GatewayHarness& h, const std::string& body, std::int64_t stored,
                   std::int64_t duplicates) {
  auto r = post_signed(client, h.channel_secret(), body);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->status, 200u) << r->body;
  auto answer = parse_answer(r->body);
  ASSERT_TRUE(answer) << r->body;
  EXPECT_EQ(answer->stored, stored) << r->body;
  EXPECT_EQ(answer->duplicates, duplicates) << r->body;
}

// After a clean stop: the rows and `madoguchi stats` agree with the ledger.
void expect_store_matches(const GatewayHarness& h, const Ledger& ledger) {
  auto stored = h.stored_external_ids();
  std::set<std::string> stored_ids;
  for (const auto& [id, count] : stored) {
    EXPECT_EQ(count, 1) << "external_id stored " << count << " times: " << id;
    stored_ids.insert(id);
  }
  EXPECT_EQ(stored_ids, ledger.ids);

  auto stats = h.stats();
  EXPECT_EQ(stats_events(stats), ledger.types) << boost::json::serialize(stats);
  EXPECT_EQ(stats.at("duplicates_refused").to_number<std::int64_t>(), ledger.duplicates);
  EXPECT_EQ(stats.at("signature_failures").to_number<std::int64_t>(), ledger.signature_failures);
  const auto contacts = stats.at("contacts").to_number<std::int64_t>();
  EXPECT_GE(contacts, 1);
  EXPECT_LE(contacts, static_cast<std::int64_t>(ledger.users.size()));
  EXPECT_GE(stats.at("conversations").to_number<std::int64_t>(), 1);
  EXPECT_TRUE(stats.at("jobs").is_object());
}

TEST(GatewayEndToEnd, StoresEachEventOnceAndStatsCountThem) {
  GatewayHarness h;
  auto gateway = h.start();
  HttpClient client(gateway->port());
  LineEventFactory f(20240601);
  Ledger ledger;

  // LINE's console "Verify" button: a signed webhook without events.
  expect_answer(client, h, line_webhook_body({}), 0, 0);

  const auto user = f.next_user_id();
  const auto text_message_id = f.next_message_id();
  auto text = f.text(f.next_event_id(), user, "はじめまして。息子のことで相談したいです。", text_message_id);
  expect_answer(client, h, line_webhook_body({text}), 1, 0);
  ledger.stored(text);

  // Three events in one webhook, from two people.
  const auto other_user = f.next_user_id();
  auto follow = f.follow(f.next_event_id(), other_user);
  auto second = f.text(f.next_event_id(), other_user, "夜でも大丈夫ですか？", f.next_message_id());
  auto postback = f.postback(f.next_event_id(), user, "action=consent&value=yes");
  expect_answer(client, h, line_webhook_body({follow, second, postback}), 3, 0);
  for (const auto* e : {&follow, &second, &postback}) ledger.stored(*e);

  // LINE redelivers with isRedelivery=true and the same webhookEventId: nothing new.
  const auto rows_before = h.message_rows();
  auto redelivered = text;
  redelivered["deliveryContext"].as_object()["isRedelivery"] = true;
  expect_answer(client, h, line_webhook_body({redelivered}), 0, 1);
  ledger.duplicates += 1;
  EXPECT_EQ(h.message_rows(), rows_before);

  // A redelivery next to a new event: only the new one is stored.
  auto fresh = f.text(f.next_event_id(), user, "よろしくお願いします。", f.next_message_id());
  expect_answer(client, h, line_webhook_body({fresh, redelivered}), 1, 1);
  ledger.stored(fresh);
  ledger.duplicates += 1;

  // A type LINE may add later: recorded as unsupported, never refused.
  auto future = f.other(f.next_event_id(), user, "futureFeature");
  expect_answer(client, h, line_webhook_body({future}), 1, 0);
  ledger.stored(future);
  EXPECT_EQ(expected_stats_type(future), "unsupported:futureFeature");

  // The person unsends the first message: it must be hidden from counselors.
  auto unsend = f.unsend(f.next_event_id(), user, text_message_id);
  expect_answer(client, h, line_webhook_body({unsend}), 1, 0);
  ledger.stored(unsend);

  // One wrong signature, to see it counted in the stats.
  auto wrong = line_webhook_body({f.text(f.next_event_id(), user, "x", f.next_message_id())});
  auto refused = client.post("/webhooks/line/demo", wrong, line_headers("not-the-secret", wrong));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401u);
  ledger.signature_failures += 1;

  auto metrics = client.get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metric_total(metrics->body, "madoguchi_events_stored_total"), static_cast<double>(ledger.ids.size()));
  EXPECT_EQ(metric_total(metrics->body, "madoguchi_duplicates_refused_total"), 2.0);
  EXPECT_EQ(metric_total(metrics->body, "madoguchi_signature_failures_total"), 1.0);
  // Every request above travelled on one keep-alive connection.
  EXPECT_EQ(client.connections_opened(), 1);

  client.close();
  EXPECT_TRUE(stopped_cleanly(*gateway));

  expect_store_matches(h, ledger);
  SqliteProbe db(h.database());
  auto text_row = db.rows("SELECT event_type, message_type, hidden, channel FROM messages WHERE external_id = '" +
                          std::string(text.at("webhookEventId").as_string()) + "'");
  ASSERT_EQ(text_row.size(), 1u);
  EXPECT_EQ(text_row[0][0], "message");
  EXPECT_EQ(text_row[0][1], "text");
  EXPECT_EQ(text_row[0][2], "1") << "the unsent message is not hidden";
  EXPECT_EQ(text_row[0][3], "line");
  EXPECT_EQ(db.scalar("SELECT count(*) FROM messages WHERE hidden <> 0"), 1);

  // Logs are JSON lines (and the listening line went to stdout, not the log).
  std::istringstream log(read_file(h.stderr_log()));
  std::string line;
  int lines = 0;
  while (std::getline(log, line)) {
    if (line.empty()) continue;
    ++lines;
    boost::system::error_code ec;
    auto parsed = boost::json::parse(line, ec);
    EXPECT_TRUE(!ec && parsed.is_object()) << "not a JSON log line: " << line;
  }
  EXPECT_GT(lines, 0);
}

// Ctrl-C in a terminal: a clean stop too, and what was acknowledged is readable after it.
TEST(GatewayEndToEnd, SigintStopsCleanly) {
  GatewayHarness h;
  auto gateway = h.start();
  HttpClient client(gateway->port());
  LineEventFactory f(2);
  const auto id = f.next_event_id();
  expect_answer(client, h, line_webhook_body({f.follow(id, f.next_user_id())}), 1, 0);
  client.close();
  EXPECT_TRUE(stopped_cleanly(*gateway, SIGINT));
  EXPECT_EQ(h.stored_external_ids(), (std::map<std::string, std::int64_t>{{id, 1}}));
}

std::vector<std::filesystem::path> line_fixtures() {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path dir = MADOGUCHI_SOURCE_DIR "/tests/fixtures/line";
  if (std::filesystem::is_directory(dir))
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// Fixture files are webhooks from the spec; their ids are replaced by fresh ones so the
// expected counts do not depend on whether two fixtures share an example id.
TEST(GatewayEndToEnd, AcceptsEveryLineFixture) {
  const auto files = line_fixtures();
  if (files.empty()) GTEST_SKIP() << "no fixtures in tests/fixtures/line yet";
  GatewayHarness h;
  auto gateway = h.start();
  HttpClient client(gateway->port());
  LineEventFactory f(7);
  Ledger ledger;
  int webhooks = 0;
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    boost::system::error_code ec;
    auto parsed = boost::json::parse(read_file(file), ec);
    ASSERT_FALSE(ec) << "fixture is not JSON";
    auto* events = parsed.is_object() ? parsed.as_object().if_contains("events") : nullptr;
    ASSERT_TRUE(events && events->is_array()) << "fixture is not a LINE webhook";
    std::vector<boost::json::object> renamed;
    for (auto& e : events->as_array()) {
      auto event = e.as_object();
      event["webhookEventId"] = f.next_event_id();
      renamed.push_back(std::move(event));
    }
    expect_answer(client, h, line_webhook_body(renamed), static_cast<std::int64_t>(renamed.size()), 0);
    for (const auto& event : renamed) ledger.stored(event);
    ++webhooks;
  }
  EXPECT_EQ(webhooks, static_cast<int>(files.size()));
  client.close();
  EXPECT_TRUE(stopped_cleanly(*gateway));

  expect_store_matches(h, ledger);
}

}  // namespace
}  // namespace madoguchi::testing
