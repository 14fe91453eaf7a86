#pragma once
// Webhook signature checks. HMAC-SHA256 through OpenSSL; comparisons in constant time
// (CRYPTO_memcmp), never == or memcmp on MACs.
#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/secret.hpp"

namespace madoguchi::adapters {

using Mac = std::array<unsigned char, 32>;

Mac hmac_sha256(const Secret& key, std::string_view data);

// Constant-time equality for equal-length MACs; false when lengths differ.
bool mac_equal(std::span<const unsigned char> a, std::span<const unsigned char> b);

// Strict standard base64 (with padding) / lower- or upper-case hex; nullopt if malformed.
std::optional<std::vector<unsigned char>> base64_decode(std::string_view text);
std::string base64_encode(std::span<const unsigned char> bytes);
std::optional<std::vector<unsigned char>> hex_decode(std::string_view text);

}  // namespace madoguchi::adapters
