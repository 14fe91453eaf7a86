// What the ingest stage hands to the store: encrypted, pseudonymised, and openable only
// with the tenant's secret key and the right record ids.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include "crypto/keyring.hpp"
#include "crypto/keys.hpp"
#include "gateway/ingest/event_records.hpp"

namespace madoguchi::ingest {
namespace {

class EventRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/madoguchi-ingest-XXXXXX";
    dir_ = mkdtemp(pattern);
    ASSERT_TRUE(crypto::init_tenant_keys(dir_ / "keys", "pass", crypto::KdfLimits::interactive()));
    auto ingest_keys = crypto::load_ingest_keys(dir_ / "keys", "pass");
    ASSERT_TRUE(ingest_keys);
    auto pair = crypto::load_sealing_keys(dir_ / "keys", "pass");
    ASSERT_TRUE(pair);
    sealing_ = std::make_unique<crypto::SealingKeyPair>(std::move(*pair));
    tenant_ = std::make_unique<TenantIngest>("t1", std::move(*ingest_keys), clock_, 600'000, 1000);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static NormalizedMessage text(std::string user, std::string body, std::string account = "demo") {
    NormalizedMessage m;
    m.channel = "line";
    m.account = std::move(account);
    m.external_id = "01HEVENT" + body;
    m.event_type = "message";
    m.message_type = "text";
    m.provider_timestamp_ms = 1'700'000'000'123;
    m.source_kind = "user";
    m.sender_id = user;
    m.thread_id = user;
    m.text = std::move(body);
    m.provider_message_id = "4711";
    m.payload_json = R"({"type":"message","replyToken":"rt-secret"})";
    m.reply_handle = "rt-secret";
    return m;
  }

  Secret data_key(const store::IngestBatch& batch) {
    auto key = crypto::open_data_key(batch.keys.at(0).sealed_key, sealing_->sealing_public, sealing_->sealing_secret);
    EXPECT_TRUE(key);
    return std::move(*key);
  }

  static bool contains(const store::Blob& blob, std::string_view needle) {
    return std::search(blob.begin(), blob.end(), needle.begin(), needle.end()) != blob.end();
  }

