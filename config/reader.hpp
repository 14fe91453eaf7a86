#pragma once
// The TOML reader shared by the configuration's sections: typed getters that collect every
// error with its dotted key, and resolve { env = … } / { file = … } indirections.
#include <boost/url/parse.hpp>
#include <toml++/toml.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace madoguchi::config::detail {

class Reader {
 public:
  Reader(const EnvLookup& env, std::vector<ConfigError>& errors, Secrets secrets = Secrets::read)
      : env_(env), errors_(errors), secrets_(secrets) {}

  void error(std::string key, std::string reason) { errors_.push_back({std::move(key), std::move(reason)}); }

  void only_keys(const toml::table& t, const std::string& path, std::initializer_list<std::string_view> allowed) {
    for (const auto& [k, v] : t) {
      bool ok = false;
      for (auto a : allowed) ok = ok || a == k.str();
      if (!ok) error(join(path, std::string(k.str())), "unknown key");
    }
  }

  void only_keys(const toml::table& t, const std::string& path, const std::vector<std::string_view>& allowed) {
    for (const auto& [k, v] : t) {
      bool ok = false;
      for (auto a : allowed) ok = ok || a == k.str();
      if (!ok) error(join(path, std::string(k.str())), "unknown key");
    }
  }

  // Reports `url` unless it is an absolute http(s) URL with a host.
  void http_url(const std::string& key, const std::string& url) {
    auto u = boost::urls::parse_absolute_uri(url);
    if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->host().empty())
      error(key, "must be an http(s) URL");
  }

  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  // A plain or indirect string. nullopt when absent (and not required) or on error.
  std::optional<std::string> string(const toml::node* node, const std::string& key, bool required) {
    if (!node) {
      if (required) error(key, "required");
      return std::nullopt;
    }
    if (auto s = node->value<std::string>()) return *s;
    if (const auto* t = node->as_table()) return indirect(*t, key, /*secret=*/false, required, /*allow_optional=*/false);
    error(key, "must be a string or { env = ... } / { file = ... }");
    return std::nullopt;
  }

  // Secrets: env or file only, never inline and never with a default.
  std::optional<Secret> secret(const toml::node* node, const std::string& key, bool allow_optional) {
    if (!node) {
      error(key, "required");
      return std::nullopt;
    }
    if (node->is_string()) {
      error(key, "secrets must come from env or file, not inline");
      return std::nullopt;
    }
    const auto* t = node->as_table();
    if (!t) {
      error(key, "must be { env = \"NAME\" } or { file = \"/path\" }");
      return std::nullopt;
    }
    if (secrets_ == Secrets::skip) {  // checked for form only, never read: left empty
      form_ok(*t, key, /*secret=*/true, allow_optional);
      return std::nullopt;
    }
    auto value = indirect(*t, key, /*secret=*/true, /*required=*/true, allow_optional);
    if (!value) return std::nullopt;
    return Secret(*value);
  }

  std::int64_t integer(const toml::node* node, const std::string& key, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) {
    if (!node) return fallback;
    auto v = node->value<std::int64_t>();
    if (!v) {
      error(key, "must be an integer");
      return fallback;
    }
    if (*v < min || *v > max) {
      error(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
      return fallback;
    }
    return *v;
  }

  // An array of non-empty strings ([] when absent), at most `max_entries` of at most
  // `max_bytes` each (0: no limit); every bad element is an error with its index.
  std::vector<std::string> strings(const toml::node* node, const std::string& key, std::size_t max_entries = 0,
                                   std::size_t max_bytes = 0) {
    std::vector<std::string> out;
    if (!node) return out;
    const auto* array = node->as_array();
    if (!array) {
      error(key, "must be an array of strings");
      return out;
    }
    std::size_t n = array->size();
    if (max_entries && n > max_entries) {
      error(key, "more than " + std::to_string(max_entries) + " entries");
      n = max_entries;
    }
    for (std::size_t i = 0; i < n; ++i) {
      auto v = array->get(i)->value<std::string>();
      if (!v || v->empty() || (max_bytes && v->size() > max_bytes))
        error(key + "[" + std::to_string(i) + "]",
              max_bytes ? "must be a non-empty string of at most " + std::to_string(max_bytes) + " bytes"
                        : std::string("must be a non-empty string"));
      else
        out.push_back(*v);
    }
    return out;
  }

  bool boolean(const toml::node* node, const std::string& key, bool fallback) {
    if (!node) return fallback;
    if (auto v = node->value<bool>()) return *v;
    error(key, "must be true or false");
    return fallback;
  }

  const toml::table* table(const toml::table& parent, std::string_view name, const std::string& key) {
    const auto* node = parent.get(name);
    if (!node) return nullptr;
    if (const auto* t = node->as_table()) return t;
    error(key, "must be a table");
    return nullptr;
  }

 private:
  // The indirection's own keys: { env = … } or { file = … }, a default only for non-secrets.
  bool form_ok(const toml::table& t, const std::string& key, bool secret, bool allow_optional) {
    only_keys(t, key, {"env", "default", "file", "optional"});
    if (t.contains("default") && secret) {
      error(key, "a secret cannot have a default");
      return false;
    }
    if (t["optional"].value_or(false) && !allow_optional) {
      error(key, "optional is not allowed here");
      return false;
    }
    if (t["env"].value<std::string>().has_value() == t["file"].value<std::string>().has_value()) {
      error(key, "give exactly one of env or file");
      return false;
    }
    return true;
  }

  std::optional<std::string> indirect(const toml::table& t, const std::string& key, bool secret, bool required,
                                      bool allow_optional) {
    if (!form_ok(t, key, secret, allow_optional)) return std::nullopt;
    auto env = t["env"].value<std::string>();
    auto file = t["file"].value<std::string>();
    const bool optional = t["optional"].value_or(false);
    if (env) {
      if (auto v = env_(*env); v && !v->empty()) return v;
      if (auto d = t["default"].value<std::string>()) return *d;
      if (optional) return std::nullopt;
      if (required) error(key, "environment variable " + *env + " is not set");
      return std::nullopt;
    }
    std::ifstream in(*file, std::ios::binary);
    if (!in && optional && !std::filesystem::exists(*file)) return std::nullopt;
    if (!in) {
      error(key, "cannot read file " + *file);
      return std::nullopt;
    }
    std::stringstream content;
    content << in.rdbuf();
    auto text = content.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (text.empty()) error(key, "file " + *file + " is empty");
    return text.empty() ? std::nullopt : std::optional(text);
  }

  const EnvLookup& env_;
  std::vector<ConfigError>& errors_;
  Secrets secrets_;
};

template <class F>
void each_table(Reader& r, const toml::table& root, std::string_view name, F&& f) {
  const auto* node = root.get(name);
  if (!node) return;
  const auto* array = node->as_array();
  if (!array) {
    r.error(std::string(name), "must be an array of tables ([[" + std::string(name) + "]])");
    return;
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto key = std::string(name) + "[" + std::to_string(i) + "]";
    if (const auto* t = (*array)[i].as_table()) f(*t, key);
    else r.error(key, "must be a table");
  }
}

// [a-z0-9_-]{1,32}: tenant ids and channel account names (they appear in URLs and paths).
bool valid_name(const std::string& s);

void read_console(Reader& r, const toml::table& root, Config& c);
void read_triage(Reader& r, const toml::table& root, Config& c);

}  // namespace madoguchi::config::detail
