#include "crypto/pseudonym.hpp"

#include <sodium.h>

namespace madoguchi::crypto {
namespace {

void absorb(crypto_generichash_state& state, std::string_view part) {
  unsigned char len[8];
  std::uint64_t n = part.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>((n >> (8 * i)) & 0xff);
  crypto_generichash_update(&state, len, sizeof len);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(part.data()), part.size());
}

Pseudonym keyed_hash(const Secret& key, std::string_view domain, std::string_view channel,
                     std::string_view account, std::string_view id) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, key.data(), key.size(), crypto_generichash_BYTES);
  absorb(state, domain);
  absorb(state, channel);
  absorb(state, account);
  absorb(state, id);
  Pseudonym out{};
  crypto_generichash_final(&state, out.data(), out.size());
  sodium_memzero(&state, sizeof state);
  return out;
}

}  // namespace

Pseudonym pseudonym(const Secret& key, std::string_view channel, std::string_view account,
                    std::string_view provider_id) {
  return keyed_hash(key, "madoguchi/contact/v1", channel, account, provider_id);
}

Pseudonym message_ref(const Secret& key, std::string_view channel, std::string_view account,
                      std::string_view provider_message_id) {
  return keyed_hash(key, "madoguchi/message/v1", channel, account, provider_message_id);
}

std::string pseudonym_label(const Pseudonym& p) {
  // Crockford base32 (no I, L, O, U): easy to read aloud on the phone.
  static constexpr char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::uint64_t bits = 0;
  for (int i = 0; i < 5; ++i) bits = (bits << 8) | p[i];  // 40 bits → 8 characters
  std::string out;
  for (int i = 7; i >= 0; --i) {
    out.push_back(alphabet[(bits >> (5 * i)) & 31]);
    if (i == 4) out.push_back('-');
  }
  return out;
}

}  // namespace madoguchi::crypto
