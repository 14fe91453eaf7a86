#include "gateway/console/auth.hpp"

#include <boost/json/serialize.hpp>

#include "crypto/chain_hash.hpp"
#include "crypto/password.hpp"
#include "crypto/totp.hpp"
#include "store/data_keys.hpp"
#include "store/transaction.hpp"

namespace madoguchi::console {
namespace {

store::Blob hash_blob(const std::string& token) {
  auto h = crypto::token_hash(token);
  return store::Blob(h.begin(), h.end());
}

std::string detail(std::initializer_list<std::pair<const char*, std::string>> fields) {
  boost::json::object o;
  for (const auto& [k, v] : fields) o[k] = v;
  return boost::json::serialize(o);
}

}  // namespace

Auth::Auth(ConsoleDb& db, crypto::Keyring& keys, AuditLog& audit, AuthPolicy policy, const Clock& clock)
    : db_(db), keys_(keys), audit_(audit), policy_(policy), clock_(clock) {
  auto dummy = crypto::hash_password("madoguchi-dummy-password", policy_.kdf);
  if (dummy) dummy_hash_ = *dummy;
}

store::LockPolicy Auth::lock_policy() const {
  return {policy_.lock_after_failures, policy_.lock_base_ms, policy_.lock_cap_ms};
}

result<void> Auth::audit_failure(const store::StaffUser& user, const char* why, int failures) {
  return audit_.append({user.tenant_id, user.username, "login_failed", "staff:" + user.username,
                        detail({{"reason", why}, {"failures", std::to_string(failures)}})});
}

// The same counting, lock and cost as for a real account (see the top of auth.hpp).
result<LoginOk> Auth::unknown_user(const LoginAttempt& attempt, std::int64_t now, std::int64_t& retry_after_ms) {
  {
    std::lock_guard lock(unknown_mutex_);
    if (unknown_.size() >= kUnknownNamesKept) {
      auto oldest = unknown_.begin();
      for (auto it = unknown_.begin(); it != unknown_.end(); ++it)
        if (it->second.last_ms < oldest->second.last_ms) oldest = it;
      unknown_.erase(oldest);
    }
    auto& name = unknown_[attempt.username];
    name.last_ms = now;
    if (name.locked_until_ms > now) {
      retry_after_ms = name.locked_until_ms - now;
      return errc::account_locked;
    }
    const auto p = lock_policy();
    if (++name.failures >= p.after_failures)
      name.locked_until_ms = now + std::min(p.base_ms << std::min(name.failures - p.after_failures, 20), p.cap_ms);
  }
  // Only for the time it takes: an unknown user costs what a wrong password does.
  [[maybe_unused]] const bool same_cost = crypto::verify_password(dummy_hash_, attempt.password);
  return errc::login_failed;
}

result<std::optional<std::int64_t>> Auth::totp_ok(const store::StaffUser& user, const std::string& code) {
  store::DataKeys data_keys(db_.db);
  auto secret = keys_.open(data_keys, user.tenant_id, user.totp_key_id, kTotpRecordPrefix + user.username,
                           user.totp_secret);
  if (!secret) return secret.error();
  auto text = crypto::body_text(*secret);  // sealed as {"v":1,"text":<base32>}
  if (!text) return text.error();
  auto raw = crypto::base32_decode(*text);
  if (!raw) return errc::decrypt_failed;
  Secret key(*raw);
  auto matched = crypto::totp_match(key, code, clock_.now_ms() / 1000);
  // A code is good once: a step at or before the last accepted one is a replay.
  if (!matched || *matched <= user.totp_last_step) return std::optional<std::int64_t>{};
  return matched;
}

result<LoginOk> Auth::login(const LoginAttempt& attempt, std::int64_t& retry_after_ms) {
  retry_after_ms = 0;
  const auto now = clock_.now_ms();
  std::optional<store::StaffUser> user;
  int failures = 0;
  {
    std::lock_guard lock(db_.mutex);
    store::StaffStore store(db_.db);
    auto found = store.by_username(attempt.username);
    if (!found) return found.error();
    user = std::move(*found);
    if (user && !user->disabled) {
      auto claimed = store.claim_attempt(user->id, now, lock_policy());
      if (!claimed) return claimed.error();
      if (!*claimed) {
        auto current = store.by_id(user->id);  // the lock another attempt may just have set
        if (!current) return current.error();
        retry_after_ms = std::max<std::int64_t>((*current ? (*current)->locked_until_ms : now) - now, 1000);
        return errc::account_locked;
      }
      failures = **claimed;
    }
  }
  if (!user || user->disabled) return unknown_user(attempt, now, retry_after_ms);
  const bool password_ok = crypto::verify_password(user->password_hash, attempt.password);
  std::optional<std::string> rehash;
  if (password_ok && crypto::password_needs_rehash(user->password_hash, policy_.kdf))
    if (auto h = crypto::hash_password(attempt.password, policy_.kdf)) rehash = *h;

  std::lock_guard lock(db_.mutex);
  if (!password_ok) {
    if (auto r = audit_failure(*user, "password", failures); !r) return r.error();
    return errc::login_failed;
  }
  std::int64_t step = 0;
  if (!user->totp_key_id.empty()) {
    if (attempt.totp.empty()) {
      if (auto r = store::StaffStore(db_.db).return_attempt(user->id, lock_policy()); !r) return r.error();
      return errc::totp_required;
    }
    auto matched = totp_ok(*user, attempt.totp);
    if (!matched) return matched.error();
    if (!*matched) {
      if (auto r = audit_failure(*user, "totp", failures); !r) return r.error();
      return errc::login_failed;
    }
    step = **matched;
  }
  store::StaffStore store(db_.db);
  LoginOk out;
  out.token = crypto::new_session_token();
  out.staff = {user->id, user->tenant_id, user->username, user->role, user->window_ids, crypto::new_session_token()};
  auto done = store::in_transaction(db_.db, [&]() -> result<void> {
    if (auto r = store.record_success(user->id, step); !r) return r;
    if (rehash)
      if (auto r = store.set_password_hash(user->id, *rehash); !r) return r;
    // Housekeeping only: an expired session is refused by authenticate() whether or not
    // its row is gone, so a failure here must not stop the login.
    [[maybe_unused]] auto swept = store.remove_expired_sessions(now - policy_.idle_ms, now - policy_.absolute_ms);
    if (auto r = store.create_session(hash_blob(out.token), user->id, out.staff.csrf_token, now); !r) return r;
    return audit_.append({user->tenant_id, user->username, "login", "staff:" + user->username,
                          detail({{"second_factor", user->totp_key_id.empty() ? "none" : "totp"}})});
  });
  if (!done) return done.error();
  return out;
}

result<Staff> Auth::authenticate(const std::string& token) {
  if (token.empty()) return errc::not_logged_in;
  const auto hash = hash_blob(token);
  const auto now = clock_.now_ms();
  std::lock_guard lock(db_.mutex);
  store::StaffStore store(db_.db);
  auto session = store.session(hash);
  if (!session) return session.error();
  if (!*session) return errc::not_logged_in;
  if (now - (*session)->last_seen_ms > policy_.idle_ms || now - (*session)->created_at_ms > policy_.absolute_ms) {
    // Refused either way: the check above runs on every request, row or no row.
    [[maybe_unused]] auto removed = store.remove_session(hash);
    return errc::session_expired;
  }
  auto user = store.by_id((*session)->user_id);
  if (!user) return user.error();
  if (!*user || (*user)->disabled) {
    [[maybe_unused]] auto removed = store.remove_session(hash);  // refused either way, as above
    return errc::not_logged_in;
  }
  // The idle clock is kept to within a few seconds without a write per request.
  if (now - (*session)->last_seen_ms > 5000)
    if (auto r = store.touch_session(hash, now); !r) return r.error();
  return Staff{(*user)->id, (*user)->tenant_id, (*user)->username, (*user)->role, (*user)->window_ids,
               (*session)->csrf_token};
}

result<void> Auth::logout(const std::string& token, const Staff& staff) {
  std::lock_guard lock(db_.mutex);
  store::StaffStore store(db_.db);
  return store::in_transaction(db_.db, [&]() -> result<void> {
    if (auto r = store.remove_session(hash_blob(token)); !r) return r;
    return audit_.append({staff.tenant_id, staff.username, "logout", "staff:" + staff.username, "{}"});
  });
}

}  // namespace madoguchi::console
