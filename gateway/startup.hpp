#pragma once
// Start-up steps shared by the commands. Exceptions are allowed here (start-up only);
// each failure names what to fix.
#include <filesystem>
#include <optional>

#include "adapters/common/channel.hpp"
#include "config/config.hpp"
#include "crypto/keyring.hpp"
#include "store/accounts.hpp"
#include "store/database.hpp"

namespace madoguchi::app {

// Loads and validates the configuration; on errors prints every one of them to stderr
// ("FILE: key: reason") and returns nullopt. Commands that use no secret pass
// Secrets::skip, so they run without the secrets in their environment.
std::optional<config::Config> load_or_report(const std::filesystem::path& file,
                                             config::Secrets secrets = config::Secrets::read);
// The same, for the channel types of `channels` (serve keeps its own list alive).
std::optional<config::Config> load_or_report(const std::filesystem::path& file, const adapters::ChannelList& channels);

// The tenant `id` names (the first tenant when absent); prints "no such tenant" to stderr
// and returns nullptr when there is none.
const config::TenantConfig* tenant_or_report(const config::Config& config, const std::optional<std::string>& id);

store::DatabaseOptions database_options(const config::Config& config, bool read_only = false);

// Migrates the store and records the configured tenants, windows and channel accounts.
store::AccountIds prepare_store(const config::Config& config);

// The counselor side of each tenant: the sealing key pair opens what ingest sealed.
// Throws std::runtime_error when a tenant's keys cannot be loaded.
void load_counselor_keys(const config::Config& config, crypto::Keyring& keys);

// Creates the data directory (mode 0700) when missing.
void ensure_data_dir(const config::Config& config);

// One `serve` per database: an exclusive lock on "<database>.lock", held for the life of
// the object. Because of it, job leases left by an earlier process are known to be dead.
// Throws std::runtime_error when another process holds it.
class InstanceLock {
 public:
  explicit InstanceLock(const config::Config& config);
  ~InstanceLock();
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace madoguchi::app
