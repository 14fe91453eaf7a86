#pragma once
// Envelope encryption of message bodies and provider ids.
// A data key is random (256 bit) per epoch and stored only sealed to the tenant's
// public key (crypto_box_seal), so the ingest side can encrypt but never decrypt.
// Bodies: XChaCha20-Poly1305-IETF, random 192-bit nonce, associated data binding
// tenant, record id and key id, so a ciphertext moved to another row fails to open.
#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/clock.hpp"
#include "gateway/core/errc.hpp"
#include "gateway/core/secret.hpp"

namespace madoguchi::crypto {

using Bytes = std::vector<unsigned char>;
using PublicKey = std::array<unsigned char, 32>;

struct DataKey {
  std::string key_id;  // 32 lower-case hex characters, random
  Secret key;          // 32 bytes
  Bytes sealed;        // crypto_box_seal(key, tenant public key)
};

// A fresh random data key sealed to `tenant_public`.
DataKey new_data_key(const PublicKey& tenant_public);

// Opens a sealed data key with the tenant key pair. errc::decrypt_failed on any failure.
[[nodiscard]] result<Secret> open_data_key(std::span<const unsigned char> sealed, const PublicKey& tenant_public,
                             const Secret& tenant_secret);

// Canonical associated data: length-prefixed (tenant, record id, key id).
std::string associated_data(std::string_view tenant, std::string_view record_id,
                            std::string_view key_id);

// nonce (24 bytes) || ciphertext+tag.
Bytes seal_body(const Secret& data_key, std::string_view plaintext, std::string_view ad);
// errc::decrypt_failed for a wrong key, wrong AD, truncated or altered box.
[[nodiscard]] result<std::string> open_body(const Secret& data_key, std::span<const unsigned char> box,
                              std::string_view ad);

// The current epoch's data key, rotated after `max_age_ms` or `max_uses` uses.
// When an epoch ends the previous key is released; its memory is wiped once the
// last holder (an in-flight batch) lets go. Thread-safe.
class EpochKeys {
 public:
  EpochKeys(PublicKey tenant_public, const Clock& clock, std::int64_t max_age_ms,
            std::uint64_t max_uses);
  std::shared_ptr<const DataKey> current();

 private:
  PublicKey public_;
  const Clock& clock_;
  std::int64_t max_age_ms_;
  std::uint64_t max_uses_;
  std::mutex mutex_;
  std::shared_ptr<const DataKey> key_;
  std::int64_t started_ms_ = 0;
  std::uint64_t uses_ = 0;
};

// 16 random bytes as 32 lower-case hex characters (record ids, key ids).
std::string random_id();
// A random (version 4) UUID, lower-case 8-4-4-4-12: provider retry keys.
std::string random_uuid();

}  // namespace madoguchi::crypto
