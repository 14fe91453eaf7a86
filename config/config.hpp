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

#include "config/channels.hpp"
#include "config/triage_config.hpp"
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
  int max_connections = 0;                     // 0: derived from the descriptor limit
  std::size_t body_budget_bytes = 64 << 20;    // request bodies in flight, all connections → 503
  std::size_t min_body_bytes_per_second = 16 * 1024;
  int json_max_depth = 32;
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 = any free port
  int threads = 2;
  std::optional<TlsConfig> tls;  // required unless host is a loopback address
  LimitsConfig limits;
  // GET /metrics from a non-loopback peer needs "Authorization: Bearer <token>"; without a
  // token it is served to loopback peers only.
  Secret metrics_token;
};

// Minimum length of a tenant key passphrase (it guards the tenant's secret key).
inline constexpr std::size_t kMinPassphraseBytes = 16;

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
  // The automatic first reply to each new conversation ("" = none), sent with the reply API.
  std::string first_reply = kDefaultFirstReply;
  static constexpr const char* kDefaultFirstReply =
      "ご連絡ありがとうございます。メッセージを受け付けました。担当者が確認して、順番にお返事します。"
      "返信までお時間をいただくことがあります。\n"
      "命の危険があるときや今すぐ助けが必要なときは、119番（救急）または110番（警察）に電話してください。";
};

struct OutboxConfig {
  int lanes = 8;                    // deliveries in flight at once
  int max_attempts = 8;             // then the job is dead-lettered (alert)
  std::int64_t backoff_base_ms = 1000;
  std::int64_t backoff_cap_ms = 5 * 60 * 1000;
  int lease_s = 120;                // visibility timeout of a job being sent
  int poll_ms = 200;
  std::size_t max_text_chars = 20000;
};

// The media stage: content of inbound media messages (images, videos, audio, files),
// fetched in the background, stored encrypted, offered to staff as a download.
struct MediaConfig {
  std::size_t max_bytes = 20 * 1024 * 1024;  // larger content is refused while it is read (too_large)
  // Content types stored; anything else is type_refused (nothing kept). Lower-case, exact.
  std::vector<std::string> allowed_types = default_allowed_types();
  int lanes = 2;                              // downloads in flight at once
  std::int64_t backoff_base_ms = 5000;        // retries (5xx, timeouts): capped exponential, full jitter
  std::int64_t backoff_cap_ms = 10 * 60 * 1000;
  int lease_s = 300;                          // visibility timeout of a job being fetched
  int poll_ms = 500;
  static std::vector<std::string> default_allowed_types() {
    return {"image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4",
            "audio/m4a", "audio/x-m4a", "audio/mp4", "audio/mpeg", "audio/aac", "application/pdf"};
  }
};

// Demo only: staff accounts created at start when missing (never changed once they exist).
struct DemoUserConfig {
  std::string tenant, username, role;  // role: counselor | supervisor | admin
  std::vector<std::string> windows;    // window names of the tenant
  Secret password;
};

struct ConsoleConfig {
  int session_idle_s = 30 * 60;            // a session unused this long ends
  int session_absolute_s = 12 * 60 * 60;   // and every session ends this long after login
  int lock_after_failures = 5;             // failed logins in a row before the account locks
  int lock_seconds = 60;                   // first lock; doubles with each further failure
  int lock_cap_seconds = 60 * 60;
  std::size_t max_note_chars = 10000;      // notes, hand-over notes, reasons
  std::filesystem::path audit_key_file;    // default: data_dir / "audit.key"
  std::vector<DemoUserConfig> demo_users;
  // Browser origins the console is served from ("https://console.example.jp"); login, every
  // change and the live WebSocket refuse another Origin. The listener's own address is
  // always one of them.
  std::vector<std::string> origins;
  int login_threads = 1;  // Argon2id checks at once (64 MiB each), off the I/O threads
  int login_queue = 16;   // logins waiting beyond that: 503
  int login_per_address_per_minute = 30;
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
  std::vector<ChannelConfig> channels;  // [[channels]], in file order
  OutboxConfig outbox;
  MediaConfig media;
  ConsoleConfig console;
  TriageConfig triage;
};

struct ConfigError {
  std::string key;     // dotted path, e.g. "channels[0].channel_secrets"
  std::string reason;  // English, for administrators' logs and terminals
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_environment();

// Whether secrets ({ env = … } / { file = … } under a secret's key) are read. `skip` is for
// commands that use none (triage, eval, calendar, stats, outbox): their form is still checked,
// their value is never read and stays empty, so such a command needs no secret in its
// environment.
enum class Secrets { read, skip };

// Either a valid Config or every error found (never an empty list). `schemas`: the
// channel types a [[channels]] table may name (the composition root's channel list).
std::variant<Config, std::vector<ConfigError>> load_config(const std::filesystem::path& file,
                                                           const EnvLookup& env, const ChannelSchemas& schemas,
                                                           Secrets secrets = Secrets::read);
std::variant<Config, std::vector<ConfigError>> parse_config(std::string_view toml_text,
                                                            const std::filesystem::path& source,
                                                            const EnvLookup& env, const ChannelSchemas& schemas,
                                                            Secrets secrets = Secrets::read);

// "FILE: key: reason" lines, one per error.
std::string format_errors(const std::filesystem::path& file, const std::vector<ConfigError>& errors);

}  // namespace madoguchi::config
