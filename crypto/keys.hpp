#pragma once
// Tenant key material on disk, in one directory per tenant:
//   sealing.pub  the X25519 public key (32 raw bytes; not secret)
//   sealing.key  the X25519 secret key, encrypted under a passphrase (Argon2id → XChaCha20-Poly1305)
//   ingest.key   the pseudonym key (keyed BLAKE2b), encrypted under the same passphrase
// The ingest side needs sealing.pub and ingest.key only; the counselor side also sealing.key.
// Files are created with mode 0600 and never overwritten.
#include <filesystem>
#include <string_view>

#include "crypto/envelope.hpp"
#include "gateway/core/errc.hpp"
#include "gateway/core/secret.hpp"

namespace madoguchi::crypto {

struct KdfLimits {
  unsigned long long opslimit;
  std::size_t memlimit;
  static KdfLimits interactive();  // crypto_pwhash_*_INTERACTIVE: tests and start-up paths
  static KdfLimits moderate();     // crypto_pwhash_*_MODERATE: `madoguchi keys init`
};

// What the ingest side holds.
struct IngestKeys {
  PublicKey sealing_public;
  Secret pseudonym_key;  // 32 bytes
};

// What the counselor side holds in addition.
struct SealingKeyPair {
  PublicKey sealing_public;
  Secret sealing_secret;  // 32 bytes
};

bool tenant_keys_exist(const std::filesystem::path& dir);

// Creates the directory (0700) and the three files. Fails (key_file_invalid) if any exists.
[[nodiscard]] result<void> init_tenant_keys(const std::filesystem::path& dir, std::string_view passphrase,
                              KdfLimits limits);

// errc::key_missing, errc::key_file_invalid (bad magic/size), errc::passphrase_wrong.
[[nodiscard]] result<IngestKeys> load_ingest_keys(const std::filesystem::path& dir, std::string_view passphrase);
[[nodiscard]] result<SealingKeyPair> load_sealing_keys(const std::filesystem::path& dir,
                                         std::string_view passphrase);

}  // namespace madoguchi::crypto
