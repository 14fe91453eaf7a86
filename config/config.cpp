// TOML → Config. Every problem is collected (never only the first), each with its dotted
// key; secret values never appear in a message.
#include "config/config.hpp"
#include "config/channel_schema.hpp"
#include "config/reader.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace madoguchi::config {
namespace {

namespace fs = std::filesystem;
using detail::Reader;
using detail::each_table;
using detail::read_console;
using detail::read_triage;

// "localhost", or an IP address literal in 127.0.0.0/8 or ::1 (parsed, so "127.evil.invalid" is not one).
bool is_loopback(const std::string& host) {
  if (host == "localhost") return true;  // RFC 6761: always the loopback interface
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

bool split_listen(const std::string& listen, std::string& host, std::uint16_t& port) {
  std::string port_text;
  if (!listen.empty() && listen.front() == '[') {
    auto close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') return false;
    host = listen.substr(1, close - 1);
    port_text = listen.substr(close + 2);
  } else {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos || listen.find(':') != colon) return false;
    host = listen.substr(0, colon);
    port_text = listen.substr(colon + 1);
  }
  if (host.empty() || port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  const auto p = std::stoi(port_text);
  if (p > 65535) return false;
  port = static_cast<std::uint16_t>(p);
  return true;
}

void read_server(Reader& r, const toml::table& root, ServerConfig& s) {
  const auto* t = r.table(root, "server", "server");
  if (!t) {
    r.error("server", "required");
    return;
  }
  r.only_keys(*t, "server", {"listen", "host", "port", "threads", "tls", "limits", "metrics_token"});
  if (auto v = t->get("metrics_token") ? r.secret(t->get("metrics_token"), "server.metrics_token", false)
                                       : std::optional<Secret>{}) {
    if (v->size() < 16) r.error("server.metrics_token", "too short: at least 16 characters");
    s.metrics_token = std::move(*v);
  }
  if (t->contains("listen")) {
    if (t->contains("host") || t->contains("port")) r.error("server.listen", "give listen or host/port, not both");
    if (auto listen = r.string(t->get("listen"), "server.listen", true))
      if (!split_listen(*listen, s.host, s.port)) r.error("server.listen", "must be host:port, e.g. 127.0.0.1:8080 or [::1]:0");
  } else {
    if (auto host = r.string(t->get("host"), "server.host", false)) s.host = *host;
    s.port = static_cast<std::uint16_t>(r.integer(t->get("port"), "server.port", s.port, 0, 65535));
  }
  s.threads = static_cast<int>(r.integer(t->get("threads"), "server.threads", s.threads, 1, 64));
  if (const auto* tls = r.table(*t, "tls", "server.tls")) {
    r.only_keys(*tls, "server.tls", {"certificate_file", "private_key_file"});
    TlsConfig c;
    if (auto v = r.string(tls->get("certificate_file"), "server.tls.certificate_file", true)) c.certificate_file = *v;
    if (auto v = r.string(tls->get("private_key_file"), "server.tls.private_key_file", true)) c.private_key_file = *v;
    for (const auto& [path, key] : {std::pair{c.certificate_file, "server.tls.certificate_file"},
                                    std::pair{c.private_key_file, "server.tls.private_key_file"}})
      if (!path.empty() && !std::ifstream(path)) r.error(key, "cannot read " + path.string());
    s.tls = c;
  }
  if (!s.tls && !is_loopback(s.host))
    r.error("server.tls", "TLS is required when listening on a non-loopback address (" + s.host + ")");
  if (const auto* l = r.table(*t, "limits", "server.limits")) {
    r.only_keys(*l, "server.limits", {"header_bytes", "body_bytes", "header_timeout_s", "request_timeout_s",
                                      "max_connections_per_address", "max_connections", "body_budget_bytes",
                                      "min_body_bytes_per_second", "json_max_depth"});
    auto& lim = s.limits;
    lim.header_bytes = static_cast<std::size_t>(r.integer(l->get("header_bytes"), "server.limits.header_bytes",
                                                          static_cast<std::int64_t>(lim.header_bytes), 1024, 65536));
    lim.body_bytes = static_cast<std::size_t>(r.integer(l->get("body_bytes"), "server.limits.body_bytes",
                                                        static_cast<std::int64_t>(lim.body_bytes), 1024, 64 << 20));
    lim.header_timeout_s = static_cast<int>(r.integer(l->get("header_timeout_s"), "server.limits.header_timeout_s", lim.header_timeout_s, 1, 300));
    lim.request_timeout_s = static_cast<int>(r.integer(l->get("request_timeout_s"), "server.limits.request_timeout_s", lim.request_timeout_s, 1, 300));
    lim.max_connections_per_address = static_cast<int>(r.integer(l->get("max_connections_per_address"),
        "server.limits.max_connections_per_address", lim.max_connections_per_address, 1, 100000));
    lim.max_connections = static_cast<int>(r.integer(l->get("max_connections"), "server.limits.max_connections",
                                                     lim.max_connections, 0, 1000000));
    lim.body_budget_bytes = static_cast<std::size_t>(r.integer(l->get("body_budget_bytes"), "server.limits.body_budget_bytes",
        static_cast<std::int64_t>(lim.body_budget_bytes), 1 << 20, std::int64_t{16} << 30));
    if (lim.body_budget_bytes < lim.body_bytes)
      r.error("server.limits.body_budget_bytes", "must not be below body_bytes (no request could be read)");
    lim.min_body_bytes_per_second = static_cast<std::size_t>(r.integer(l->get("min_body_bytes_per_second"),
        "server.limits.min_body_bytes_per_second", static_cast<std::int64_t>(lim.min_body_bytes_per_second), 1, 1 << 30));
    lim.json_max_depth = static_cast<int>(r.integer(l->get("json_max_depth"), "server.limits.json_max_depth", lim.json_max_depth, 1, 64));
  }
}

void read_store(Reader& r, const toml::table& root, StoreConfig& s) {
  const auto* t = r.table(root, "store", "store");
  if (!t) {
    r.error("store", "required");
    return;
  }
  r.only_keys(*t, "store", {"data_dir", "database", "busy_timeout_ms", "max_batch"});
  if (auto v = r.string(t->get("data_dir"), "store.data_dir", true)) s.data_dir = *v;
  if (auto v = r.string(t->get("database"), "store.database", false)) s.database = *v;
  else s.database = s.data_dir / "madoguchi.db";
  s.busy_timeout_ms = static_cast<int>(r.integer(t->get("busy_timeout_ms"), "store.busy_timeout_ms", s.busy_timeout_ms, 0, 600000));
  s.max_batch = static_cast<std::size_t>(r.integer(t->get("max_batch"), "store.max_batch", static_cast<std::int64_t>(s.max_batch), 1, 10000));
}

void read_tenants(Reader& r, const toml::table& root, Config& c) {
  std::set<std::string> ids;
  each_table(r, root, "tenants", [&](const toml::table& t, const std::string& key) {
    r.only_keys(t, key, {"id", "name", "keys_dir", "key_passphrase", "create_keys_if_missing", "epoch_seconds",
                         "epoch_messages", "windows", "first_reply"});
    TenantConfig tenant;
    if (auto v = r.string(t.get("id"), key + ".id", true)) {
      tenant.id = *v;
      if (!detail::valid_name(tenant.id)) r.error(key + ".id", "must match [a-z0-9_-]{1,32}");
      else if (!ids.insert(tenant.id).second) r.error(key + ".id", "duplicate tenant id " + tenant.id);
    }
    if (auto v = r.string(t.get("name"), key + ".name", true)) tenant.name = *v;
    if (auto v = r.string(t.get("keys_dir"), key + ".keys_dir", false)) tenant.keys_dir = *v;
    else tenant.keys_dir = c.store.data_dir / "keys" / tenant.id;
    if (auto v = r.secret(t.get("key_passphrase"), key + ".key_passphrase", false)) {
      if (v->size() < kMinPassphraseBytes)
        r.error(key + ".key_passphrase", "too short: at least " + std::to_string(kMinPassphraseBytes) + " characters");
      tenant.key_passphrase = std::move(*v);
    }
    tenant.create_keys_if_missing = r.boolean(t.get("create_keys_if_missing"), key + ".create_keys_if_missing", false);
    tenant.epoch_seconds = r.integer(t.get("epoch_seconds"), key + ".epoch_seconds", tenant.epoch_seconds, 10, 86400);
    tenant.epoch_messages = static_cast<std::uint64_t>(r.integer(t.get("epoch_messages"), key + ".epoch_messages",
                                                                 static_cast<std::int64_t>(tenant.epoch_messages), 1, 10'000'000));
    if (const auto* w = t.get("windows")) {
      const auto* array = w->as_array();
      std::set<std::string> seen;
      if (!array) r.error(key + ".windows", "must be an array of names");
      else
        for (std::size_t i = 0; i < array->size(); ++i) {
          auto name = (*array)[i].value<std::string>();
          if (!name || name->empty()) r.error(key + ".windows[" + std::to_string(i) + "]", "must be a non-empty string");
          else if (!seen.insert(*name).second) r.error(key + ".windows[" + std::to_string(i) + "]", "duplicate window " + *name);
          else tenant.windows.push_back(*name);
        }
    }
    if (auto v = r.string(t.get("first_reply"), key + ".first_reply", false)) {
      if (v->size() > 4000) r.error(key + ".first_reply", "at most 4000 bytes");
      else tenant.first_reply = *v;
    }
    c.tenants.push_back(std::move(tenant));
  });
  if (c.tenants.empty()) r.error("tenants", "at least one [[tenants]] is required");
}

// [[channels]]: the shared keys here, the rest by the type's schema.
void read_channels(Reader& r, const toml::table& root, const ChannelSchemas& schemas, Config& c) {
  if (root.contains("line_accounts"))
    r.error("line_accounts", "renamed: write each [[line_accounts]] table as [[channels]] with type = \"line\" "
                             "(its other keys are unchanged)");
  std::set<std::pair<std::string, std::string>> names;
  each_table(r, root, "channels", [&](const toml::table& t, const std::string& key) {
    ChannelConfig a;
    a.key = key;
    const ChannelSchema* schema = nullptr;
    if (auto v = r.string(t.get("type"), key + ".type", true)) {
      a.type = *v;
      std::string known;
      for (const auto* s : schemas) {
        if (s->type() == a.type) schema = s;
        known += (known.empty() ? "" : ", ") + std::string(s->type());
      }
      if (!schema) r.error(key + ".type", "unknown channel type " + a.type + " (known: " + known + ")");
    }
    std::vector<std::string_view> allowed{"type", "name", "tenant", "send_per_second"};
    if (schema)
      for (auto k : schema->keys()) allowed.push_back(k);
    if (schema) r.only_keys(t, key, allowed);
    if (auto v = r.string(t.get("name"), key + ".name", true)) {
      a.name = *v;
      if (!detail::valid_name(a.name)) r.error(key + ".name", "must match [a-z0-9_-]{1,32}");
      else if (!names.insert({a.type, a.name}).second) r.error(key + ".name", "duplicate " + a.type + " account " + a.name);
    }
    if (auto v = r.string(t.get("tenant"), key + ".tenant", true)) {
      a.tenant = *v;
      bool known = false;
      for (const auto& tenant : c.tenants) known = known || tenant.id == a.tenant;
      if (!known) r.error(key + ".tenant", "no tenant with id " + a.tenant);
    }
    a.send_per_second = static_cast<int>(r.integer(t.get("send_per_second"), key + ".send_per_second",
                                                   a.send_per_second, 1, 100000));
    if (schema) a.settings = schema->read(r, t, key);
    c.channels.push_back(std::move(a));
  });
}

// The keys every job worker section has: retry backoff, lease and idle polling.
void read_job_timing(Reader& r, const toml::table& t, const std::string& section, std::int64_t& backoff_base_ms,
                     std::int64_t& backoff_cap_ms, int& lease_s, int& poll_ms) {
  const auto key = [&](const char* name) { return section + "." + name; };
  backoff_base_ms = r.integer(t.get("backoff_base_ms"), key("backoff_base_ms"), backoff_base_ms, 1, 3'600'000);
  backoff_cap_ms = r.integer(t.get("backoff_cap_ms"), key("backoff_cap_ms"), backoff_cap_ms, 1, 86'400'000);
  if (backoff_cap_ms < backoff_base_ms) r.error(key("backoff_cap_ms"), "must not be below backoff_base_ms");
  lease_s = static_cast<int>(r.integer(t.get("lease_seconds"), key("lease_seconds"), lease_s, 10, 3600));
  poll_ms = static_cast<int>(r.integer(t.get("poll_ms"), key("poll_ms"), poll_ms, 10, 60000));
}

void read_outbox(Reader& r, const toml::table& root, OutboxConfig& o) {
  const auto* t = r.table(root, "outbox", "outbox");
  if (!t) return;
  r.only_keys(*t, "outbox", {"lanes", "max_attempts", "backoff_base_ms", "backoff_cap_ms", "lease_seconds",
                             "poll_ms", "max_text_chars"});
  o.lanes = static_cast<int>(r.integer(t->get("lanes"), "outbox.lanes", o.lanes, 1, 64));
  o.max_attempts = static_cast<int>(r.integer(t->get("max_attempts"), "outbox.max_attempts", o.max_attempts, 1, 100));
  read_job_timing(r, *t, "outbox", o.backoff_base_ms, o.backoff_cap_ms, o.lease_s, o.poll_ms);
  o.max_text_chars = static_cast<std::size_t>(
      r.integer(t->get("max_text_chars"), "outbox.max_text_chars", static_cast<std::int64_t>(o.max_text_chars), 1, 100000));
}

void read_media(Reader& r, const toml::table& root, MediaConfig& m) {
  const auto* t = r.table(root, "media", "media");
  if (!t) return;
  r.only_keys(*t, "media", {"max_bytes", "allowed_types", "lanes", "backoff_base_ms", "backoff_cap_ms",
                            "lease_seconds", "poll_ms"});
  m.max_bytes = static_cast<std::size_t>(
      r.integer(t->get("max_bytes"), "media.max_bytes", static_cast<std::int64_t>(m.max_bytes), 1, 1024LL * 1024 * 1024));
  if (const auto* types = t->get("allowed_types")) {
    auto list = r.strings(types, "media.allowed_types", 64, 100);  // reports non-strings and empty ones
    const auto* array = types->as_array();
    for (std::size_t i = 0; array && i < array->size() && i < 64; ++i) {
      auto type = array->get(i)->value<std::string>();
      if (!type || type->empty()) continue;
      const auto slash = type->find('/');
      const bool lower = std::none_of(type->begin(), type->end(), [](char c) { return c >= 'A' && c <= 'Z'; });
      if (slash == std::string::npos || slash == 0 || slash + 1 == type->size() || !lower ||
          type->find_first_of(" ;,*") != std::string::npos)
        r.error("media.allowed_types[" + std::to_string(i) + "]",
                "must be a lower-case media type such as \"image/jpeg\" (no wildcards or parameters)");
    }
    m.allowed_types = std::move(list);
  }
  m.lanes = static_cast<int>(r.integer(t->get("lanes"), "media.lanes", m.lanes, 1, 16));
  read_job_timing(r, *t, "media", m.backoff_base_ms, m.backoff_cap_ms, m.lease_s, m.poll_ms);
}

}  // namespace

namespace detail {
bool valid_name(const std::string& s) {
  static const std::regex re("[a-z0-9_-]{1,32}");
  return std::regex_match(s, re);
}
}  // namespace detail

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
}

