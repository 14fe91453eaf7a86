#include "gateway/startup.hpp"

#include "crypto/keys.hpp"
#include "gateway/channels.hpp"
#include "store/schema.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <iostream>
#include <stdexcept>

namespace madoguchi::app {

namespace {
std::optional<config::Config> load(const std::filesystem::path& file, const adapters::ChannelList& channels,
                                   config::Secrets secrets) {
  auto loaded = config::load_config(file, config::process_environment(), schemas_of(channels), secrets);
  if (auto* errors = std::get_if<std::vector<config::ConfigError>>(&loaded)) {
    std::cerr << "設定ファイルに誤りがあります / invalid configuration:\n"
              << config::format_errors(file, *errors);
    return std::nullopt;
  }
  return std::move(std::get<config::Config>(loaded));
}
}  // namespace

std::optional<config::Config> load_or_report(const std::filesystem::path& file, config::Secrets secrets) {
  return load(file, make_channels(), secrets);
}

std::optional<config::Config> load_or_report(const std::filesystem::path& file, const adapters::ChannelList& channels) {
  return load(file, channels, config::Secrets::read);
}

const config::TenantConfig* tenant_or_report(const config::Config& config, const std::optional<std::string>& id) {
  const auto wanted = id.value_or(config.tenants.front().id);
  for (const auto& t : config.tenants)
    if (t.id == wanted) return &t;
  std::cerr << "テナントがありません / no such tenant: " << wanted << "\n";
  return nullptr;
}

store::DatabaseOptions database_options(const config::Config& config, bool read_only) {
  store::DatabaseOptions options;
  options.path = config.store.database;
  options.busy_timeout_ms = config.store.busy_timeout_ms;
  options.read_only = read_only;
  return options;
}

void ensure_data_dir(const config::Config& config) {
  namespace fs = std::filesystem;
  const auto& dir = config.store.data_dir;
  if (!fs::exists(dir)) {
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
  }
  if (auto parent = config.store.database.parent_path(); !parent.empty()) fs::create_directories(parent);
}

InstanceLock::InstanceLock(const config::Config& config) {
  const auto path = config.store.database.string() + ".lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw std::runtime_error("cannot open the lock file " + path);
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    throw std::runtime_error("別の madoguchi serve が同じデータベースを使っています / another madoguchi serve uses " +
                             config.store.database.string());
  }
}

InstanceLock::~InstanceLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

store::AccountIds prepare_store(const config::Config& c) {
  store::Database db(database_options(c));
  if (auto migrated = store::migrate(db); !migrated)
    throw std::runtime_error("database migration failed: " + migrated.error().message());
  std::vector<store::TenantSpec> tenants;
  for (const auto& t : c.tenants) tenants.push_back({t.id, t.name, t.windows});
  std::vector<store::AccountSpec> accounts;
  for (const auto& a : c.channels) accounts.push_back({a.tenant, a.type, a.name});
  auto ids = store::sync_accounts(db, tenants, accounts);
  if (!ids) throw std::runtime_error("cannot record channel accounts: " + ids.error().message());
  return *ids;
}

void load_counselor_keys(const config::Config& c, crypto::Keyring& keys) {
  for (const auto& t : c.tenants) {
    auto pair = crypto::load_sealing_keys(t.keys_dir, t.key_passphrase.view());
    if (!pair) throw std::runtime_error("tenant " + t.id + ": cannot load the sealing key: " + pair.error().message());
    keys.add(t.id, std::move(*pair), t.epoch_seconds * 1000, t.epoch_messages);
  }
}

}  // namespace madoguchi::app
