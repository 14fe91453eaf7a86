#pragma once
// The staff audit log: who did what, when, to which record — never content. Each entry's
// hash is a keyed BLAKE2b over the previous hash and the entry's fields, so a changed,
// inserted or removed entry breaks the chain at that point; the key lives apart from the
// database (data_dir/audit.key, 0600), so the chain cannot be recomputed from the database.
#include <filesystem>
#include <string>

#include "gateway/core/clock.hpp"
#include "gateway/core/errc.hpp"
#include "gateway/core/secret.hpp"
#include "store/database.hpp"

namespace madoguchi::console {

// Reads the audit key, creating it (32 random bytes, 0600) when `create` and it is missing.
// Throws std::runtime_error at start-up when it cannot.
Secret load_audit_key(const std::filesystem::path& file, bool create);

struct AuditEvent {
  std::string tenant_id, actor, action, target;
  std::string detail = "{}";  // JSON, ids and codes only
};

// Appends within the caller's transaction on `db` (so the entry commits with the action it
// records). Not thread-safe: used under the console's mutex.
class AuditLog {
 public:
  AuditLog(store::Database& db, Secret key, const Clock& clock) : db_(db), key_(std::move(key)), clock_(clock) {}
  [[nodiscard]] result<void> append(const AuditEvent& event);

 private:
  store::Database& db_;
  Secret key_;
  const Clock& clock_;
};

struct AuditReport {
  bool intact = true;
  std::int64_t entries = 0;
  std::int64_t first_bad_seq = 0;  // where the chain breaks (0 when intact)
  std::string problem;             // English, for the terminal
  std::string head;                // hex of the last hash: note it elsewhere to detect truncation
};

[[nodiscard]] result<AuditReport> verify_audit(store::Database& db, const Secret& key);

}  // namespace madoguchi::console
