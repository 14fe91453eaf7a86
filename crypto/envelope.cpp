#include "crypto/envelope.hpp"

#include <sodium.h>

#include <cstring>

namespace madoguchi::crypto {
namespace {

constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;

void append_part(std::string& out, std::string_view part) {
  std::uint64_t n = part.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out.append(part);
}

}  // namespace

std::string random_id() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string(hex, 32);
}

std::string random_uuid() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, b, sizeof b);
  std::string h(hex, 32);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

DataKey new_data_key(const PublicKey& tenant_public) {
  DataKey key{random_id(), Secret(crypto_aead_xchacha20poly1305_ietf_KEYBYTES), {}};
  crypto_aead_xchacha20poly1305_ietf_keygen(key.key.data());
  key.sealed.resize(crypto_box_SEALBYTES + key.key.size());
  crypto_box_seal(key.sealed.data(), key.key.data(), key.key.size(), tenant_public.data());
  return key;
}

result<Secret> open_data_key(std::span<const unsigned char> sealed, const PublicKey& tenant_public,
                             const Secret& tenant_secret) {
  if (sealed.size() != crypto_box_SEALBYTES + crypto_aead_xchacha20poly1305_ietf_KEYBYTES ||
      tenant_secret.size() != crypto_box_SECRETKEYBYTES)
    return errc::decrypt_failed;
  Secret key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  if (crypto_box_seal_open(key.data(), sealed.data(), sealed.size(), tenant_public.data(),
                           tenant_secret.data()) != 0)
    return errc::decrypt_failed;
  return key;
}

std::string associated_data(std::string_view tenant, std::string_view record_id, std::string_view key_id) {
  std::string out;
  out.reserve(24 + tenant.size() + record_id.size() + key_id.size());
  append_part(out, tenant);
  append_part(out, record_id);
  append_part(out, key_id);
  return out;
}

Bytes seal_body(const Secret& data_key, std::string_view plaintext, std::string_view ad) {
  Bytes box(kNonce + plaintext.size() + kTag);
  randombytes_buf(box.data(), kNonce);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      box.data() + kNonce, &written, reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, box.data(), data_key.data());
  box.resize(kNonce + written);
  return box;
}

result<std::string> open_body(const Secret& data_key, std::span<const unsigned char> box, std::string_view ad) {
  if (box.size() < kNonce + kTag || data_key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES)
    return errc::decrypt_failed;
  std::string plain(box.size() - kNonce - kTag, '\0');
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &written, nullptr, box.data() + kNonce,
          box.size() - kNonce, reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), box.data(),
          data_key.data()) != 0)
    return errc::decrypt_failed;
  plain.resize(written);
  return plain;
}

EpochKeys::EpochKeys(PublicKey tenant_public, const Clock& clock, std::int64_t max_age_ms,
                     std::uint64_t max_uses)
    : public_(tenant_public), clock_(clock), max_age_ms_(max_age_ms), max_uses_(max_uses) {}

std::shared_ptr<const DataKey> EpochKeys::current() {
  std::lock_guard lock(mutex_);
  const auto now = clock_.now_ms();
  if (!key_ || now - started_ms_ >= max_age_ms_ || uses_ >= max_uses_) {
    // The previous key is wiped (Secret's destructor) when its last holder lets go.
    key_ = std::make_shared<const DataKey>(new_data_key(public_));
    started_ms_ = now;
    uses_ = 0;
  }
  ++uses_;
  return key_;
}

}  // namespace madoguchi::crypto
