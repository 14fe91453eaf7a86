#include "crypto/keyring.hpp"

#include <sodium.h>

#include <array>

#include "gateway/core/hex.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace madoguchi::crypto {

void Keyring::add(const std::string& tenant_id, SealingKeyPair keys, std::int64_t epoch_ms,
                     std::uint64_t epoch_messages) {
  std::lock_guard lock(mutex_);
  auto epochs = std::make_unique<EpochKeys>(keys.sealing_public, clock_, epoch_ms, epoch_messages);
  tenants_.insert_or_assign(tenant_id, Tenant{std::move(keys), std::move(epochs)});
}

bool Keyring::has(const std::string& tenant_id) const {
  std::lock_guard lock(mutex_);
  return tenants_.count(tenant_id) != 0;
}

result<SealedText> Keyring::seal_text(const std::string& tenant_id, const std::string& record_id,
                                         const std::string& text) {
  return seal(tenant_id, record_id, boost::json::serialize(boost::json::object{{"v", 1}, {"text", text}}));
}

result<SealedText> Keyring::seal(const std::string& tenant_id, const std::string& record_id,
                                    std::string_view plaintext) {
  std::shared_ptr<const DataKey> key;
  {
    std::lock_guard lock(mutex_);
    auto it = tenants_.find(tenant_id);
    if (it == tenants_.end()) return errc::not_found;
    key = it->second.epochs->current();
  }
  SealedText out;
  out.key = {key->key_id, tenant_id, key->sealed, clock_.now_ms()};
  out.body = seal_body(key->key, plaintext, associated_data(tenant_id, record_id, key->key_id));
  return out;
}

result<std::string> Keyring::household_link(const std::string& tenant_id, std::string_view household) {
  std::array<unsigned char, crypto_generichash_KEYBYTES> key{};
  {
    std::lock_guard lock(mutex_);
    auto it = tenants_.find(tenant_id);
    if (it == tenants_.end()) return errc::not_found;
    static_assert(crypto_kdf_KEYBYTES == 32);
    if (it->second.keys.sealing_secret.size() != crypto_kdf_KEYBYTES) return errc::not_found;
    crypto_kdf_derive_from_key(key.data(), key.size(), 1, "hholdlnk", it->second.keys.sealing_secret.data());
  }
  std::array<unsigned char, 16> digest{};
  crypto_generichash(digest.data(), digest.size(), reinterpret_cast<const unsigned char*>(household.data()),
                     household.size(), key.data(), key.size());
  sodium_memzero(key.data(), key.size());
  return "h1:" + to_hex(digest);
}

result<std::string> Keyring::open(DataKeySource& store, const std::string& tenant_id, const std::string& key_id,
                                  const std::string& record_id, const Bytes& box) {
  std::lock_guard lock(mutex_);
  auto tenant = tenants_.find(tenant_id);
  if (tenant == tenants_.end()) return errc::not_found;
  auto cached = data_keys_.find(key_id);
  if (cached == data_keys_.end()) {
    auto sealed = store.sealed_data_key(key_id);
    if (!sealed) return sealed.error();
    if (!*sealed) return errc::not_found;
    auto opened = open_data_key(**sealed, tenant->second.keys.sealing_public, tenant->second.keys.sealing_secret);
    if (!opened) return opened.error();
    cached = data_keys_.emplace(key_id, std::move(*opened)).first;
  }
  return open_body(cached->second, box, associated_data(tenant_id, record_id, key_id));
}

namespace {

boost::json::value parse_body(const std::string& plaintext) {
  boost::system::error_code ec;
  auto v = boost::json::parse(plaintext, ec);
  return ec ? boost::json::value() : v;
}

}  // namespace

result<std::string> body_text(const std::string& plaintext) {
  auto v = parse_body(plaintext);
  const auto* text = v.is_object() ? v.as_object().if_contains("text") : nullptr;
  if (!text || !text->is_string()) return errc::json_unexpected_shape;
  return std::string(text->as_string());
}

namespace {

std::string string_member(const std::string& plaintext, std::string_view key) {
  auto v = parse_body(plaintext);
  const auto* member = v.is_object() ? v.as_object().if_contains(key) : nullptr;
  return member && member->is_string() ? std::string(member->as_string()) : std::string();
}

}  // namespace

std::string body_reply_handle(const std::string& plaintext) { return string_member(plaintext, "reply_handle"); }

std::string body_media_handle(const std::string& plaintext) { return string_member(plaintext, "media_handle"); }

std::string body_subject(const std::string& plaintext) { return string_member(plaintext, "subject"); }

bool body_no_auto_reply(const std::string& plaintext) {
  auto v = parse_body(plaintext);
  const auto* flag = v.is_object() ? v.as_object().if_contains("no_auto_reply") : nullptr;
  return flag && flag->is_bool() && flag->as_bool();
}

}  // namespace madoguchi::crypto
