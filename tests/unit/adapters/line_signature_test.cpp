// x-line-signature: expected values computed here with OpenSSL, independently of the adapter.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <random>

#include "adapters/line/line_inbound.hpp"

namespace madoguchi::adapters::line {
namespace {

std::string openssl_signature(const std::string& secret, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  std::string out(64, '\0');
  out.resize(static_cast<std::size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(len))));
  return out;
}

std::vector<Secret> secrets(std::initializer_list<std::string_view> values) {
  std::vector<Secret> out;
  for (auto v : values) out.emplace_back(v);
  return out;
}

WebhookRequest request(const std::string& body, const std::string& signature) {
  return {"demo", {{"content-type", "application/json"}, {"x-line-signature", signature}}, body};
}

const std::string kSecret = "8c570fa6dd201bb328f1c1eac23a96d8";
const std::string kBody = R"({"destination":"U1","events":[{"type":"message","message":{"type":"text","id":"1","text":"こんにちは"}}]})";

TEST(LineSignature, AcceptsOpenSslComputedSignatures) {
  LineInbound line("demo", secrets({kSecret}));
  for (const std::string& body : {kBody, std::string(R"({"events":[]})"),
                                  std::string(R"({"events":[],"x":"\u3053\u3093"})"), std::string()}) {
    auto ok = line.verify(request(body, openssl_signature(kSecret, body)));
    ASSERT_TRUE(ok) << body;
    EXPECT_EQ(ok->matched_secret, 0);
  }
}

TEST(LineSignature, MissingOrMalformedHeader) {
  LineInbound line("demo", secrets({kSecret}));
  WebhookRequest none{"demo", {}, kBody};
  EXPECT_EQ(line.verify(none).error(), errc::signature_missing);
  EXPECT_EQ(line.verify(request(kBody, "not base64!")).error(), errc::signature_invalid);
  EXPECT_EQ(line.verify(request(kBody, "AAAA")).error(), errc::signature_invalid);  // too short
}

TEST(LineSignature, RotationSaysWhichSecretMatched) {
  const std::string next = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  LineInbound line("demo", secrets({kSecret, next}));
  EXPECT_EQ(line.verify(request(kBody, openssl_signature(kSecret, kBody)))->matched_secret, 0);
  EXPECT_EQ(line.verify(request(kBody, openssl_signature(next, kBody)))->matched_secret, 1);
  LineInbound old_only("demo", secrets({kSecret}));
  EXPECT_EQ(old_only.verify(request(kBody, openssl_signature(next, kBody))).error(), errc::signature_invalid);
}

TEST(LineSignature, ThousandsOfMutatedBodiesAreRefused) {
  LineInbound line("demo", secrets({kSecret}));
  const auto signature = openssl_signature(kSecret, kBody);
  std::mt19937 rng(20261122);
  int refused = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string body = kBody;
    const auto pos = std::uniform_int_distribution<std::size_t>(0, body.size() - 1)(rng);
    switch (i % 3) {
      case 0: body[pos] = static_cast<char>(body[pos] ^ (1 << (rng() % 8))); break;  // bit flip
      case 1: body.insert(pos, 1, static_cast<char>(rng() % 256)); break;              // insertion
      default: body.erase(pos, 1); break;                                               // deletion
    }
    ASSERT_NE(body, kBody);
    auto r = line.verify(request(body, signature));
    if (!r && r.error() == errc::signature_invalid) ++refused;
  }
  EXPECT_EQ(refused, 3000);
}

TEST(LineSignature, ThousandsOfMutatedSignaturesAreRefused) {
  LineInbound line("demo", secrets({kSecret}));
  const auto good = openssl_signature(kSecret, kBody);
  std::mt19937 rng(7);
  int refused = 0, total = 0;
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 2000; ++i) {
    std::string sig = good;
    const auto pos = rng() % (sig.size() - 1);  // keep the '=' padding for substitutions
    char replacement;
    do replacement = alphabet[rng() % 64]; while (replacement == sig[pos]);
    sig[pos] = replacement;
    ++total;
    if (!line.verify(request(kBody, sig))) ++refused;
  }
  for (const std::string& sig : {good.substr(0, good.size() - 1), good.substr(1), good + "=", good + "A",
                                 std::string(" ") + good, good.substr(0, 43) + "==", openssl_signature("other", kBody),
                                 openssl_signature(kSecret + "x", kBody), openssl_signature(kSecret, kBody + " ")}) {
    ++total;
    if (!line.verify(request(kBody, sig))) ++refused;
  }
  EXPECT_EQ(refused, total);
  EXPECT_GE(total, 2000);
  EXPECT_TRUE(line.verify(request(kBody, good)));
}

}  // namespace
}  // namespace madoguchi::adapters::line
