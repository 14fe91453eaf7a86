#pragma once
// Changing existing staff accounts: disable, enable, reset the password, a new second factor.
// Used by `madoguchi users …` today and by the administrator's pages later (issue H): each
// change is one transaction with its audit entry, and every change that takes access away or
// replaces a credential ends the person's open sessions, so a stolen session dies with it.
#include <cstdint>
#include <string>

#include "crypto/keyring.hpp"
#include "crypto/keys.hpp"
#include "gateway/console/audit.hpp"
#include "gateway/console/staff_admin.hpp"

namespace madoguchi::console {

struct StaffTarget {
  std::string tenant_id, username;
  std::string actor;  // who makes the change: "cli", or the administrator's user name
};

// errc::unknown_account when the tenant has no such account. Returns the sessions ended.
[[nodiscard]] result<std::int64_t> set_staff_disabled(store::Database& db, AuditLog& audit, const StaffTarget& who,
                                                      bool disabled);
// errc::invalid_input when password_problem finds something.
[[nodiscard]] result<std::int64_t> reset_staff_password(store::Database& db, AuditLog& audit, const StaffTarget& who,
                                                        const std::string& password, crypto::KdfLimits kdf);
// A new TOTP secret sealed to the tenant key (the old one stops working): the otpauth:// URI
// to register in an authenticator app.
[[nodiscard]] result<StaffCreated> reset_staff_totp(store::Database& db, crypto::Keyring& keys, AuditLog& audit,
                                                    const StaffTarget& who);

}  // namespace madoguchi::console
