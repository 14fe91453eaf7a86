#pragma once
// Hashes for staff access: keyed BLAKE2b links of the audit chain, and the one-way hash
// under which session tokens are stored.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/secret.hpp"

namespace madoguchi::crypto {

using ChainHash = std::array<unsigned char, 32>;

// BLAKE2b-256 keyed with `key` over `previous` followed by each field, length-prefixed, so
// no two different field lists hash alike.
ChainHash chain_link(const Secret& key, const ChainHash& previous, const std::vector<std::string_view>& fields);

// A fresh random session token (32 bytes, URL-safe base64 without padding) and its stored hash.
std::string new_session_token();
ChainHash token_hash(std::string_view token);

// Constant-time comparison of two strings of equal length (false when lengths differ).
bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace madoguchi::crypto
