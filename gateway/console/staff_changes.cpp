#include "gateway/console/staff_changes.hpp"

#include <boost/json/serialize.hpp>

#include "crypto/password.hpp"
#include "crypto/totp.hpp"
#include "gateway/console/auth.hpp"
#include "store/data_keys.hpp"
#include "store/staff_store.hpp"
#include "store/transaction.hpp"

namespace madoguchi::console {
namespace {

result<store::StaffUser> find(store::StaffStore& store, const StaffTarget& who) {
  auto user = store.by_username(who.username);
  if (!user) return user.error();
  if (!*user || (*user)->tenant_id != who.tenant_id) return errc::unknown_account;
  return std::move(**user);
}

AuditEvent event(const StaffTarget& who, const char* action, std::int64_t sessions_ended) {
  return {who.tenant_id, who.actor, action, "staff:" + who.username,
          boost::json::serialize(boost::json::object{{"sessions_ended", sessions_ended}})};
}

}  // namespace

result<std::int64_t> set_staff_disabled(store::Database& db, AuditLog& audit, const StaffTarget& who, bool disabled) {
  store::StaffStore store(db);
  std::int64_t ended = 0;
  auto done = store::in_transaction(db, [&]() -> result<void> {
    auto user = find(store, who);
    if (!user) return user.error();
    if (auto r = store.set_disabled(user->id, disabled); !r) return r;
    if (disabled) {
      auto n = store.remove_sessions_of(user->id);
      if (!n) return n.error();
      ended = *n;
    }
    return audit.append(event(who, disabled ? "staff_disable" : "staff_enable", ended));
  });
  if (!done) return done.error();
  return ended;
}

result<std::int64_t> reset_staff_password(store::Database& db, AuditLog& audit, const StaffTarget& who,
                                          const std::string& password, crypto::KdfLimits kdf) {
  if (!password_problem(password).empty()) return errc::invalid_input;
  auto hash = crypto::hash_password(password, kdf);  // outside the transaction: it takes a while
  if (!hash) return hash.error();
  store::StaffStore store(db);
  std::int64_t ended = 0;
  auto done = store::in_transaction(db, [&]() -> result<void> {
    auto user = find(store, who);
    if (!user) return user.error();
    if (auto r = store.set_password_hash(user->id, *hash); !r) return r;
    auto n = store.remove_sessions_of(user->id);
    if (!n) return n.error();
    ended = *n;
    return audit.append(event(who, "staff_password_reset", ended));
  });
  if (!done) return done.error();
  return ended;
}

result<StaffCreated> reset_staff_totp(store::Database& db, crypto::Keyring& keys, AuditLog& audit,
                                      const StaffTarget& who) {
  auto secret = crypto::new_totp_secret();
  auto sealed = keys.seal_text(who.tenant_id, kTotpRecordPrefix + who.username, crypto::base32_encode(secret.view()));
  if (!sealed) return sealed.error();
  store::StaffStore store(db);
  auto done = store::in_transaction(db, [&]() -> result<void> {
    auto user = find(store, who);
    if (!user) return user.error();
    if (auto r = store::DataKeys(db).keep(sealed->key); !r) return r;
    if (auto r = store.set_totp(user->id, sealed->key.key_id, sealed->body); !r) return r;
    auto n = store.remove_sessions_of(user->id);
    if (!n) return n.error();
    return audit.append(event(who, "staff_totp_reset", *n));
  });
  if (!done) return done.error();
  return StaffCreated{crypto::totp_uri(secret, "madoguchi", who.username)};
}

}  // namespace madoguchi::console
