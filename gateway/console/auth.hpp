#pragma once
// Staff login and sessions. Passwords: Argon2id (crypto_pwhash_str), rehashed on login when
// the parameters change; an optional TOTP second factor whose secret is sealed to the tenant
// key; repeated failures lock the account for a time that doubles with each further failure.
// Sessions: random tokens stored only as hashes, idle and absolute timeouts, a CSRF token
// per session. Thread-safe: store work is serialised by `mutex`; password hashing runs
// outside it (it takes tens of milliseconds on purpose). login() blocks for that time: the
// API runs it on its own small pool (login_pool.hpp), never on the I/O threads.
//
// Lock-out: an attempt is counted in the store *before* the password is checked (one
// UPDATE … RETURNING), so eight parallel wrong passwords are at most `lock_after_failures`
// checks, and the rest meet the lock. A user name that does not exist is counted the same
// way in memory and locked the same way, and costs the same Argon2id check (on a dummy
// hash): the answers — 401, then 429 with the same Retry-After — tell nothing about which
// names exist.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "crypto/keys.hpp"
#include "gateway/console/audit.hpp"
#include "gateway/console/request_bodies.hpp"  // LoginAttempt
#include "crypto/keyring.hpp"
#include "store/staff_store.hpp"

namespace madoguchi::console {

struct AuthPolicy {
  std::int64_t idle_ms = 30 * 60 * 1000;
  std::int64_t absolute_ms = 12 * 60 * 60 * 1000;
  int lock_after_failures = 5;
  std::int64_t lock_base_ms = 60 * 1000;      // doubles with each failure past the threshold
  std::int64_t lock_cap_ms = 60 * 60 * 1000;
  crypto::KdfLimits kdf = crypto::KdfLimits::interactive();
};

// Who is calling, as established from a session.
struct Staff {
  std::int64_t user_id = 0;
  std::string tenant_id, username, role;  // role: counselor | supervisor | admin
  std::vector<std::int64_t> window_ids;
  std::string csrf_token;
};

struct LoginOk {
  std::string token;  // the cookie value; shown to nobody else
  Staff staff;
};

// The console's shared store connection: one mutex for everything the console writes.
struct ConsoleDb {
  explicit ConsoleDb(const store::DatabaseOptions& options) : db(options) {}
  std::mutex mutex;
  store::Database db;
};

class Auth {
 public:
  Auth(ConsoleDb& db, crypto::Keyring& keys, AuditLog& audit, AuthPolicy policy, const Clock& clock);

  // errc::login_failed (unknown user, wrong password or code: indistinguishable),
  // totp_required (password right, code missing), account_locked (retry_after_ms set).
  [[nodiscard]] result<LoginOk> login(const LoginAttempt& attempt, std::int64_t& retry_after_ms);
  // errc::not_logged_in (no or unknown token), session_expired (idle or absolute timeout).
  [[nodiscard]] result<Staff> authenticate(const std::string& token);
  [[nodiscard]] result<void> logout(const std::string& token, const Staff& staff);

  const AuthPolicy& policy() const { return policy_; }
  std::int64_t now_ms() const { return clock_.now_ms(); }

 private:
  // The matching step of a code not used before, nullopt for a wrong or replayed code.
  [[nodiscard]] result<std::optional<std::int64_t>> totp_ok(const store::StaffUser& user, const std::string& code);
  [[nodiscard]] result<void> audit_failure(const store::StaffUser& user, const char* why, int failures);
  result<LoginOk> unknown_user(const LoginAttempt& attempt, std::int64_t now, std::int64_t& retry_after_ms);
  store::LockPolicy lock_policy() const;

  ConsoleDb& db_;
  crypto::Keyring& keys_;
  AuditLog& audit_;
  AuthPolicy policy_;
  const Clock& clock_;
  std::string dummy_hash_;  // verified against for unknown users, so timing tells nothing

  // Failed attempts with names that do not exist, locked like real accounts. Bounded: the
  // least recently tried names are forgotten first.
  struct UnknownName {
    int failures = 0;
    std::int64_t locked_until_ms = 0, last_ms = 0;
  };
  static constexpr std::size_t kUnknownNamesKept = 100'000;
  std::mutex unknown_mutex_;
  std::map<std::string, UnknownName> unknown_;
};

inline constexpr const char* kTotpRecordPrefix = "totp/";

}  // namespace madoguchi::console
