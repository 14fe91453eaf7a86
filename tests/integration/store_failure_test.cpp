// A store that cannot commit answers 503 (the provider retries) and keeps nothing of the
// refused webhook; once the store is back, the same webhook is stored exactly once.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "tests/fakes/line_webhooks.hpp"
#include "tests/fakes/sqlite_probe.hpp"
#include "tests/integration/harness.hpp"

namespace madoguchi::testing {
namespace {

std::optional<WebhookAnswer> answer_of(const boost::system::result<HttpResponse>& r, unsigned expected_status) {
  EXPECT_TRUE(r) << r.error().message();
  if (!r) return std::nullopt;
  EXPECT_EQ(r->status, expected_status) << r->body;
  return parse_answer(r->body);
}

TEST(GatewayStoreFailure, LockedDatabaseAnswers503ThenStoresOnceAfterRelease) {
  GatewayHarness h(HarnessOptions{.busy_timeout_ms = 200});
  auto gateway = h.start();
  HttpClient client(gateway->port());
  LineEventFactory f(503);
  const auto user = f.next_user_id();

  const auto warm_id = f.next_event_id();
  auto warm = answer_of(post_signed(client, h.channel_secret(),
                                    line_webhook_body({f.text(warm_id, user, "こんばんは", f.next_message_id())})),
                        200);
  ASSERT_TRUE(warm && warm->stored == 1);

  const auto id_a = f.next_event_id();
  const auto id_b = f.next_event_id();
  const auto body = line_webhook_body({f.text(id_a, user, "眠れません", f.next_message_id()), f.follow(id_b, user)});
  {
    // The test's connection takes the write lock and holds it well past busy_timeout_ms.
    SqliteProbe lock(h.database(), /*read_only=*/false, /*busy_timeout_ms=*/5000);
    ASSERT_EQ(lock.exec("BEGIN IMMEDIATE"), SQLITE_OK) << lock.last_error();

    auto refused = post_signed(client, h.channel_secret(), body);
    ASSERT_TRUE(refused) << refused.error().message();
    EXPECT_EQ(refused->status, 503u) << refused->body;
    EXPECT_FALSE(refused->header("retry-after").empty());
    EXPECT_EQ(lock.scalar("SELECT count(*) FROM messages WHERE external_id IN ('" + id_a + "','" + id_b + "')"), 0);

    // Health does not need the write lock.
    auto health = client.get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200u);
    ASSERT_EQ(lock.exec("ROLLBACK"), SQLITE_OK) << lock.last_error();
  }
  auto stored = h.stored_external_ids();
  EXPECT_FALSE(stored.contains(id_a));
  EXPECT_FALSE(stored.contains(id_b));

  // LINE's retry of the same webhook: stored now, both events, once.
  auto retried = answer_of(post_signed(client, h.channel_secret(), body), 200);
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->stored, 2);
  EXPECT_EQ(retried->duplicates, 0);
  auto again = answer_of(post_signed(client, h.channel_secret(), body), 200);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->stored, 0);
  EXPECT_EQ(again->duplicates, 2);

  stored = h.stored_external_ids();
  EXPECT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[id_a], 1);
  EXPECT_EQ(stored[id_b], 1);
  client.close();
  EXPECT_TRUE(stopped_cleanly(*gateway));
}

std::uint64_t largest_file(const std::filesystem::path& dir) {
  std::uint64_t largest = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) largest = std::max<std::uint64_t>(largest, entry.file_size());
  return largest;
}

// A full disk, made deterministic with RLIMIT_FSIZE: once the WAL reaches the limit,
// every write fails with EFBIG as it would with ENOSPC.
TEST(GatewayStoreFailure, FullDiskAnswers503AndLosesNothingAcknowledged) {
  GatewayHarness h;
  {
    auto setup = h.start();  // creates the keys and the schema without a limit
    ASSERT_TRUE(stopped_cleanly(*setup));
  }
  const std::uint64_t limit = largest_file(h.data_dir()) + 512 * 1024;
  LineEventFactory f(1400);
  std::vector<std::string> acknowledged;
  std::string refused_body;
  std::vector<std::string> refused_ids;
  {
    auto gateway = h.start(limit);
    HttpClient client(gateway->port());
    // ~120 KiB of text per webhook: the WAL passes the limit within a few commits.
    for (int i = 0; i < 40 && refused_body.empty(); ++i) {
      std::vector<boost::json::object> events;
      std::vector<std::string> ids;
      for (int k = 0; k < 3; ++k) {
        ids.push_back(f.next_event_id());
        events.push_back(f.text(ids.back(), f.next_user_id(), std::string(40 * 1024, 'z'), f.next_message_id()));
      }
      auto body = line_webhook_body(events);
      auto r = post_signed(client, h.channel_secret(), body);
      ASSERT_TRUE(r) << r.error().message();
      if (r->status == 200) {
        acknowledged.insert(acknowledged.end(), ids.begin(), ids.end());
      } else {
        EXPECT_EQ(r->status, 503u) << r->body;
        refused_body = body;
        refused_ids = ids;
      }
    }
    ASSERT_FALSE(refused_body.empty()) << "the store never reported the full disk";
    EXPECT_FALSE(acknowledged.empty());
    auto health = client.get("/healthz");
    ASSERT_TRUE(health) << "the gateway died on a full disk: " << health.error().message();
    EXPECT_EQ(health->status, 200u);
    gateway->stop();
  }

  // Space is back: the provider's retry is stored whole, once; nothing acknowledged is lost.
  auto gateway = h.start();
  HttpClient client(gateway->port());
  auto retried = answer_of(post_signed(client, h.channel_secret(), refused_body), 200);
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->stored, 3) << "a refused webhook was partly stored";
  EXPECT_EQ(retried->duplicates, 0);
  client.close();
  EXPECT_TRUE(stopped_cleanly(*gateway));

  auto stored = h.stored_external_ids();
  EXPECT_EQ(stored.size(), acknowledged.size() + refused_ids.size());
  for (const auto& id : acknowledged) EXPECT_EQ(stored[id], 1) << id;
  for (const auto& id : refused_ids) EXPECT_EQ(stored[id], 1) << id;
  SqliteProbe db(h.database());
  EXPECT_EQ(db.rows("PRAGMA integrity_check"), (std::vector<std::vector<std::string>>{{"ok"}}));
}

}  // namespace
}  // namespace madoguchi::testing
