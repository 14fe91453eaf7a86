#include "crypto/chain_hash.hpp"

#include <sodium.h>

#include <cstdint>

namespace madoguchi::crypto {

ChainHash chain_link(const Secret& key, const ChainHash& previous, const std::vector<std::string_view>& fields) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, key.data(), key.size(), sizeof(ChainHash));
  crypto_generichash_update(&state, previous.data(), previous.size());
  for (auto field : fields) {
    std::array<unsigned char, 8> length{};
    std::uint64_t n = field.size();
    for (auto& b : length) {
      b = static_cast<unsigned char>(n & 0xff);
      n >>= 8;
    }
    crypto_generichash_update(&state, length.data(), length.size());
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(field.data()), field.size());
  }
  ChainHash out;
  crypto_generichash_final(&state, out.data(), out.size());
  return out;
}

std::string new_session_token() {
  std::array<unsigned char, 32> raw;
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  sodium_memzero(raw.data(), raw.size());
  return out;
}

ChainHash token_hash(std::string_view token) {
  ChainHash out;
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                     nullptr, 0);
  return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace madoguchi::crypto