std::variant<Config, std::vector<ConfigError>> parse_config(std::string_view text, const fs::path& source,
                                                            const EnvLookup& env, const ChannelSchemas& schemas,
                                                            Secrets secrets) {
  std::vector<ConfigError> errors;
  toml::table root;
  try {
    root = toml::parse(text, source.string());
  } catch (const toml::parse_error& e) {
    errors.push_back({"", "TOML syntax error at line " + std::to_string(e.source().begin.line) + ", column " +
                              std::to_string(e.source().begin.column) + ": " + std::string(e.description())});
    return errors;
  }
  Reader r(env, errors, secrets);
  Config c;
  c.source = source;
  r.only_keys(root, "", {"server", "store", "logging", "tenants", "channels", "line_accounts", "outbox", "media", "console", "triage"});
  read_server(r, root, c.server);
  read_store(r, root, c.store);
  if (const auto* l = r.table(root, "logging", "logging")) {
    r.only_keys(*l, "logging", {"level"});
    if (auto v = r.string(l->get("level"), "logging.level", false)) {
      static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error"};
      if (levels.count(*v)) c.logging.level = *v;
      else r.error("logging.level", "must be one of trace, debug, info, warn, error");
    }
  }
  read_tenants(r, root, c);
  read_channels(r, root, schemas, c);
  read_outbox(r, root, c.outbox);
  read_media(r, root, c.media);
  read_console(r, root, c);
  // The demo accounts have a password printed in the README: never on a listener other
  // machines can reach.
  if (!c.console.demo_users.empty() && !is_loopback(c.server.host))
    r.error("console.demo_users", "demo accounts only on a loopback listener (" + c.server.host + " is not one)");
  read_triage(r, root, c);
  if (!errors.empty()) return errors;
  return c;
}

std::variant<Config, std::vector<ConfigError>> load_config(const fs::path& file, const EnvLookup& env,
                                                           const ChannelSchemas& schemas, Secrets secrets) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::vector<ConfigError>{{"", "cannot read the configuration file"}};
  std::stringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), file, env, schemas, secrets);
}

std::string format_errors(const fs::path& file, const std::vector<ConfigError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    out += file.string() + ": ";
    if (!e.key.empty()) out += e.key + ": ";
    out += e.reason + "\n";
  }
  return out;
}

}  // namespace madoguchi::config
