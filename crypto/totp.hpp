#pragma once
// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1, 30-second steps,
// 6 digits, the parameters every authenticator app uses by default. OpenSSL computes the MAC.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/core/secret.hpp"

namespace madoguchi::crypto {

struct TotpParams {
  int digits = 6;
  std::int64_t step_s = 30;
};

// A new random 20-byte secret (the RFC 4226 recommended length).
Secret new_totp_secret();

// The code for time step `step` (unix seconds / step_s), zero-padded to `digits`.
std::string totp_code(const Secret& key, std::int64_t step, const TotpParams& params = {});

// The step whose code matches `code` within ±`skew` steps of `now_s`, newest first; nullopt
// when none does. Compared in constant time. Callers refuse steps at or before the last one
// accepted, so a code cannot be replayed.
std::optional<std::int64_t> totp_match(const Secret& key, std::string_view code, std::int64_t now_s,
                                       int skew = 1, const TotpParams& params = {});

// RFC 4648 base32 without padding (what otpauth:// URIs carry), and back (nullopt if invalid).
std::string base32_encode(std::string_view bytes);
std::optional<std::string> base32_decode(std::string_view text);

// otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30
std::string totp_uri(const Secret& key, std::string_view issuer, std::string_view account);

}  // namespace madoguchi::crypto
