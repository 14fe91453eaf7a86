#include "store/staff_store.hpp"

namespace madoguchi::store {
namespace {

constexpr const char* kUserColumns =
    "SELECT id, tenant_id, username, role, password_hash, coalesce(totp_key_id, ''), totp_secret, totp_last_step, "
    "failed_logins, locked_until_ms, disabled FROM staff_users ";

StaffUser read_user(const Statement& s) {
  StaffUser u;
  u.id = s.column_int(0);
  u.tenant_id = s.column_text(1);
  u.username = s.column_text(2);
  u.role = s.column_text(3);
  u.password_hash = s.column_text(4);
  u.totp_key_id = s.column_text(5);
  if (!s.column_is_null(6)) u.totp_secret = s.column_blob(6);
  u.totp_last_step = s.column_int(7);
  u.failed_logins = static_cast<int>(s.column_int(8));
  u.locked_until_ms = s.column_int(9);
  u.disabled = s.column_int(10) != 0;
  return u;
}

}  // namespace

result<std::vector<WindowRow>> StaffStore::windows(const std::string& tenant_id) {
  auto s = db_.prepare("SELECT id, tenant_id, name FROM windows WHERE tenant_id = ? ORDER BY id");
  s.bind(1, tenant_id);
  std::vector<WindowRow> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back({s.column_int(0), s.column_text(1), s.column_text(2)});
  }
  return out;
}

result<std::vector<StaffUser>> StaffStore::select_users(Statement& s) {
  std::vector<StaffUser> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(read_user(s));
  }
  auto windows = db_.prepare("SELECT window_id FROM staff_windows WHERE user_id = ? ORDER BY window_id");
  for (auto& u : out) {
    windows.bind(1, u.id);
    for (;;) {
      auto row = windows.step();
      if (!row) return row.error();
      if (!*row) break;
      u.window_ids.push_back(windows.column_int(0));
    }
    windows.reset();
  }
  return out;
}

