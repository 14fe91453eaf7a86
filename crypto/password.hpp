#pragma once
// Staff password hashing: crypto_pwhash_str (Argon2id), with rehash when parameters change.
#include <string>
#include <string_view>

#include "crypto/keys.hpp"
#include "gateway/core/errc.hpp"

namespace madoguchi::crypto {

[[nodiscard]] result<std::string> hash_password(std::string_view password, KdfLimits limits);
bool verify_password(const std::string& stored_hash, std::string_view password);
bool password_needs_rehash(const std::string& stored_hash, KdfLimits limits);

}  // namespace madoguchi::crypto
