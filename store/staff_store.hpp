#pragma once
// Staff accounts, their windows, and login sessions. Passwords arrive already hashed
// (Argon2id) and TOTP secrets already sealed; session tokens only as hashes.
// Not thread-safe: one owner thread (or a caller's mutex).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"
#include "store/records.hpp"

namespace madoguchi::store {

struct WindowRow {
  std::int64_t id = 0;
  std::string tenant_id, name;
};

struct StaffUser {
  std::int64_t id = 0;
  std::string tenant_id, username, role, password_hash;
  std::string totp_key_id;  // "" when the user has no second factor
  Blob totp_secret;         // sealed
  std::int64_t totp_last_step = 0;
  int failed_logins = 0;
  std::int64_t locked_until_ms = 0;
  bool disabled = false;
  std::vector<std::int64_t> window_ids;
};

struct NewStaffUser {
  std::string tenant_id, username, role, password_hash;
  std::vector<std::int64_t> window_ids;
  std::string totp_key_id;  // with totp_secret, optional
  Blob totp_secret;
  std::int64_t created_at_ms = 0;
};

// When failed logins lock an account: from `after_failures` on, for `base_ms` doubling with
// each further failure, at most `cap_ms`.
struct LockPolicy {
  int after_failures = 5;
  std::int64_t base_ms = 60 * 1000;
  std::int64_t cap_ms = 60 * 60 * 1000;
};

struct SessionRow {
  std::int64_t user_id = 0;
  std::string csrf_token;
  std::int64_t created_at_ms = 0, last_seen_ms = 0;
};

class StaffStore {
 public:
  explicit StaffStore(Database& db) : db_(db) {}

  [[nodiscard]] result<std::vector<WindowRow>> windows(const std::string& tenant_id);
  // errc::already_exists when the user name is taken (user names are global). Inside the
  // caller's transaction (with the TOTP data key and the audit entry).
  [[nodiscard]] result<std::int64_t> add_user(const NewStaffUser& user);
  [[nodiscard]] result<std::optional<StaffUser>> by_username(const std::string& username);
  [[nodiscard]] result<std::optional<StaffUser>> by_id(std::int64_t id);
  [[nodiscard]] result<std::vector<StaffUser>> users(const std::string& tenant_id);
  // Every account of the tenant, disabled ones too (`users list`).
  [[nodiscard]] result<std::vector<StaffUser>> accounts(const std::string& tenant_id);

  // Disabling keeps the account (its name stays taken, the audit log keeps pointing at it);
  // enabling also clears failed logins and a lock.
  [[nodiscard]] result<void> set_disabled(std::int64_t user_id, bool disabled);
  // A new second factor (key_id "" removes it); the last used step starts over.
  [[nodiscard]] result<void> set_totp(std::int64_t user_id, const std::string& key_id, const Blob& sealed_secret);
  // Ends every session of the user (after a disable or a reset). Returns how many.
  [[nodiscard]] result<std::int64_t> remove_sessions_of(std::int64_t user_id);

  // Also clears failed logins and a lock: a reset is how a locked-out person gets back in.
  [[nodiscard]] result<void> set_password_hash(std::int64_t user_id, const std::string& hash);
  // Counts a login attempt as failed *before* the password is checked, in one statement:
  // when the account is not locked at `now_ms`, failed_logins + 1 and (from the threshold
  // on) the lock are written together, so parallel attempts cannot all read the same
  // count and all be checked. nullopt: locked, nothing counted (and no check may run);
  // else the new count. record_success() clears it when the password was right.
  [[nodiscard]] result<std::optional<int>> claim_attempt(std::int64_t user_id, std::int64_t now_ms,
                                                         const LockPolicy& policy);
  // Gives back a claimed attempt that turned out not to be a failure (the password was
  // right and only the second factor is missing), lifting a lock that claim set.
  [[nodiscard]] result<void> return_attempt(std::int64_t user_id, const LockPolicy& policy);
  // Clears the failure count; `totp_step` (> 0) is remembered so the code is not reused.
  [[nodiscard]] result<void> record_success(std::int64_t user_id, std::int64_t totp_step);

  [[nodiscard]] result<void> create_session(const Blob& token_hash, std::int64_t user_id, const std::string& csrf,
                              std::int64_t now_ms);
  [[nodiscard]] result<std::optional<SessionRow>> session(const Blob& token_hash);
  [[nodiscard]] result<void> touch_session(const Blob& token_hash, std::int64_t now_ms);
  [[nodiscard]] result<void> remove_session(const Blob& token_hash);
  // Sessions idle since before `idle_before` or created before `created_before`.
  [[nodiscard]] result<void> remove_expired_sessions(std::int64_t idle_before, std::int64_t created_before);

 private:
  [[nodiscard]] result<std::vector<StaffUser>> select_users(Statement& s);
  Database& db_;
};

}  // namespace madoguchi::store
