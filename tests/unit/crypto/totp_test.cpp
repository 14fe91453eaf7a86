#include "crypto/totp.hpp"

#include <gtest/gtest.h>

namespace madoguchi::crypto {
namespace {

// RFC 6238 appendix B, SHA-1 rows (8 digits, the 20-byte ASCII key "1234567890…").
TEST(Totp, MatchesTheRfc6238TestVectors) {
  Secret key(std::string_view("12345678901234567890"));
  TotpParams eight{8, 30};
  EXPECT_EQ(totp_code(key, 59 / 30, eight), "94287082");
  EXPECT_EQ(totp_code(key, 1111111109 / 30, eight), "07081804");
  EXPECT_EQ(totp_code(key, 1111111111 / 30, eight), "14050471");
  EXPECT_EQ(totp_code(key, 1234567890 / 30, eight), "89005924");
  EXPECT_EQ(totp_code(key, 2000000000 / 30, eight), "69279037");
  EXPECT_EQ(totp_code(key, 20000000000 / 30, eight), "65353130");
}

TEST(Totp, AcceptsOneStepOfClockSkewAndNothingElse) {
  Secret key(std::string_view("12345678901234567890"));
  const std::int64_t now = 1234567890;
  const auto step = now / 30;
  EXPECT_EQ(totp_match(key, totp_code(key, step), now), step);
  EXPECT_EQ(totp_match(key, totp_code(key, step - 1), now), step - 1);
  EXPECT_EQ(totp_match(key, totp_code(key, step + 1), now), step + 1);
  EXPECT_FALSE(totp_match(key, totp_code(key, step - 2), now));
  EXPECT_FALSE(totp_match(key, "12345", now));       // wrong length
  EXPECT_FALSE(totp_match(key, "abcdef", now));
}

TEST(Totp, Base32FollowsRfc4648) {
  EXPECT_EQ(base32_encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(base32_encode("f"), "MY");
  EXPECT_EQ(base32_decode("MZXW6YTBOI").value(), "foobar");
  EXPECT_EQ(base32_decode("mzxw6ytboi======").value(), "foobar");
  EXPECT_FALSE(base32_decode("MZ1W"));  // 1 is not in the alphabet
  auto key = new_totp_secret();
  EXPECT_EQ(key.size(), 20u);
  EXPECT_EQ(base32_decode(base32_encode(key.view())).value(), std::string(key.view()));
  auto uri = totp_uri(key, "madoguchi", "sato");
  EXPECT_EQ(uri.rfind("otpauth://totp/madoguchi:sato?secret=" + base32_encode(key.view()), 0), 0u);
}

}  // namespace
}  // namespace madoguchi::crypto
