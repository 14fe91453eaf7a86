#pragma once
// A migrated store in a fresh temporary directory, with one tenant and one LINE account.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "store/accounts.hpp"
#include "store/database.hpp"
#include "store/records.hpp"
#include "store/schema.hpp"

namespace madoguchi::store::testing {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/madoguchi-queue-XXXXXX";
    dir_ = mkdtemp(pattern);
    options_.path = dir_ / "test.db";
    db_ = std::make_unique<Database>(options_);
    ASSERT_TRUE(migrate(*db_));
    auto ids = sync_accounts(*db_, {{"t1", "テスト市", {"窓口A"}}}, {{"t1", "line", "demo"}});
    ASSERT_TRUE(ids);
    account_ = ids->at({"line", "demo"});
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::int64_t count(const std::string& sql) {
    auto s = db_->prepare(sql);
    EXPECT_TRUE(s.step().value());
    return s.column_int(0);
  }

  static Blob blob(std::string_view s) { return Blob(s.begin(), s.end()); }

  EventRecord event(std::string external_id, std::string user = "u1", std::int64_t ts = 1000) {
    EventRecord e;
    e.message_id = "m-" + external_id;
    e.tenant_id = "t1";
    e.channel = "line";
    e.account_id = account_;
    e.external_id = std::move(external_id);
    e.event_type = "message";
    e.message_type = "text";
    e.provider_ts_ms = ts;
    e.received_at_ms = ts;
    e.contact_pseudonym = blob("contact:" + user);
    e.contact_label = "AAAA-BBBB";
    e.thread_pseudonym = blob("thread:" + user);
    e.key_id = "k1";
    e.sealed_contact_id = blob("sealed-contact");
    e.sealed_thread_id = blob("sealed-thread");
    e.body = blob("sealed-body");
    return e;
  }

  IngestBatch batch(std::vector<EventRecord> events) {
    IngestBatch b;
    b.keys.push_back({"k1", "t1", blob("sealed-key"), 1});
    b.events = std::move(events);
    return b;
  }

  std::filesystem::path dir_;
  DatabaseOptions options_;
  std::unique_ptr<Database> db_;
  std::int64_t account_ = 0;
};

}  // namespace madoguchi::store::testing
