#pragma once
// Typed configuration, loaded from TOML and validated as a whole: every problem is
// reported with its key and reason, and nothing starts on an invalid file.
//
// Any string value may be given indirectly:
//   key = { env = "NAME", default = "value" }   environment variable, optional default
//   key = { file = "/path" }                    the file's content (trailing newline trimmed)
// Secrets (channel secrets, access tokens, passphrases) must be given this way and never
// inline; a secret's `default` is refused too. `optional = true` lets a secret be absent
// (for the second channel secret of a rotation).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "gateway/core/secret.hpp"

namespace madoguchi::config {

struct TlsConfig {
  std::filesystem::path certificate_file;  // PEM chain
  std::filesystem::path private_key_file;  // PEM
};

struct LimitsConfig {
  std::size_t header_bytes = 8 * 1024;         // → 431
  std::size_t body_bytes = 1024 * 1024;        // → 413
  int header_timeout_s = 10;                   // also closes idle keep-alive connections
  int request_timeout_s = 30;
  int max_connections_per_address = 256;
  int json_max_depth = 32;
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 = any free port
  int threads = 2;
  std::optional<TlsConfig> tls;  // required unless host is a loopback address
  LimitsConfig limits;
};

struct StoreConfig {
  std::filesystem::path data_dir;
  std::filesystem::path database;  // default: data_dir / "madoguchi.db"
  int busy_timeout_ms = 5000;
  std::size_t max_batch = 256;
};

struct TenantConfig {
  std::string id;    // [a-z0-9_-]{1,32}
  std::string name;  // Japanese display name
  std::filesystem::path keys_dir;  // default: data_dir / "keys" / id
  Secret key_passphrase;
  bool create_keys_if_missing = false;  // demo only
  std::int64_t epoch_seconds = 600;     // data key rotation
  std::uint64_t epoch_messages = 10000;
  std::vector<std::string> windows;     // window names (窓口)
};

struct LineAccountConfig {
  std::string name;    // URL segment: /webhooks/line/<name>; [a-z0-9_-]{1,32}
  std::string tenant;  // TenantConfig::id
  std::vector<Secret> channel_secrets;  // 1 or 2 (rotation: current first)
  Secret access_token;
  std::string api_base = "https://api.line.me";
  std::string data_api_base = "https://api-data.line.me";
};

struct LoggingConfig {
  std::string level = "info";  // trace, debug, info, warn, error
};

struct Config {
  std::filesystem::path source;  // the file it came from
  ServerConfig server;
  StoreConfig store;
  LoggingConfig logging;
  std::vector<TenantConfig> tenants;
  std::vector<LineAccountConfig> line_accounts;
};

struct ConfigError {
  std::string key;     // dotted path, e.g. "line_accounts[0].channel_secrets"
  std::string reason;  // English, for administrators' logs and terminals
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_environment();

// Either a valid Config or every error found (never an empty list).
std::variant<Config, std::vector<ConfigError>> load_config(const std::filesystem::path& file,
                                                           const EnvLookup& env);
std::variant<Config, std::vector<ConfigError>> parse_config(std::string_view toml_text,
                                                            const std::filesystem::path& source,
                                                            const EnvLookup& env);

// "FILE: key: reason" lines, one per error.
std::string format_errors(const std::filesystem::path& file, const std::vector<ConfigError>& errors);

}  // namespace madoguchi::config
