#include "gateway/startup.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <iostream>
#include <stdexcept>

namespace madoguchi::app {

std::optional<config::Config> load_or_report(const std::filesystem::path& file) {
  auto loaded = config::load_config(file, config::process_environment());
  if (auto* errors = std::get_if<std::vector<config::ConfigError>>(&loaded)) {
    std::cerr << "設定ファイルに誤りがあります / invalid configuration:\n"
              << config::format_errors(file, *errors);
    return std::nullopt;
  }
  return std::move(std::get<config::Config>(loaded));
}

queue::DatabaseOptions database_options(const config::Config& config, bool read_only) {
  queue::DatabaseOptions options;
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

}  // namespace madoguchi::app
