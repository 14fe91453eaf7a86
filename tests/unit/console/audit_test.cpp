// The audit chain: intact after appends, and `verify` finds a changed, an inserted and a
// removed entry (the append-only triggers are dropped first, as an attacker with the file would).
#include "gateway/console/audit.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "store/schema.hpp"
#include "store/transaction.hpp"

namespace madoguchi::console {
namespace {

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/madoguchi-audit-XXXXXX";
    dir_ = mkdtemp(pattern);
    store::DatabaseOptions o;
    o.path = dir_ / "audit.db";
    db_ = std::make_unique<store::Database>(o);
    ASSERT_TRUE(store::migrate(*db_));
    key_ = load_audit_key(dir_ / "audit.key", true);
    log_ = std::make_unique<AuditLog>(*db_, load_audit_key(dir_ / "audit.key", false), clock_);
    for (int i = 0; i < 5; ++i) {
      clock_.advance_ms(1000);
      ASSERT_TRUE(log_->append({"t1", "sato", "read_messages", "conversation:" + std::to_string(i), "{}"}));
    }
  }
  void TearDown() override {
    log_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void unlock() {
    ASSERT_TRUE(db_->exec("DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete"));
  }
  AuditReport verify() { return verify_audit(*db_, key_).value(); }

  std::filesystem::path dir_;
  FakeClock clock_;
  std::unique_ptr<store::Database> db_;
  Secret key_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(AuditTest, IntactChainVerifies) {
  auto r = verify();
  EXPECT_TRUE(r.intact) << r.problem;
  EXPECT_EQ(r.entries, 5);
  EXPECT_EQ(r.head.size(), 64u);
}

TEST_F(AuditTest, TheTableRefusesUpdatesAndDeletes) {
  EXPECT_FALSE(db_->exec("UPDATE audit_events SET actor = 'x' WHERE seq = 2"));
  EXPECT_FALSE(db_->exec("DELETE FROM audit_events WHERE seq = 2"));
  EXPECT_TRUE(verify().intact);
}

TEST_F(AuditTest, DetectsAChangedEntry) {
  unlock();
  ASSERT_TRUE(db_->exec("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 3"));
  auto r = verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.first_bad_seq, 3);
}

TEST_F(AuditTest, DetectsARemovedEntry) {
  unlock();
  ASSERT_TRUE(db_->exec("DELETE FROM audit_events WHERE seq = 2"));
  auto r = verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.first_bad_seq, 3);
}

TEST_F(AuditTest, DetectsAnInsertedEntry) {
  unlock();
  // Make room after entry 2 and copy entry 2's row (hash included) into the gap.
  ASSERT_TRUE(db_->exec("UPDATE audit_events SET seq = seq + 100 WHERE seq > 2; "
                        "UPDATE audit_events SET seq = seq - 99 WHERE seq > 100; "
                        "INSERT INTO audit_events (seq, at_ms, tenant_id, actor, action, target, detail, hash) "
                        "SELECT 3, at_ms, tenant_id, actor, 'login', target, detail, hash FROM audit_events WHERE seq = 2"));
  auto r = verify();
  EXPECT_FALSE(r.intact);
  EXPECT_EQ(r.first_bad_seq, 3);
}

TEST_F(AuditTest, AnotherKeyDoesNotVerify) {
  auto other = load_audit_key(dir_ / "other.key", true);
  EXPECT_FALSE(verify_audit(*db_, other).value().intact);
}

}  // namespace
}  // namespace madoguchi::console
