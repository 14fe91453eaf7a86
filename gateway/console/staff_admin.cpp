#include "gateway/console/staff_admin.hpp"

#include <boost/json/serialize.hpp>
#include <algorithm>

#include "crypto/password.hpp"
#include "crypto/totp.hpp"
#include "gateway/console/auth.hpp"
#include "gateway/core/utf8.hpp"
#include "store/data_keys.hpp"
#include "store/staff_store.hpp"
#include "store/transaction.hpp"

namespace madoguchi::console {

std::string password_problem(const std::string& password, bool demo_account) {
  if (password.empty()) return "パスワードが入力されていません / no password given (first line of standard input)";
  if (!utf8::valid(password)) return "パスワードの文字コードが正しくありません / password is not valid UTF-8";
  if (const auto n = utf8::code_points(password); n < 10)
    return "パスワードが短すぎます（10文字以上） / password too short: " + std::to_string(n) + " characters, 10 or more needed";
  if (!demo_account && password == kDocumentedDemoPassword)
    return "README のデモ用パスワードは使えません / the documented demo password is for demo accounts only";
  return "";
}

std::string new_staff_problem(const NewStaff& s, const std::vector<std::string>& windows) {
  if (s.role != "counselor" && s.role != "supervisor" && s.role != "admin")
    return "役割は counselor・supervisor・admin のいずれかです / role must be counselor, supervisor or admin";
  if (s.username.empty() || s.username.size() > 64 || s.username.find_first_of(" \t\r\n/:") != std::string::npos)
    return "ユーザー名は空白・/・: を含まない1〜64文字です / user name: 1–64 characters without spaces, / or :";
  if (auto problem = password_problem(s.password, s.demo_account); !problem.empty()) return problem;
  if (s.role == "counselor" && s.window_names.empty())
    return "相談員には担当窓口が必要です（--window） / a counselor needs at least one window (--window)";
  for (const auto& name : s.window_names)
    if (std::find(windows.begin(), windows.end(), name) == windows.end()) {
      std::string known;
      for (const auto& w : windows) known += (known.empty() ? "" : "、") + w;
      return "窓口がありません: " + name + "（この自治体の窓口: " + known + "） / no such window: " + name;
    }
  return "";
}

result<StaffCreated> add_staff(store::Database& db, crypto::Keyring& keys, AuditLog& audit, const NewStaff& s,
                               const std::string& actor, crypto::KdfLimits kdf, const Clock& clock) {
  store::StaffStore store(db);
  auto windows = store.windows(s.tenant_id);
  if (!windows) return windows.error();
  std::vector<std::string> names;
  for (const auto& row : *windows) names.push_back(row.name);
  if (!new_staff_problem(s, names).empty()) return errc::invalid_input;
  store::NewStaffUser user{s.tenant_id, s.username, s.role, "", {}, "", {}, clock.now_ms()};
  for (const auto& name : s.window_names) {
    auto w = std::find_if(windows->begin(), windows->end(), [&](const auto& row) { return row.name == name; });
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
    if (sealed)
      if (auto r = store::DataKeys(db).keep(sealed->key); !r) return r;
    if (auto id = store.add_user(user); !id) return id.error();
    return audit.append({s.tenant_id, actor, "staff_add", "staff:" + s.username,
                         boost::json::serialize(boost::json::object{
                             {"role", s.role}, {"windows", window_ids}, {"totp", s.totp}})});
  });
  if (!done) return done.error();
  return created;
}

}  // namespace madoguchi::console