  FakeClock clock_;
  std::filesystem::path dir_;
  std::unique_ptr<crypto::SealingKeyPair> sealing_;
  std::unique_ptr<TenantIngest> tenant_;
};

TEST_F(EventRecordsTest, NoMessagesGiveAnEmptyBatch) {
  auto batch = build_batch(*tenant_, 7, {}, clock_);
  EXPECT_TRUE(batch.keys.empty());
  EXPECT_TRUE(batch.events.empty());
}

TEST_F(EventRecordsTest, BodyOpensOnlyWithTheTenantKeyAndItsOwnRecordId) {
  auto batch = build_batch(*tenant_, 7, {text("Uabc", "息子が部屋から出てきません")}, clock_);
  ASSERT_EQ(batch.events.size(), 1u);
  const auto& r = batch.events[0];
  EXPECT_EQ(r.account_id, 7);
  EXPECT_EQ(r.tenant_id, "t1");
  EXPECT_EQ(r.key_id, batch.keys[0].key_id);
  EXPECT_EQ(r.received_at_ms, clock_.now_ms());
  auto key = data_key(batch);
  auto body = crypto::open_body(key, r.body, crypto::associated_data("t1", r.message_id, r.key_id));
  ASSERT_TRUE(body);
  EXPECT_NE(body->find("息子が部屋から出てきません"), std::string::npos);
  EXPECT_NE(body->find("rt-secret"), std::string::npos);  // the provider event travels sealed
  EXPECT_FALSE(crypto::open_body(key, r.body, crypto::associated_data("t1", "other-id", r.key_id)));
  EXPECT_FALSE(crypto::open_body(key, r.body, crypto::associated_data("t2", r.message_id, r.key_id)));
  // The adapter's reply handle is kept for the outbound side, sealed with the rest.
  EXPECT_EQ(crypto::body_reply_handle(*body), "rt-secret");
  EXPECT_FALSE(contains(r.body, "rt-secret"));
}

TEST_F(EventRecordsTest, AMessageWithoutAReplyHandleHasNone) {
  auto m = text("Uabc", "こんにちは");
  m.reply_handle.clear();
  auto batch = build_batch(*tenant_, 7, {m}, clock_);
  auto key = data_key(batch);
  const auto& r = batch.events[0];
  auto body = crypto::open_body(key, r.body, crypto::associated_data("t1", r.message_id, r.key_id));
  ASSERT_TRUE(body);
  EXPECT_EQ(crypto::body_reply_handle(*body), "");
  EXPECT_TRUE(crypto::body_text(*body));
}

TEST_F(EventRecordsTest, ProviderIdsAreSealedAndPseudonymised) {
  auto batch = build_batch(*tenant_, 7, {text("Uabcdef0123", "こんにちは")}, clock_);
  const auto& r = batch.events[0];
  auto key = data_key(batch);
  auto contact = crypto::open_body(key, r.sealed_contact_id,
                                   crypto::associated_data("t1", contact_record_id(r.contact_pseudonym), r.key_id));
  ASSERT_TRUE(contact);
  EXPECT_EQ(*contact, "Uabcdef0123");
  auto thread = crypto::open_body(key, r.sealed_thread_id,
                                  crypto::associated_data("t1", thread_record_id(r.thread_pseudonym), r.key_id));
  ASSERT_TRUE(thread);
  EXPECT_EQ(*thread, "Uabcdef0123");
  EXPECT_EQ(r.contact_pseudonym.size(), 32u);
  EXPECT_NE(r.contact_pseudonym, r.thread_pseudonym);  // same id, separate domains
  EXPECT_EQ(r.contact_label.size(), 9u);
  EXPECT_EQ(r.provider_msg_ref.size(), 32u);
  for (const auto* blob : {&r.body, &r.sealed_contact_id, &r.sealed_thread_id, &r.provider_msg_ref})
    for (std::string_view clear : {"Uabcdef0123", "こんにちは", "rt-secret", "4711"})
      EXPECT_FALSE(contains(*blob, clear)) << clear;
}

TEST_F(EventRecordsTest, PseudonymsAreStablePerAccountAndDifferAcrossAccounts) {
  auto a = build_batch(*tenant_, 7, {text("Uu", "1"), text("Uu", "2"), text("Uv", "3"), text("Uu", "4", "other")}, clock_);
  ASSERT_EQ(a.events.size(), 4u);
  EXPECT_EQ(a.events[0].contact_pseudonym, a.events[1].contact_pseudonym);
  EXPECT_NE(a.events[0].contact_pseudonym, a.events[2].contact_pseudonym);
  EXPECT_NE(a.events[0].contact_pseudonym, a.events[3].contact_pseudonym);
  EXPECT_NE(a.events[0].message_id, a.events[1].message_id);
  EXPECT_EQ(a.keys.size(), 1u);  // one data key per webhook
}

TEST_F(EventRecordsTest, EventsWithoutASenderHaveNoContact) {
  NormalizedMessage m;
  m.channel = "line";
  m.account = "demo";
  m.external_id = "01HACTIVATED";
  m.event_type = "activated";
  m.payload_json = R"({"type":"activated"})";
  auto batch = build_batch(*tenant_, 7, {m}, clock_);
  ASSERT_EQ(batch.events.size(), 1u);
  EXPECT_TRUE(batch.events[0].contact_pseudonym.empty());
  EXPECT_TRUE(batch.events[0].sealed_contact_id.empty());
  EXPECT_TRUE(batch.events[0].thread_pseudonym.empty());
  EXPECT_FALSE(batch.events[0].body.empty());
}

TEST_F(EventRecordsTest, UnsendCarriesAKeyedReferenceToItsTarget) {
  auto original = text("Uu", "消したい");
  NormalizedMessage unsend;
  unsend.channel = "line";
  unsend.account = "demo";
  unsend.external_id = "01HUNSEND";
  unsend.event_type = "unsend";
  unsend.sender_id = "Uu";
  unsend.thread_id = "Uu";
  unsend.target_message_id = original.provider_message_id;
  unsend.effect = ContactEffect::hide_target;
  auto batch = build_batch(*tenant_, 7, {original, unsend}, clock_);
  EXPECT_EQ(batch.events[1].target_msg_ref, batch.events[0].provider_msg_ref);
  EXPECT_EQ(batch.events[1].effect, ContactEffect::hide_target);
}

TEST_F(EventRecordsTest, DataKeyRotatesWithTheEpoch) {
  auto first = build_batch(*tenant_, 7, {text("Uu", "1")}, clock_);
  clock_.advance_ms(600'001);
  auto second = build_batch(*tenant_, 7, {text("Uu", "2")}, clock_);
  EXPECT_NE(first.keys[0].key_id, second.keys[0].key_id);
}

}  // namespace
}  // namespace madoguchi::ingest