result<std::int64_t> StaffStore::add_user(const NewStaffUser& user) {
  auto exists = db_.prepare("SELECT 1 FROM staff_users WHERE username = ?");
  exists.bind(1, user.username);
  auto row = exists.step();
  if (!row) return row.error();
  if (*row) return errc::already_exists;
  auto insert = db_.prepare(
      "INSERT INTO staff_users (tenant_id, username, role, password_hash, totp_key_id, totp_secret, created_at_ms) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, user.tenant_id).bind(2, user.username).bind(3, user.role).bind(4, user.password_hash);
  if (user.totp_key_id.empty()) insert.bind_null(5).bind_null(6);
  else insert.bind(5, user.totp_key_id).bind(6, user.totp_secret);
  insert.bind(7, user.created_at_ms);
  if (auto r = insert.run(); !r) return r.error();
  const auto id = db_.last_insert_rowid();
  auto window = db_.prepare("INSERT INTO staff_windows (user_id, window_id) VALUES (?, ?)");
  for (auto w : user.window_ids)
    if (auto r = window.bind(1, id).bind(2, w).run(); !r) return r.error();
  return id;
}

result<std::optional<StaffUser>> StaffStore::by_username(const std::string& username) {
  auto s = db_.prepare(std::string(kUserColumns) + "WHERE username = ?");
  s.bind(1, username);
  auto users = select_users(s);
  if (!users) return users.error();
  if (users->empty()) return std::optional<StaffUser>{};
  return std::optional<StaffUser>{std::move(users->front())};
}

result<std::optional<StaffUser>> StaffStore::by_id(std::int64_t id) {
  auto s = db_.prepare(std::string(kUserColumns) + "WHERE id = ?");
  s.bind(1, id);
  auto users = select_users(s);
  if (!users) return users.error();
  if (users->empty()) return std::optional<StaffUser>{};
  return std::optional<StaffUser>{std::move(users->front())};
}

result<std::vector<StaffUser>> StaffStore::users(const std::string& tenant_id) {
  auto s = db_.prepare(std::string(kUserColumns) + "WHERE tenant_id = ? AND disabled = 0 ORDER BY username");
  s.bind(1, tenant_id);
  return select_users(s);
}

result<std::vector<StaffUser>> StaffStore::accounts(const std::string& tenant_id) {
  auto s = db_.prepare(std::string(kUserColumns) + "WHERE tenant_id = ? ORDER BY username");
  s.bind(1, tenant_id);
  return select_users(s);
}

result<void> StaffStore::set_password_hash(std::int64_t user_id, const std::string& hash) {
  return db_.prepare("UPDATE staff_users SET password_hash = ?, failed_logins = 0, locked_until_ms = 0 WHERE id = ?")
      .bind(1, hash).bind(2, user_id).run();
}

result<void> StaffStore::set_disabled(std::int64_t user_id, bool disabled) {
  if (disabled)
    return db_.prepare("UPDATE staff_users SET disabled = 1 WHERE id = ?").bind(1, user_id).run();
  return db_.prepare("UPDATE staff_users SET disabled = 0, failed_logins = 0, locked_until_ms = 0 WHERE id = ?")
      .bind(1, user_id).run();
}

result<void> StaffStore::set_totp(std::int64_t user_id, const std::string& key_id, const Blob& sealed_secret) {
  auto s = db_.prepare("UPDATE staff_users SET totp_key_id = ?, totp_secret = ?, totp_last_step = 0 WHERE id = ?");
  if (key_id.empty()) s.bind_null(1).bind_null(2);
  else s.bind(1, key_id).bind(2, sealed_secret);
  return s.bind(3, user_id).run();
}

result<std::int64_t> StaffStore::remove_sessions_of(std::int64_t user_id) {
  if (auto r = db_.prepare("DELETE FROM staff_sessions WHERE user_id = ?").bind(1, user_id).run(); !r) return r.error();
  return db_.changes();
}

result<std::optional<int>> StaffStore::claim_attempt(std::int64_t user_id, std::int64_t now_ms,
                                                     const LockPolicy& policy) {
  auto s = db_.prepare(
      "UPDATE staff_users SET failed_logins = failed_logins + 1, "
      "locked_until_ms = CASE WHEN failed_logins + 1 >= ?1 "
      "  THEN ?2 + min(?3 << min(failed_logins + 1 - ?1, 20), ?4) ELSE 0 END "
      "WHERE id = ?5 AND locked_until_ms <= ?2 RETURNING failed_logins");
  s.bind(1, std::int64_t{policy.after_failures}).bind(2, now_ms).bind(3, policy.base_ms).bind(4, policy.cap_ms);
  s.bind(5, user_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<int>{};
  const int count = static_cast<int>(s.column_int(0));
  if (auto done = s.step(); !done) return done.error();  // finish the statement: the write is done
  return std::optional<int>{count};
}

result<void> StaffStore::return_attempt(std::int64_t user_id, const LockPolicy& policy) {
  return db_.prepare("UPDATE staff_users SET failed_logins = max(failed_logins - 1, 0), "
                     "locked_until_ms = CASE WHEN failed_logins - 1 >= ?1 THEN locked_until_ms ELSE 0 END WHERE id = ?2")
      .bind(1, std::int64_t{policy.after_failures}).bind(2, user_id).run();
}

result<void> StaffStore::record_success(std::int64_t user_id, std::int64_t totp_step) {
  return db_.prepare("UPDATE staff_users SET failed_logins = 0, locked_until_ms = 0, "
                     "totp_last_step = max(totp_last_step, ?) WHERE id = ?")
      .bind(1, totp_step).bind(2, user_id).run();
}

result<void> StaffStore::create_session(const Blob& token_hash, std::int64_t user_id, const std::string& csrf,
                                        std::int64_t now_ms) {
  return db_.prepare("INSERT INTO staff_sessions (token_hash, user_id, csrf_token, created_at_ms, last_seen_ms) "
                     "VALUES (?, ?, ?, ?, ?)")
      .bind(1, token_hash).bind(2, user_id).bind(3, csrf).bind(4, now_ms).bind(5, now_ms).run();
}

result<std::optional<SessionRow>> StaffStore::session(const Blob& token_hash) {
  auto s = db_.prepare("SELECT user_id, csrf_token, created_at_ms, last_seen_ms FROM staff_sessions WHERE token_hash = ?");
  s.bind(1, token_hash);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<SessionRow>{};
  return std::optional<SessionRow>{SessionRow{s.column_int(0), s.column_text(1), s.column_int(2), s.column_int(3)}};
}

result<void> StaffStore::touch_session(const Blob& token_hash, std::int64_t now_ms) {
  return db_.prepare("UPDATE staff_sessions SET last_seen_ms = ? WHERE token_hash = ?").bind(1, now_ms).bind(2, token_hash).run();
}

result<void> StaffStore::remove_session(const Blob& token_hash) {
  return db_.prepare("DELETE FROM staff_sessions WHERE token_hash = ?").bind(1, token_hash).run();
}

result<void> StaffStore::remove_expired_sessions(std::int64_t idle_before, std::int64_t created_before) {
  return db_.prepare("DELETE FROM staff_sessions WHERE last_seen_ms < ? OR created_at_ms < ?")
      .bind(1, idle_before).bind(2, created_before).run();
}

}  // namespace madoguchi::store
