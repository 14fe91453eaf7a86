#include "gateway/console/staff_admin.hpp"

#include <boost/json/serialize.hpp>

#include "crypto/password.hpp"
#include "crypto/totp.hpp"
#include "gateway/console/auth.hpp"
#include "gateway/core/utf8.hpp"
#include "store/staff_store.hpp"
#include "store/transaction.hpp"

namespace madoguchi::console {

result<StaffCreated> add_staff(store::Database& db, crypto::Keyring& keys, AuditLog& audit, const NewStaff& s,
                               const std::string& actor, crypto::KdfLimits kdf, const Clock& clock) {
  if (s.role != "counselor" && s.role != "supervisor" && s.role != "admin") return errc::invalid_input;
  if (s.username.empty() || s.username.size() > 64 || s.username.find_first_of(" \t\r\n/:") != std::string::npos)
    return errc::invalid_input;
  if (!utf8::valid(s.password) || utf8::code_points(s.password) < 10) return errc::invalid_input;
  if (!s.demo_account && s.password == kDocumentedDemoPassword) return errc::invalid_input;
  if (s.role == "counselor" && s.window_names.empty()) return errc::invalid_input;

  store::StaffStore store(db);
  auto windows = store.windows(s.tenant_id);
  if (!windows) return windows.error();
  store::NewStaffUser user{s.tenant_id, s.username, s.role, "", {}, "", {}, clock.now_ms()};
  for (const auto& name : s.window_names) {
    auto w = std::find_if(windows->begin(), windows->end(), [&](const auto& row) { return row.name == name; });
    if (w == windows->end()) return errc::invalid_input;
    user.window_ids.push_back(w->id);
  }
  auto hash = crypto::hash_password(s.password, kdf);
  if (!hash) return hash.error();
  user.password_hash = *hash;

  StaffCreated created;
  std::optional<crypto::SealedText> sealed;
  if (s.totp) {
    auto secret = crypto::new_totp_secret();
    auto box = keys.seal_text(s.tenant_id, kTotpRecordPrefix + s.username, crypto::base32_encode(secret.view()));
    if (!box) return box.error();
    sealed = std::move(*box);
    user.totp_key_id = sealed->key.key_id;
    user.totp_secret = sealed->body;
    created.totp_uri = crypto::totp_uri(secret, "madoguchi", s.username);
  }
  boost::json::array window_ids;
  for (auto id : user.window_ids) window_ids.push_back(id);
  auto done = store::in_transaction(db, [&]() -> result<void> {
    if (sealed) {
      auto k = db.prepare("INSERT INTO data_keys (key_id, tenant_id, sealed_key, created_at_ms) VALUES (?, ?, ?, ?) "
                          "ON CONFLICT (key_id) DO NOTHING");
      if (auto r = k.bind(1, sealed->key.key_id).bind(2, sealed->key.tenant_id).bind(3, sealed->key.sealed_key)
                       .bind(4, sealed->key.created_at_ms).run(); !r)
        return r;
    }
    if (auto id = store.add_user(user); !id) return id.error();
    return audit.append({s.tenant_id, actor, "staff_add", "staff:" + s.username,
                         boost::json::serialize(boost::json::object{
                             {"role", s.role}, {"windows", window_ids}, {"totp", s.totp}})});
  });
  if (!done) return done.error();
  return created;
}

}  // namespace madoguchi::console
