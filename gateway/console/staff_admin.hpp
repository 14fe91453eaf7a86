#pragma once
// Creating staff accounts (the `users add` command and the demo's users): validates the
// role and windows, hashes the password (Argon2id), optionally creates a TOTP secret sealed
// to the tenant key, and records the creation in the audit log — one transaction.
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "crypto/keys.hpp"
#include "gateway/console/audit.hpp"
#include "crypto/keyring.hpp"

namespace madoguchi::console {

struct NewStaff {
  std::string tenant_id, username, role;
  std::vector<std::string> window_names;
  std::string password;
  bool totp = false;
  bool demo_account = false;  // seeded by the demo configuration (loopback only)
};

// The demo password the README and scripts/demo.sh print: refused for every account that
// is not a demo account, so a copied command line cannot create a real one with it.
inline constexpr std::string_view kDocumentedDemoPassword = "madoguchi-demo-2026";

struct StaffCreated {
  std::string totp_uri;  // otpauth:// URI for an authenticator app ("" without TOTP)
};

// What is wrong with a password, or "": empty, invalid UTF-8, under 10 characters, the
// documented demo password (unless for a demo account). Never repeats it.
std::string password_problem(const std::string& password, bool demo_account = false);

// What is wrong with a new account, in Japanese then English, or "" when nothing is: a role
// other than counselor/supervisor/admin, a user name not 1–64 printable characters, an empty,
// invalid-UTF-8 or shorter than 10 characters password, the documented demo password, a
// counselor without a window, a window `windows` (the tenant's) does not name. Never repeats
// the password.
std::string new_staff_problem(const NewStaff& staff, const std::vector<std::string>& windows);

// errc::invalid_input when new_staff_problem finds something (against the windows in the
// store), already_exists.
[[nodiscard]] result<StaffCreated> add_staff(store::Database& db, crypto::Keyring& keys, AuditLog& audit, const NewStaff& staff,
                               const std::string& actor, crypto::KdfLimits kdf, const Clock& clock);

}  // namespace madoguchi::console
