#pragma once
// Turns an adapter's NormalizedMessages into what the store may see: every content field
// and provider id encrypted under the tenant's current epoch data key, contacts and
// threads replaced by keyed pseudonyms. Pure CPU, thread-safe (EpochKeys locks inside).
#include <memory>
#include <string>
#include <vector>

#include "crypto/envelope.hpp"
#include "crypto/keys.hpp"
#include "gateway/core/clock.hpp"
#include "gateway/core/message.hpp"
#include "store/records.hpp"

namespace madoguchi::ingest {

// What the ingest side holds for one tenant: the public sealing key, the pseudonym key
// and the epoch data keys. Never the tenant's secret key.
struct TenantIngest {
  TenantIngest(std::string id, crypto::IngestKeys keys, const Clock& clock,
               std::int64_t epoch_ms, std::uint64_t epoch_messages)
      : tenant_id(std::move(id)),
        keys(std::move(keys)),
        epochs(this->keys.sealing_public, clock, epoch_ms, epoch_messages) {}
  std::string tenant_id;
  crypto::IngestKeys keys;
  crypto::EpochKeys epochs;
};

// Associated data names for the sealed provider ids (the body uses the message id).
std::string contact_record_id(const store::Blob& contact_pseudonym);
std::string thread_record_id(const store::Blob& thread_pseudonym);

// The sealed body: {"v":1,"text":…,"event":<the provider's event JSON>}, plus the adapter's
// "reply_handle" and "media_handle" when it gave them.
std::string body_plaintext(const NormalizedMessage& message);

store::IngestBatch build_batch(TenantIngest& tenant, std::int64_t account_row_id,
                               const std::vector<NormalizedMessage>& messages, const Clock& clock);

}  // namespace madoguchi::ingest
