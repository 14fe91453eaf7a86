#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "crypto/keys.hpp"
#include "crypto/password.hpp"
#include "crypto/pseudonym.hpp"

namespace madoguchi::crypto {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    char pattern[] = "/tmp/madoguchi-keys-XXXXXX";
    path = mkdtemp(pattern);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::vector<unsigned char> read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void write_all(const fs::path& p, const std::vector<unsigned char>& bytes) {
  fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

TEST(TenantKeys, InitCreatesPrivateFilesThatLoadWithThePassphrase) {
  TempDir tmp;
  auto dir = tmp.path / "keys" / "t1";
  ASSERT_TRUE(init_tenant_keys(dir, "正しいパスフレーズ", KdfLimits::interactive()));
  EXPECT_TRUE(tenant_keys_exist(dir));
  struct stat st;
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const char* f : {"sealing.pub", "sealing.key", "ingest.key"}) {
    ASSERT_EQ(stat((dir / f).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
  }
  auto ingest = load_ingest_keys(dir, "正しいパスフレーズ");
  ASSERT_TRUE(ingest);
  auto pair = load_sealing_keys(dir, "正しいパスフレーズ");
  ASSERT_TRUE(pair);
  EXPECT_EQ(ingest->sealing_public, pair->sealing_public);
  // What ingest seals, the counselor side opens.
  auto dk = new_data_key(ingest->sealing_public);
  EXPECT_TRUE(open_data_key(dk.sealed, pair->sealing_public, pair->sealing_secret));
}

TEST(TenantKeys, WrongPassphraseMissingAndCorruptFilesAreDistinguished) {
  TempDir tmp;
  auto dir = tmp.path / "k";
  ASSERT_TRUE(init_tenant_keys(dir, "pass", KdfLimits::interactive()));
  EXPECT_EQ(load_ingest_keys(dir, "wrong").error(), errc::passphrase_wrong);
  EXPECT_EQ(load_sealing_keys(dir, "wrong").error(), errc::passphrase_wrong);
  EXPECT_EQ(load_ingest_keys(tmp.path / "none", "pass").error(), errc::key_missing);

  auto original = read_all(dir / "ingest.key");
  auto truncated = original;
  truncated.pop_back();
  write_all(dir / "ingest.key", truncated);
  EXPECT_EQ(load_ingest_keys(dir, "pass").error(), errc::key_file_invalid);
  auto tampered = original;
  tampered.back() ^= 1;
  write_all(dir / "ingest.key", tampered);
  EXPECT_EQ(load_ingest_keys(dir, "pass").error(), errc::passphrase_wrong);  // AEAD refuses
  auto huge_limits = original;
  huge_limits[15 + 4] = 0x7f;  // memlimit far beyond the cap: refused before any allocation
  write_all(dir / "ingest.key", huge_limits);
  EXPECT_EQ(load_ingest_keys(dir, "pass").error(), errc::key_file_invalid);
  write_all(dir / "ingest.key", original);
  EXPECT_TRUE(load_ingest_keys(dir, "pass"));
}

TEST(TenantKeys, SwappedFilesAreRefused) {
  TempDir tmp;
  auto dir = tmp.path / "k";
  ASSERT_TRUE(init_tenant_keys(dir, "pass", KdfLimits::interactive()));
  auto sealing = read_all(dir / "sealing.key");
  auto ingest = read_all(dir / "ingest.key");
  write_all(dir / "sealing.key", ingest);
  write_all(dir / "ingest.key", sealing);
  EXPECT_EQ(load_ingest_keys(dir, "pass").error(), errc::key_file_invalid);
  EXPECT_EQ(load_sealing_keys(dir, "pass").error(), errc::key_file_invalid);
}

TEST(TenantKeys, PublicKeyMustMatchTheSecretKey) {
  TempDir tmp;
  auto dir = tmp.path / "k";
  ASSERT_TRUE(init_tenant_keys(dir, "pass", KdfLimits::interactive()));
  auto pub = read_all(dir / "sealing.pub");
  pub[0] ^= 1;
  write_all(dir / "sealing.pub", pub);
  EXPECT_EQ(load_sealing_keys(dir, "pass").error(), errc::key_file_invalid);
}

TEST(TenantKeys, InitNeverOverwrites) {
  TempDir tmp;
  auto dir = tmp.path / "k";
  ASSERT_TRUE(init_tenant_keys(dir, "pass", KdfLimits::interactive()));
  auto before = read_all(dir / "sealing.key");
  EXPECT_FALSE(init_tenant_keys(dir, "other", KdfLimits::interactive()));
  EXPECT_EQ(read_all(dir / "sealing.key"), before);
  EXPECT_TRUE(load_sealing_keys(dir, "pass"));
}

// Reference: keyed BLAKE2b-256 through OpenSSL's BLAKE2BMAC over the documented encoding.
std::array<unsigned char, 32> reference_blake2b(const Secret& key, const std::string& input) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "BLAKE2BMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  size_t size = 32;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size), OSSL_PARAM_construct_end()};
  EVP_MAC_init(ctx, key.data(), key.size(), params);
  EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  std::array<unsigned char, 32> out{};
  size_t written = 0;
  EVP_MAC_final(ctx, out.data(), &written, out.size());
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  return out;
}

std::string prefixed(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((p.size() >> (8 * i)) & 0xff));
    out.append(p);
  }
  return out;
}

TEST(Pseudonym, IsKeyedBlake2bOfTheDocumentedEncoding) {
  Secret key(32);
  for (int i = 0; i < 32; ++i) key.data()[i] = static_cast<unsigned char>(i);
  auto p = pseudonym(key, "line", "demo", "U4af4980629");
  EXPECT_EQ(p, reference_blake2b(key, prefixed({"madoguchi/contact/v1", "line", "demo", "U4af4980629"})));
  auto m = message_ref(key, "line", "demo", "325708");
  EXPECT_EQ(m, reference_blake2b(key, prefixed({"madoguchi/message/v1", "line", "demo", "325708"})));
  EXPECT_NE(pseudonym(key, "line", "demo", "325708"), m);
  EXPECT_NE(pseudonym(key, "line", "other", "U4af4980629"), p);
  Secret other(32);
  EXPECT_NE(pseudonym(other, "line", "demo", "U4af4980629"), p);
}

TEST(Pseudonym, LabelIsCrockfordBase32OfTheFirstFortyBits) {
  Pseudonym p{};
  p[0] = 0xff; p[1] = 0x00; p[2] = 0x10; p[3] = 0x8a; p[4] = 0x55;
  // 11111 11100 00000 00001 00001 00010 10010 10101 → Z W 0 1 1 2 J N (no I, L, O, U)
  EXPECT_EQ(pseudonym_label(p), "ZW01-12JN");
}

TEST(Password, HashVerifyAndRehash) {
  auto hash = hash_password("ひみつの合言葉", KdfLimits::interactive());
  ASSERT_TRUE(hash);
  EXPECT_TRUE(verify_password(*hash, "ひみつの合言葉"));
  EXPECT_FALSE(verify_password(*hash, "ひみつの合言葉 "));
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_FALSE(password_needs_rehash(*hash, KdfLimits::interactive()));
  EXPECT_TRUE(password_needs_rehash(*hash, KdfLimits{crypto_pwhash_OPSLIMIT_INTERACTIVE + 1,
                                                     crypto_pwhash_MEMLIMIT_INTERACTIVE}));
}

}  // namespace
}  // namespace madoguchi::crypto
