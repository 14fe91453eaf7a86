#pragma once
// The counselor side's key material per tenant: the sealing key pair (opens data keys,
// hence provider ids and bodies) and its own epoch data keys for sealing texts (replies,
// notes, TOTP secrets). Shared by the outbox, triage and the console. Opened data keys are
// cached in locked memory for the life of the process.
// Thread-safe (one mutex; the work under it is microseconds).
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "crypto/envelope.hpp"
#include "crypto/keys.hpp"
#include "crypto/sealed_key.hpp"
#include "gateway/core/clock.hpp"

namespace madoguchi::crypto {

struct SealedText {
  SealedDataKey key;  // insert with the row (the key may be new)
  Bytes body;
};

class Keyring {
 public:
  explicit Keyring(const Clock& clock) : clock_(clock) {}
  void add(const std::string& tenant_id, crypto::SealingKeyPair keys, std::int64_t epoch_ms,
           std::uint64_t epoch_messages);
  bool has(const std::string& tenant_id) const;

  // Seals {"v":1,"text":…} for the outbound row `record_id`.
  [[nodiscard]] result<SealedText> seal_text(const std::string& tenant_id, const std::string& record_id, const std::string& text);
  // Seals `plaintext` as it is (media content) for `record_id`, under the current epoch key.
  [[nodiscard]] result<SealedText> seal(const std::string& tenant_id, const std::string& record_id, std::string_view plaintext);
  // The link between the cases of one household: "h1:" + hex of a keyed BLAKE2b of the
  // household number, the key derived (crypto_kdf) from the tenant's sealing secret, so the
  // same number links within a tenant and a copied database alone does not reveal it.
  [[nodiscard]] result<std::string> household_link(const std::string& tenant_id, std::string_view household);
  // Opens a box sealed under `key_id` with AD (tenant, record_id, key_id); the data key is
  // looked up through `store` the first time. errc::decrypt_failed / not_found.
  [[nodiscard]] result<std::string> open(DataKeySource& store, const std::string& tenant_id, const std::string& key_id,
                           const std::string& record_id, const Bytes& box);

 private:
  struct Tenant {
    crypto::SealingKeyPair keys;
    std::unique_ptr<crypto::EpochKeys> epochs;
  };
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::map<std::string, Tenant> tenants_;
  std::map<std::string, Secret> data_keys_;  // key_id → opened key
};

// The sealed body format. The text of a sealed outbound or inbound body ({"v":1,"text":…}); the reply handle its
// channel's adapter gave an inbound message ("reply_handle"), empty when there is none.
[[nodiscard]] result<std::string> body_text(const std::string& plaintext);
std::string body_reply_handle(const std::string& plaintext);
// The media handle its channel's adapter gave an inbound message ("media_handle"), or "".
std::string body_media_handle(const std::string& plaintext);
// An email's subject ("subject"), or "".
std::string body_subject(const std::string& plaintext);
// The inbound message was written by a machine: no automatic reply answers it.
bool body_no_auto_reply(const std::string& plaintext);

}  // namespace madoguchi::crypto
