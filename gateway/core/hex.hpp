#pragma once
// Lower-case hex of bytes (libsodium's sodium_bin2hex, constant time): record ids built
// from pseudonyms, digests, tokens.
#include <span>
#include <string>

namespace madoguchi {

std::string to_hex(std::span<const unsigned char> bytes);

}  // namespace madoguchi
