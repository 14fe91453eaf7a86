// The [console] section: session and lock-out limits, the audit key's place, demo users.
#include <set>

#include "config/reader.hpp"

namespace madoguchi::config::detail {
namespace {

void read_demo_users(Reader& r, const toml::table& console, Config& c) {
  std::set<std::string> names;
  each_table(r, console, "demo_users", [&](const toml::table& t, const std::string& short_key) {
    const auto key = "console." + short_key;
    r.only_keys(t, key, {"tenant", "username", "role", "windows", "password"});
    DemoUserConfig u;
    u.tenant = c.tenants.empty() ? std::string() : c.tenants.front().id;
    if (auto v = r.string(t.get("tenant"), key + ".tenant", false)) u.tenant = *v;
    const TenantConfig* tenant = nullptr;
    for (const auto& candidate : c.tenants)
      if (candidate.id == u.tenant) tenant = &candidate;
    if (!tenant) r.error(key + ".tenant", "no tenant with id " + u.tenant);
    if (auto v = r.string(t.get("username"), key + ".username", true)) {
      u.username = *v;
      if (u.username.empty() || u.username.size() > 64) r.error(key + ".username", "1 to 64 characters");
      else if (!names.insert(u.username).second) r.error(key + ".username", "duplicate user " + u.username);
    }
    if (auto v = r.string(t.get("role"), key + ".role", true)) {
      u.role = *v;
      if (u.role != "counselor" && u.role != "supervisor" && u.role != "admin")
        r.error(key + ".role", "must be counselor, supervisor or admin");
    }
    if (const auto* w = t.get("windows")) {
      const auto* array = w->as_array();
      if (!array) r.error(key + ".windows", "must be an array of window names");
      for (std::size_t i = 0; array && i < array->size(); ++i) {
        auto name = array->get(i)->value<std::string>();
        bool known = false;
        if (name && tenant)
          for (const auto& n : tenant->windows) known = known || n == *name;
        if (!known) r.error(key + ".windows[" + std::to_string(i) + "]", "not a window of tenant " + u.tenant);
        else u.windows.push_back(*name);
      }
    }
    if (auto s = r.secret(t.get("password"), key + ".password", false)) u.password = std::move(*s);
    c.console.demo_users.push_back(std::move(u));
  });
}

}  // namespace

void read_console(Reader& r, const toml::table& root, Config& c) {
  auto& o = c.console;
  o.audit_key_file = c.store.data_dir / "audit.key";
  const auto* t = r.table(root, "console", "console");
  if (!t) return;
  r.only_keys(*t, "console", {"session_idle_seconds", "session_absolute_seconds", "lock_after_failures",
                              "lock_seconds", "lock_cap_seconds", "max_note_chars", "audit_key_file", "demo_users", "origins", "login_threads",
                              "login_queue", "login_per_address_per_minute"});
  auto number = [&](const char* name, std::int64_t value, std::int64_t lo, std::int64_t hi) {
    return r.integer(t->get(name), std::string("console.") + name, value, lo, hi);
  };
  o.session_idle_s = static_cast<int>(number("session_idle_seconds", o.session_idle_s, 60, 24 * 3600));
  o.session_absolute_s = static_cast<int>(number("session_absolute_seconds", o.session_absolute_s, 60, 7 * 24 * 3600));
  if (o.session_absolute_s < o.session_idle_s)
    r.error("console.session_absolute_seconds", "must not be below session_idle_seconds");
  o.lock_after_failures = static_cast<int>(number("lock_after_failures", o.lock_after_failures, 1, 100));
  o.lock_seconds = static_cast<int>(number("lock_seconds", o.lock_seconds, 1, 86400));
  o.lock_cap_seconds = static_cast<int>(number("lock_cap_seconds", o.lock_cap_seconds, 1, 7 * 86400));
  if (o.lock_cap_seconds < o.lock_seconds) r.error("console.lock_cap_seconds", "must not be below lock_seconds");
  o.max_note_chars = static_cast<std::size_t>(number("max_note_chars", static_cast<std::int64_t>(o.max_note_chars), 1, 100000));
  if (auto v = r.string(t->get("audit_key_file"), "console.audit_key_file", false)) o.audit_key_file = *v;
  for (const auto& origin : r.strings(t->get("origins"), "console.origins", 32, 256)) {
    // scheme://host[:port], nothing after it (the exact check is the console's normalize_origin).
    const auto scheme_end = origin.find("://");
    const auto scheme = scheme_end == std::string::npos ? std::string() : origin.substr(0, scheme_end);
    if ((scheme != "http" && scheme != "https") || origin.find('/', scheme_end + 3) != std::string::npos ||
        origin.find('@') != std::string::npos || scheme_end + 3 >= origin.size())
      r.error("console.origins", "not an origin (scheme://host[:port]): " + origin);
    else
      o.origins.push_back(origin);
  }
  o.login_threads = static_cast<int>(number("login_threads", o.login_threads, 1, 16));
  o.login_queue = static_cast<int>(number("login_queue", o.login_queue, 0, 10000));
  o.login_per_address_per_minute = static_cast<int>(number("login_per_address_per_minute", o.login_per_address_per_minute, 1, 100000));
  read_demo_users(r, *t, c);
}

}  // namespace madoguchi::config::detail
