#pragma once
// What the ingest stage hands to the store: already encrypted, already pseudonymised.
// The store never sees plaintext content or provider user ids.
#include <cstdint>
#include <string>
#include <vector>

#include "crypto/sealed_key.hpp"

#include "gateway/core/message.hpp"

namespace madoguchi::store {

using Blob = std::vector<unsigned char>;

using DataKeyRecord = crypto::SealedDataKey;  // as sealed to the tenant's public key

struct EventRecord {
  std::string message_id;  // random record id (also bound into the body's associated data)
  std::string tenant_id;
  std::string channel;
  std::int64_t account_id = 0;  // channel_accounts.id
  std::string external_id;      // provider event id: UNIQUE(channel, account_id, external_id)
  std::string event_type;
  std::string message_type;
  std::int64_t provider_ts_ms = 0;
  std::int64_t received_at_ms = 0;
  bool redelivery = false;

  Blob contact_pseudonym;    // 32 bytes; contacts are keyed by (tenant, pseudonym)
  std::string contact_label; // short label for staff
  Blob thread_pseudonym;     // 32 bytes; one conversation per (account, thread)
  std::string key_id;        // data key of every blob below
  Blob sealed_contact_id;    // provider user id, encrypted (AD: tenant, contact label, key id)
  Blob sealed_thread_id;     // provider thread id, encrypted (AD: tenant, message_id + "/thread", key id)
  Blob body;                 // NormalizedMessage content, encrypted (AD: tenant, message_id, key id)
  Blob provider_msg_ref;     // keyed hash of the provider message id, or empty
  Blob target_msg_ref;       // unsend: keyed hash of the message to hide, or empty
  ContactEffect effect = ContactEffect::none;
  bool has_media = false;    // enqueue a fetch_media job
};

struct IngestBatch {
  std::vector<DataKeyRecord> keys;  // every data key the events use (inserted if missing)
  std::vector<EventRecord> events;  // all stored atomically, or none
};

struct IngestOutcome {
  int stored = 0;
  int duplicates = 0;
};

}  // namespace madoguchi::store
