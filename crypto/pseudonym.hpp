#pragma once
// Pseudonymous contact ids: keyed BLAKE2b (crypto_generichash) with a per-tenant key over
// the length-prefixed (channel, account, provider id). Staff see only the short label.
#include <array>
#include <string>
#include <string_view>

#include "gateway/core/secret.hpp"

namespace madoguchi::crypto {

using Pseudonym = std::array<unsigned char, 32>;

Pseudonym pseudonym(const Secret& key, std::string_view channel, std::string_view account,
                    std::string_view provider_id);

// Short label shown to staff, e.g. "7F3A-K2Q9": Crockford base32 of the first bytes.
std::string pseudonym_label(const Pseudonym& p);

// Keyed reference to a provider message id (for unsend), different domain from pseudonyms.
Pseudonym message_ref(const Secret& key, std::string_view channel, std::string_view account,
                      std::string_view provider_message_id);

}  // namespace madoguchi::crypto
