#include "crypto/keys.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>

namespace madoguchi::crypto {
namespace {

namespace fs = std::filesystem;

// Key file: magic(6) role(1) opslimit(8, LE) memlimit(8, LE) salt(16) nonce(24) box(32+16).
// Everything before the box is authenticated as associated data, so the limits cannot be
// lowered and a sealing key cannot pass for an ingest key.
constexpr unsigned char kMagic[6] = {'M', 'D', 'G', 'K', '1', 0};
constexpr std::size_t kSalt = crypto_pwhash_SALTBYTES;
constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kHeader = 6 + 1 + 8 + 8 + kSalt + kNonce;
constexpr std::size_t kFile = kHeader + 32 + crypto_aead_xchacha20poly1305_ietf_ABYTES;
// A hostile file must not make us spend gigabytes or minutes.
constexpr unsigned long long kMaxOps = 16;
constexpr std::size_t kMaxMem = std::size_t(1) << 30;

enum class Role : unsigned char { sealing = 1, ingest = 2 };

void put_u64(unsigned char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>((v >> (8 * i)) & 0xff);
}
std::uint64_t get_u64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

result<Secret> derive(std::string_view passphrase, const unsigned char* salt, unsigned long long ops,
                      std::size_t mem) {
  Secret key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  if (crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), salt, ops, mem,
                    crypto_pwhash_ALG_ARGON2ID13) != 0)
    return boost::system::errc::make_error_code(boost::system::errc::not_enough_memory);
  return key;
}

result<void> write_new_file(const fs::path& path, const unsigned char* data, std::size_t size) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return errc::key_file_invalid;
  bool ok = ::write(fd, data, size) == static_cast<ssize_t>(size) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return errc::key_file_invalid;
  return {};
}

result<void> write_key_file(const fs::path& path, Role role, const Secret& secret, std::string_view passphrase,
                            KdfLimits limits) {
  unsigned char file[kFile];
  std::memcpy(file, kMagic, 6);
  file[6] = static_cast<unsigned char>(role);
  put_u64(file + 7, limits.opslimit);
  put_u64(file + 15, limits.memlimit);
  unsigned char* salt = file + 23;
  unsigned char* nonce = salt + kSalt;
  randombytes_buf(salt, kSalt);
  randombytes_buf(nonce, kNonce);
  auto key = derive(passphrase, salt, limits.opslimit, limits.memlimit);
  if (!key) return key.error();
  crypto_aead_xchacha20poly1305_ietf_encrypt(file + kHeader, nullptr, secret.data(), secret.size(), file,
                                             kHeader, nullptr, nonce, key->data());
  return write_new_file(path, file, kFile);
}

result<Secret> read_key_file(const fs::path& path, Role role, std::string_view passphrase) {
  if (!fs::exists(path)) return errc::key_missing;
  std::ifstream in(path, std::ios::binary);
  std::vector<unsigned char> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (file.size() != kFile || std::memcmp(file.data(), kMagic, 6) != 0 ||
      file[6] != static_cast<unsigned char>(role))
    return errc::key_file_invalid;
  const auto ops = get_u64(file.data() + 7);
  const auto mem = get_u64(file.data() + 15);
  if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > kMaxOps || mem < crypto_pwhash_MEMLIMIT_MIN || mem > kMaxMem)
    return errc::key_file_invalid;
  auto key = derive(passphrase, file.data() + 23, ops, static_cast<std::size_t>(mem));
  if (!key) return key.error();
  Secret secret(32);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(secret.data(), nullptr, nullptr, file.data() + kHeader,
                                                 kFile - kHeader, file.data(), kHeader,
                                                 file.data() + 23 + kSalt, key->data()) != 0)
    return errc::passphrase_wrong;
  return secret;
}

result<PublicKey> read_public(const fs::path& path) {
  if (!fs::exists(path)) return errc::key_missing;
  std::ifstream in(path, std::ios::binary);
  std::vector<unsigned char> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (file.size() != crypto_box_PUBLICKEYBYTES) return errc::key_file_invalid;
  PublicKey pk{};
  std::memcpy(pk.data(), file.data(), pk.size());
  return pk;
}

}  // namespace

KdfLimits KdfLimits::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}
KdfLimits KdfLimits::moderate() { return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE}; }

bool tenant_keys_exist(const fs::path& dir) {
  return fs::exists(dir / "sealing.pub") && fs::exists(dir / "sealing.key") && fs::exists(dir / "ingest.key");
}

result<void> init_tenant_keys(const fs::path& dir, std::string_view passphrase, KdfLimits limits) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return errc::key_file_invalid;
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  for (const char* name : {"sealing.pub", "sealing.key", "ingest.key"})
    if (fs::exists(dir / name)) return errc::key_file_invalid;  // never overwrite a key

  PublicKey pk{};
  Secret sk(crypto_box_SECRETKEYBYTES);
  crypto_box_keypair(pk.data(), sk.data());
  Secret pseudonym_key(crypto_generichash_KEYBYTES);
  randombytes_buf(pseudonym_key.data(), pseudonym_key.size());

  if (auto r = write_key_file(dir / "sealing.key", Role::sealing, sk, passphrase, limits); !r) return r;
  if (auto r = write_key_file(dir / "ingest.key", Role::ingest, pseudonym_key, passphrase, limits); !r) return r;
  // The public key last: its presence marks a complete key set.
  return write_new_file(dir / "sealing.pub", pk.data(), pk.size());
}

result<IngestKeys> load_ingest_keys(const fs::path& dir, std::string_view passphrase) {
  auto pk = read_public(dir / "sealing.pub");
  if (!pk) return pk.error();
  auto key = read_key_file(dir / "ingest.key", Role::ingest, passphrase);
  if (!key) return key.error();
  return IngestKeys{*pk, std::move(*key)};
}

result<SealingKeyPair> load_sealing_keys(const fs::path& dir, std::string_view passphrase) {
  auto pk = read_public(dir / "sealing.pub");
  if (!pk) return pk.error();
  auto sk = read_key_file(dir / "sealing.key", Role::sealing, passphrase);
  if (!sk) return sk.error();
  PublicKey derived{};
  crypto_scalarmult_base(derived.data(), sk->data());
  if (sodium_memcmp(derived.data(), pk->data(), derived.size()) != 0) return errc::key_file_invalid;
  return SealingKeyPair{*pk, std::move(*sk)};
}

}  // namespace madoguchi::crypto
