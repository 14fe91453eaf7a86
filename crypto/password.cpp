#include "crypto/password.hpp"

#include <sodium.h>

namespace madoguchi::crypto {

result<std::string> hash_password(std::string_view password, KdfLimits limits) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), limits.opslimit, limits.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return boost::system::errc::make_error_code(boost::system::errc::not_enough_memory);
  return std::string(out);
}

bool verify_password(const std::string& stored_hash, std::string_view password) {
  return crypto_pwhash_str_verify(stored_hash.c_str(), password.data(), password.size()) == 0;
}

bool password_needs_rehash(const std::string& stored_hash, KdfLimits limits) {
  return crypto_pwhash_str_needs_rehash(stored_hash.c_str(), limits.opslimit, limits.memlimit) != 0;
}

}  // namespace madoguchi::crypto
