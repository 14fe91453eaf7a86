// libFuzzer: parse_config on arbitrary TOML text, with the channel types the gateway knows
// (LINE, email). config.hpp promises either a valid Config or a non-empty list of errors,
// each with a reason format_errors can print, and secret values in no message; a Config
// must hold what the gateway relies on at start-up. Anything else aborts.
//
// The environment is fixed: every variable is set to kEnvValue except names containing
// "UNSET", so that `default` and `optional = true` are reachable too. `{ file = ... }`
// reads real files; the seeds name none that exist.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <regex>
#include <string>
#include <string_view>

#include "adapters/email/email_config.hpp"
#include "adapters/line/line_config.hpp"
#include "config/config.hpp"

using namespace madoguchi;

namespace {

constexpr std::string_view kEnvValue = "fuzz-env-value-0123456789abcdef";

void require(bool ok) {
  if (!ok) std::abort();
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Keys whose value is a secret: their error messages must not repeat the value.
bool secret_key(std::string_view key) {
  for (std::string_view name : {".key_passphrase", ".access_token", ".thread_secret", ".relay_password",
                                ".metrics_token", ".password"})
    if (ends_with(key, name)) return true;
  return key.find(".channel_secrets") != std::string_view::npos;
}

bool valid_name(const std::string& s) {
  static const std::regex re("[a-z0-9_-]{1,32}");
  return std::regex_match(s, re);
}

void check_errors(const std::vector<config::ConfigError>& errors) {
  require(!errors.empty());
  for (const auto& e : errors) {
    require(!e.reason.empty());
    if (secret_key(e.key)) require(e.reason.find(kEnvValue) == std::string::npos);
  }
  // One "FILE: key: reason" line per error (a reason with a line break would break the
  // administrator's reading of the list, and the count shows it).
  const auto text = config::format_errors("fuzz.toml", errors);
  std::size_t lines = 0;
  for (char c : text) lines += c == '\n';
  std::size_t breaks_inside = 0;
  for (const auto& e : errors)
    for (char c : e.key + e.reason) breaks_inside += c == '\n';
  require(lines == errors.size() + breaks_inside);
}

void check_config(const config::Config& c) {
  require(!c.tenants.empty());
  for (const auto& t : c.tenants) {
    require(valid_name(t.id));
    require(t.key_passphrase.size() >= config::kMinPassphraseBytes);
  }
  require(c.server.threads >= 1 && c.server.threads <= 64);
  require(c.server.limits.header_bytes >= 1024 && c.server.limits.body_bytes >= 1024);
  require(c.server.limits.body_budget_bytes >= c.server.limits.body_bytes);
  for (const auto& ch : c.channels) {
    require(ch.settings != nullptr);
    require(valid_name(ch.name));
    bool tenant_known = false;
    for (const auto& t : c.tenants) tenant_known = tenant_known || t.id == ch.tenant;
    require(tenant_known);
    if (ch.type == "line") {
      const auto& line = ch.as<adapters::line::LineSettings>();  // throws (→ crash) on a wrong type
      require(!line.channel_secrets.empty() && line.channel_secrets.size() <= 2);
      for (const auto& s : line.channel_secrets) require(s.size() >= 16);
    } else if (ch.type == "email") {
      const auto& mail = ch.as<adapters::email::EmailSettings>();
      require(mail.address.find('@') != std::string::npos);
      require(mail.thread_secret.size() >= 16);
      require(mail.relay_username.empty() || !mail.relay_password.empty());
    } else {
      std::abort();  // parse_config refuses types it has no schema for
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const config::ChannelSchemas schemas{&adapters::line::line_schema(), &adapters::email::email_schema()};
  static const config::EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name.find("UNSET") != std::string::npos) return std::nullopt;
    return std::string(kEnvValue);
  };
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = config::parse_config(text, "fuzz.toml", env, schemas);  // an exception escaping is a crash
  if (const auto* errors = std::get_if<std::vector<config::ConfigError>>(&parsed)) check_errors(*errors);
  else check_config(std::get<config::Config>(parsed));
  return 0;
}
