#include "gateway/ingest/event_records.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "crypto/pseudonym.hpp"
#include "gateway/core/hex.hpp"

namespace madoguchi::ingest {
namespace {

store::Blob to_blob(const crypto::Pseudonym& p) { return {p.begin(), p.end()}; }

}  // namespace

std::string contact_record_id(const store::Blob& contact_pseudonym) {
  return "contact:" + to_hex(contact_pseudonym);
}

std::string thread_record_id(const store::Blob& thread_pseudonym) {
  return "thread:" + to_hex(thread_pseudonym);
}

std::string body_plaintext(const NormalizedMessage& message) {
  boost::json::object body;
  body["v"] = 1;
  body["text"] = message.text;
  // The adapter already validated this JSON; an empty payload stays null.
  boost::system::error_code ec;
  auto event = message.payload_json.empty() ? boost::json::value() : boost::json::parse(message.payload_json, ec);
  body["event"] = ec ? boost::json::value(message.payload_json) : std::move(event);
  if (!message.subject.empty()) body["subject"] = message.subject;
  if (message.no_auto_reply) body["no_auto_reply"] = true;
  if (!message.reply_handle.empty()) body["reply_handle"] = message.reply_handle;
  if (!message.media_handle.empty()) body["media_handle"] = message.media_handle;
  return boost::json::serialize(body);
}

store::IngestBatch build_batch(TenantIngest& tenant, std::int64_t account_row_id,
                               const std::vector<NormalizedMessage>& messages, const Clock& clock) {
  store::IngestBatch batch;
  if (messages.empty()) return batch;
  const auto now = clock.now_ms();
  // One data key per webhook: the epoch counts webhooks, and a batch never spans two keys.
  auto key = tenant.epochs.current();
  batch.keys.push_back({key->key_id, tenant.tenant_id, key->sealed, now});

  const auto& pkey = tenant.keys.pseudonym_key;
  for (const auto& m : messages) {
    store::EventRecord r;
    r.message_id = crypto::random_id();
    r.tenant_id = tenant.tenant_id;
    r.channel = m.channel;
    r.account_id = account_row_id;
    r.external_id = m.external_id_private
                        ? "ref:" + to_hex(crypto::message_ref(pkey, m.channel, m.account, "external:" + m.external_id))
                        : m.external_id;
    r.event_type = m.event_type;
    r.message_type = m.message_type;
    r.provider_ts_ms = m.provider_timestamp_ms;
    r.received_at_ms = now;
    r.redelivery = m.redelivery;
    r.key_id = key->key_id;
    if (!m.sender_id.empty()) {
      auto p = crypto::pseudonym(pkey, m.channel, m.account, m.sender_id);
      r.contact_pseudonym = to_blob(p);
      r.contact_label = crypto::pseudonym_label(p);
      r.sealed_contact_id = crypto::seal_body(
          key->key, m.sender_id,
          crypto::associated_data(tenant.tenant_id, contact_record_id(r.contact_pseudonym), key->key_id));
    }
    if (!m.thread_id.empty()) {
      // Domain-separated from contact pseudonyms: a 1:1 thread id equals the user id.
      r.thread_pseudonym = to_blob(crypto::pseudonym(pkey, m.channel, m.account, "thread:" + m.thread_id));
      r.sealed_thread_id = crypto::seal_body(
          key->key, m.thread_id,
          crypto::associated_data(tenant.tenant_id, thread_record_id(r.thread_pseudonym), key->key_id));
    }
    r.body = crypto::seal_body(key->key, body_plaintext(m),
                               crypto::associated_data(tenant.tenant_id, r.message_id, key->key_id));
    if (!m.provider_message_id.empty())
      r.provider_msg_ref = to_blob(crypto::message_ref(pkey, m.channel, m.account, m.provider_message_id));
    if (!m.target_message_id.empty())
      r.target_msg_ref = to_blob(crypto::message_ref(pkey, m.channel, m.account, m.target_message_id));
    r.effect = m.effect;
    r.has_media = m.has_media;
    batch.events.push_back(std::move(r));
  }
  return batch;
}

}  // namespace madoguchi::ingest
