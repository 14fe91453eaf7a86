#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <thread>

#include "crypto/envelope.hpp"
#include "crypto/keys.hpp"

namespace madoguchi::crypto {
namespace {

Secret fixed_key() {
  Secret k(32);
  for (int i = 0; i < 32; ++i) k.data()[i] = static_cast<unsigned char>(0x80 + i);
  return k;
}

// Independent computation of XChaCha20-Poly1305-IETF: HChaCha20 subkey (libsodium's core
// primitive), then OpenSSL's ChaCha20-Poly1305 with nonce 0000 || nonce[16..24].
Bytes reference_xchacha(const Secret& key, const unsigned char* nonce, std::string_view plain, std::string_view ad) {
  unsigned char subkey[32];
  crypto_core_hchacha20(subkey, nonce, key.data(), nullptr);
  unsigned char iv[12] = {0};
  std::memcpy(iv + 4, nonce + 16, 8);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(ctx, EVP_chacha20_poly1305(), nullptr, subkey, iv);
  int len = 0;
  EVP_EncryptUpdate(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(ad.data()), static_cast<int>(ad.size()));
  Bytes out(plain.size() + 16);
  EVP_EncryptUpdate(ctx, out.data(), &len, reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()));
  int fin = 0;
  EVP_EncryptFinal_ex(ctx, out.data() + len, &fin);
  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, out.data() + plain.size());
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

TEST(Envelope, MatchesAnIndependentXChaChaComputation) {
  auto key = fixed_key();
  const std::string plain = "Ladies and Gentlemen of the class of '99: 息子のことで相談です";
  const std::string ad = associated_data("tenant", "record", "key");
  auto box = seal_body(key, plain, ad);
  ASSERT_EQ(box.size(), 24 + plain.size() + 16);
  auto expected = reference_xchacha(key, box.data(), plain, ad);
  EXPECT_EQ(Bytes(box.begin() + 24, box.end()), expected);
  auto opened = open_body(key, box, ad);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, plain);
}

TEST(Envelope, AssociatedDataIsLengthPrefixedAndUnambiguous) {
  EXPECT_NE(associated_data("ab", "c", "k"), associated_data("a", "bc", "k"));
  EXPECT_EQ(associated_data("a", "b", "c").size(), 3u * 8 + 3);
}

TEST(Envelope, RoundTripsEmptyJapaneseAndLargeBodies) {
  auto key = fixed_key();
  for (const std::string& plain : {std::string(), std::string("夜分にすみません"), std::string(1 << 20, 'x')}) {
    auto box = seal_body(key, plain, "ad");
    auto opened = open_body(key, box, "ad");
    ASSERT_TRUE(opened);
    EXPECT_EQ(*opened, plain);
  }
}

TEST(Envelope, EverySingleBitFlipIsRefused) {
  auto key = fixed_key();
  auto box = seal_body(key, "相談内容", "ad");
  for (std::size_t bit = 0; bit < box.size() * 8; ++bit) {
    auto tampered = box;
    tampered[bit / 8] ^= static_cast<unsigned char>(1u << (bit % 8));
    auto opened = open_body(key, tampered, "ad");
    ASSERT_FALSE(opened) << "bit " << bit;
    EXPECT_EQ(opened.error(), errc::decrypt_failed);
  }
}

TEST(Envelope, WrongKeyWrongAdOrTruncationIsRefused) {
  auto key = fixed_key();
  auto box = seal_body(key, "body", associated_data("t", "m1", "k"));
  Secret other(32);
  EXPECT_FALSE(open_body(other, box, associated_data("t", "m1", "k")));
  EXPECT_FALSE(open_body(key, box, associated_data("t", "m2", "k")));
  EXPECT_FALSE(open_body(key, box, associated_data("t2", "m1", "k")));
  EXPECT_FALSE(open_body(key, box, associated_data("t", "m1", "k2")));
  EXPECT_FALSE(open_body(key, std::span(box).first(box.size() - 1), associated_data("t", "m1", "k")));
  EXPECT_FALSE(open_body(key, std::span(box).first(10), associated_data("t", "m1", "k")));
}

TEST(Envelope, DataKeysOpenOnlyWithTheTenantSecretKey) {
  PublicKey pk{};
  Secret sk(32);
  crypto_box_keypair(pk.data(), sk.data());
  auto dk = new_data_key(pk);
  EXPECT_EQ(dk.key_id.size(), 32u);
  auto opened = open_data_key(dk.sealed, pk, sk);
  ASSERT_TRUE(opened);
  EXPECT_EQ(sodium_memcmp(opened->data(), dk.key.data(), 32), 0);
  PublicKey pk2{};
  Secret sk2(32);
  crypto_box_keypair(pk2.data(), sk2.data());
  EXPECT_FALSE(open_data_key(dk.sealed, pk2, sk2));
  auto tampered = dk.sealed;
  tampered[5] ^= 1;
  EXPECT_FALSE(open_data_key(tampered, pk, sk));
}

TEST(EpochKeys, RotatesByAgeAndByUseAndKeepsOldKeysAliveForHolders) {
  PublicKey pk{};
  Secret sk(32);
  crypto_box_keypair(pk.data(), sk.data());
  FakeClock clock;
  EpochKeys epochs(pk, clock, 1000, 3);
  auto a = epochs.current();
  EXPECT_EQ(epochs.current()->key_id, a->key_id);
  EXPECT_EQ(epochs.current()->key_id, a->key_id);
  auto b = epochs.current();  // fourth use: a new epoch
  EXPECT_NE(b->key_id, a->key_id);
  clock.advance_ms(999);
  EXPECT_EQ(epochs.current()->key_id, b->key_id);
  clock.advance_ms(1);
  auto c = epochs.current();
  EXPECT_NE(c->key_id, b->key_id);
  auto opened = open_data_key(a->sealed, pk, sk);  // an in-flight holder's key still works
  ASSERT_TRUE(opened);
  EXPECT_EQ(sodium_memcmp(opened->data(), a->key.data(), 32), 0);
}

TEST(EpochKeys, ConcurrentCallersAllGetUsableKeys) {
  PublicKey pk{};
  Secret sk(32);
  crypto_box_keypair(pk.data(), sk.data());
  FakeClock clock;
  EpochKeys epochs(pk, clock, 60'000, 50);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto k = epochs.current();
        auto box = seal_body(k->key, "x", "ad");
        if (!open_body(k->key, box, "ad")) ++failures;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace madoguchi::crypto
