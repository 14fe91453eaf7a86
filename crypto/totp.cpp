#include "crypto/totp.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <array>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace madoguchi::crypto {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::uint32_t hotp_value(const Secret& key, std::int64_t counter) {
  std::array<unsigned char, 8> message{};
  for (int i = 7; i >= 0; --i) {
    message[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter & 0xff);
    counter >>= 8;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), message.data(), message.size(), mac.data(), &mac_len);
  // Dynamic truncation (RFC 4226 section 5.3).
  const unsigned offset = mac[mac_len - 1] & 0x0f;
  return (static_cast<std::uint32_t>(mac[offset] & 0x7f) << 24) | (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
         (static_cast<std::uint32_t>(mac[offset + 2]) << 8) | static_cast<std::uint32_t>(mac[offset + 3]);
}

}  // namespace

Secret new_totp_secret() {
  Secret key(20);
  randombytes_buf(key.data(), key.size());
  return key;
}

std::string totp_code(const Secret& key, std::int64_t step, const TotpParams& params) {
  std::uint32_t modulus = 1;
  for (int i = 0; i < params.digits; ++i) modulus *= 10;
  auto code = std::to_string(hotp_value(key, step) % modulus);
  return std::string(static_cast<std::size_t>(params.digits) - code.size(), '0') + code;
}

std::optional<std::int64_t> totp_match(const Secret& key, std::string_view code, std::int64_t now_s, int skew,
                                       const TotpParams& params) {
  if (code.size() != static_cast<std::size_t>(params.digits)) return std::nullopt;
  const std::int64_t current = now_s / params.step_s;
  std::optional<std::int64_t> found;
  // Every candidate is computed and compared, so timing does not tell which one matched.
  for (std::int64_t step = current + skew; step >= current - skew; --step) {
    auto expected = totp_code(key, step, params);
    if (sodium_memcmp(expected.data(), code.data(), code.size()) == 0 && !found) found = step;
  }
  return found;
}

std::string base32_encode(std::string_view bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    auto index = kAlphabet.find(c);
    if (index == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(index);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  return out;
}

std::string totp_uri(const Secret& key, std::string_view issuer, std::string_view account) {
  const auto enc = [](std::string_view s) { return boost::urls::encode(s, boost::urls::unreserved_chars); };
  return "otpauth://totp/" + enc(issuer) + ":" + enc(account) + "?secret=" + base32_encode(key.view()) +
         "&issuer=" + enc(issuer) + "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace madoguchi::crypto
