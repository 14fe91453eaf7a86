#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "adapters/email/email_config.hpp"
#include "adapters/line/line_config.hpp"
#include "config/config.hpp"

namespace madoguchi::config {
namespace {

namespace fs = std::filesystem;

EnvLookup env(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional(it->second);
  };
}

const std::map<std::string, std::string> kDemoEnv = {{"MADOGUCHI_LINE_CHANNEL_SECRET", "chan-secret-value"},
                                                     {"MADOGUCHI_LINE_ACCESS_TOKEN", "token-value"},
                                                     {"MADOGUCHI_KEY_PASSPHRASE", "pass-value-0123456789"},
                                                     {"MADOGUCHI_DEMO_PASSWORD", "demo-password-value"},
                                                     {"MADOGUCHI_EMAIL_THREAD_SECRET", "thread-secret-0123456789"}};
const fs::path kDemo = fs::path(MADOGUCHI_SOURCE_DIR) / "config/demo.toml";

// The configuration as the gateway reads it: with LINE and email as known channel types.
const ChannelSchemas kSchemas{&adapters::line::line_schema(), &adapters::email::email_schema()};
std::variant<Config, std::vector<ConfigError>> parse_known(std::string_view text, const fs::path& source,
                                                               const EnvLookup& e, Secrets secrets = Secrets::read) {
  return parse_config(text, source, e, kSchemas, secrets);
}
std::variant<Config, std::vector<ConfigError>> load_known(const fs::path& file, const EnvLookup& e) {
  return load_config(file, e, kSchemas);
}
const adapters::line::LineSettings& line(const Config& c) { return c.channels.at(0).as<adapters::line::LineSettings>(); }
const adapters::email::EmailSettings& mail(const Config& c) {
  return c.channels.at(1).as<adapters::email::EmailSettings>();
}

std::vector<ConfigError> errors_of(const std::variant<Config, std::vector<ConfigError>>& r) {
  if (auto* e = std::get_if<std::vector<ConfigError>>(&r)) return *e;
  return {};
}

bool has_error(const std::vector<ConfigError>& errors, const std::string& key, const std::string& reason_part = "") {
  for (const auto& e : errors)
    if (e.key == key && e.reason.find(reason_part) != std::string::npos) return true;
  return false;
}

std::string minimal(const std::string& extra_server = "", const std::string& secret = R"({ env = "S" })") {
  return "[server]\nlisten = \"127.0.0.1:0\"\n" + extra_server + "[store]\ndata_dir = \"/tmp/x\"\n" +
         "[[tenants]]\nid = \"t\"\nname = \"市\"\nkey_passphrase = { env = \"P\" }\n" +
         "[[channels]]\ntype = \"line\"\nname = \"a\"\ntenant = \"t\"\nchannel_secrets = [" + secret +
         "]\naccess_token = { env = \"T\" }\n";
}
const std::map<std::string, std::string> kMinimalEnv = {{"S", "channel-secret-0123456789"}, {"P", "passphrase-0123456789"}, {"T", "t"}};

TEST(Config, DemoLoadsWithItsDocumentedDefaults) {
  auto r = load_known(kDemo, env(kDemoEnv));
  ASSERT_TRUE(std::holds_alternative<Config>(r)) << format_errors(kDemo, errors_of(r));
  const auto& c = std::get<Config>(r);
  EXPECT_EQ(c.server.host, "127.0.0.1");
  EXPECT_EQ(c.server.port, 8080);
  EXPECT_FALSE(c.server.tls);
  EXPECT_EQ(c.store.data_dir, "data");
  EXPECT_EQ(c.store.database, fs::path("data") / "madoguchi.db");
  ASSERT_EQ(c.tenants.size(), 1u);
  EXPECT_EQ(c.tenants[0].id, "demo");
  EXPECT_EQ(c.tenants[0].key_passphrase.view(), "pass-value-0123456789");
  EXPECT_TRUE(c.tenants[0].create_keys_if_missing);
  EXPECT_EQ(c.tenants[0].keys_dir, fs::path("data") / "keys" / "demo");
  EXPECT_EQ(c.tenants[0].windows.size(), 2u);
  ASSERT_EQ(c.channels.size(), 2u);
  EXPECT_EQ(c.channels[0].name, "demo");
  ASSERT_EQ(line(c).channel_secrets.size(), 1u);  // the optional second is unset
  EXPECT_EQ(line(c).channel_secrets[0].view(), "chan-secret-value");
  EXPECT_EQ(line(c).api_base, "https://api.line.me");
  // The demo's mail account: LMTP on loopback as scripts/send-demo-mail.sh expects, replies to
  // this machine's port 25 in clear (loopback only).
  EXPECT_EQ(c.channels[1].name, "mail");
  EXPECT_EQ(mail(c).address, "soudan@demo-city.example");
  EXPECT_EQ(mail(c).lmtp_listen, "127.0.0.1:2424");
  EXPECT_EQ(mail(c).thread_secret.view(), "thread-secret-0123456789");
  EXPECT_EQ(mail(c).relay_port, 25);
  EXPECT_EQ(mail(c).relay_security, adapters::email::RelaySecurity::none);
  ASSERT_EQ(c.console.demo_users.size(), 3u);
  EXPECT_EQ(c.console.demo_users[0].role, "counselor");
  EXPECT_EQ(c.console.demo_users[0].windows.size(), 1u);
  EXPECT_EQ(c.console.demo_users[2].role, "supervisor");
  EXPECT_EQ(c.console.demo_users[2].password.view(), "demo-password-value");
  EXPECT_EQ(c.console.audit_key_file, fs::path("data") / "audit.key");
}

TEST(Config, DemoTakesItsEnvironment) {
  auto e = kDemoEnv;
  e["MADOGUCHI_LISTEN"] = "127.0.0.1:0";
  e["MADOGUCHI_DATA_DIR"] = "/var/tmp/d";
  e["MADOGUCHI_LINE_API_BASE"] = "http://127.0.0.1:9999";
  e["MADOGUCHI_LINE_CHANNEL_SECRET_NEXT"] = "next-secret-0123456789";
  e["MADOGUCHI_LMTP_LISTEN"] = "127.0.0.1:0";
  auto r = load_known(kDemo, env(e));
  ASSERT_TRUE(std::holds_alternative<Config>(r)) << format_errors(kDemo, errors_of(r));
  const auto& c = std::get<Config>(r);
  EXPECT_EQ(c.server.port, 0);
  EXPECT_EQ(c.store.data_dir, "/var/tmp/d");
  EXPECT_EQ(line(c).api_base, "http://127.0.0.1:9999");
  ASSERT_EQ(line(c).channel_secrets.size(), 2u);
  EXPECT_EQ(line(c).channel_secrets[1].view(), "next-secret-0123456789");
  EXPECT_EQ(mail(c).lmtp_listen, "127.0.0.1:0");
}

TEST(Config, DemoWithoutSecretsListsEveryMissingVariable) {
  auto errors = errors_of(load_known(kDemo, env({})));
  EXPECT_EQ(errors.size(), 7u);
  EXPECT_TRUE(has_error(errors, "console.demo_users[0].password", "MADOGUCHI_DEMO_PASSWORD"));
  EXPECT_TRUE(has_error(errors, "tenants[0].key_passphrase", "MADOGUCHI_KEY_PASSPHRASE"));
  EXPECT_TRUE(has_error(errors, "channels[0].channel_secrets[0]", "MADOGUCHI_LINE_CHANNEL_SECRET"));
  EXPECT_TRUE(has_error(errors, "channels[0].access_token", "MADOGUCHI_LINE_ACCESS_TOKEN"));
  EXPECT_TRUE(has_error(errors, "channels[1].thread_secret", "MADOGUCHI_EMAIL_THREAD_SECRET"));
}

TEST(Config, SkippedSecretsAreCheckedForFormButNeverRead) {
  // For commands that use no secret: the demo loads with none set, and its secrets stay empty.
  auto r = load_config(kDemo, env({}), kSchemas, Secrets::skip);
  ASSERT_TRUE(std::holds_alternative<Config>(r)) << format_errors(kDemo, errors_of(r));
  const auto& c = std::get<Config>(r);
  EXPECT_TRUE(c.tenants[0].key_passphrase.view().empty());
  EXPECT_TRUE(line(c).channel_secrets.empty());
  EXPECT_TRUE(mail(c).thread_secret.view().empty());
  EXPECT_EQ(mail(c).address, "soudan@demo-city.example");  // everything else is read as always
  // Set but skipped: never read, so never judged (a short one is not reported either).
  auto set = load_config(kDemo, env({{"MADOGUCHI_KEY_PASSPHRASE", "short"}}), kSchemas, Secrets::skip);
  ASSERT_TRUE(std::holds_alternative<Config>(set));
  EXPECT_TRUE(std::get<Config>(set).tenants[0].key_passphrase.view().empty());
  // The form is still checked: inline secrets, defaults, both or neither of env and file.
  auto inline_secret = errors_of(parse_known(minimal("", R"("inline-secret-0123456789")"), "m", env({}), Secrets::skip));
  EXPECT_TRUE(has_error(inline_secret, "channels[0].channel_secrets[0]", "not inline"));
  auto with_default = errors_of(parse_known(minimal("", R"({ env = "S", default = "x" })"), "m", env({}), Secrets::skip));
  EXPECT_TRUE(has_error(with_default, "channels[0].channel_secrets[0]", "cannot have a default"));
  auto both = errors_of(parse_known(minimal("", R"({ env = "S", file = "/f" })"), "m", env({}), Secrets::skip));
  EXPECT_TRUE(has_error(both, "channels[0].channel_secrets[0]", "exactly one of env or file"));
  // Read as usual, the same file names every missing variable.
  EXPECT_FALSE(errors_of(parse_known(minimal(), "m", env({}))).empty());
}

TEST(Config, ExampleLoadsWithItsFilesAndEnvironment) {
  char pattern[] = "/tmp/madoguchi-config-XXXXXX";
  fs::path dir = mkdtemp(pattern);
  std::ifstream in(fs::path(MADOGUCHI_SOURCE_DIR) / "config/example.toml");
  std::stringstream text;
  text << in.rdbuf();
  std::string toml = text.str();
  // Point the example's absolute paths at the temporary directory.
  for (std::string from : {"/etc/madoguchi/", "/var/lib/madoguchi"}) {
    for (auto pos = toml.find(from); pos != std::string::npos; pos = toml.find(from))
      toml.replace(pos, from.size(), (dir / "x").string() + (from.back() == '/' ? "/" : ""));
  }
  fs::create_directories(dir / "x/tls");
  fs::create_directories(dir / "x/secrets");
  for (auto f : {"tls/fullchain.pem", "tls/privkey.pem", "secrets/minato-passphrase", "secrets/minato-line-secret",
                 "secrets/minato-line-token"})
    std::ofstream(dir / "x" / f) << "value-of-" << f << "\n";
  auto r = parse_known(toml, "example.toml",
                        env({{"MADOGUCHI_YAMANAKA_PASSPHRASE", "passphrase-0123456789"}, {"MADOGUCHI_YAMANAKA_LINE_SECRET", "channel-secret-0123456789"},
                             {"MADOGUCHI_YAMANAKA_LINE_TOKEN", "t"}}));
  ASSERT_TRUE(std::holds_alternative<Config>(r)) << format_errors("example.toml", errors_of(r));
  const auto& c = std::get<Config>(r);
  EXPECT_TRUE(c.server.tls);
  EXPECT_EQ(c.tenants.size(), 2u);
  EXPECT_EQ(c.tenants[0].key_passphrase.view(), "value-of-secrets/minato-passphrase");  // newline trimmed
  EXPECT_EQ(line(c).channel_secrets.size(), 1u);  // the optional previous secret is absent
  EXPECT_NE(c.tenants[0].first_reply.find("港市ひきこもり地域支援センターです。"), std::string::npos);
  EXPECT_EQ(c.tenants[1].first_reply, TenantConfig::kDefaultFirstReply);
  EXPECT_EQ(line(c).reply_window_s, 50);
  EXPECT_EQ(c.outbox.lanes, 8);
  EXPECT_EQ(c.outbox.max_attempts, 8);
  fs::remove_all(dir);
}

TEST(Config, ReportsEveryErrorAtOnce) {
  const std::string toml = R"(
[server]
listen = "0.0.0.0:99999"
threads = 0
colour = "blue"
[store]
max_batch = 0
[[tenants]]
id = "Bad Id"
name = "x"
key_passphrase = "inline-passphrase-value"
[[channels]]
type = "line"
name = "a"
tenant = "nobody"
channel_secrets = []
access_token = { env = "T", default = "tok-default-value" }
api_base = "ftp://x"
[logging]
level = "loud"
[outbox]
lanes = 0
backoff_base_ms = 5000
backoff_cap_ms = 1000
speed = "fast"
)";
  auto errors = errors_of(parse_known(toml, "bad.toml", env({{"T", "t"}})));
  EXPECT_TRUE(has_error(errors, "server.listen"));
  EXPECT_TRUE(has_error(errors, "server.threads"));
  EXPECT_TRUE(has_error(errors, "server.colour", "unknown key"));
  EXPECT_TRUE(has_error(errors, "store.data_dir", "required"));
  EXPECT_TRUE(has_error(errors, "store.max_batch"));
  EXPECT_TRUE(has_error(errors, "tenants[0].id"));
  EXPECT_TRUE(has_error(errors, "tenants[0].key_passphrase", "not inline"));
  EXPECT_TRUE(has_error(errors, "channels[0].tenant", "nobody"));
  EXPECT_TRUE(has_error(errors, "channels[0].channel_secrets", "1 or 2"));
  EXPECT_TRUE(has_error(errors, "channels[0].access_token", "default"));
  EXPECT_TRUE(has_error(errors, "channels[0].api_base"));
  EXPECT_TRUE(has_error(errors, "logging.level"));
  EXPECT_TRUE(has_error(errors, "outbox.lanes"));
  EXPECT_TRUE(has_error(errors, "outbox.backoff_cap_ms", "backoff_base_ms"));
  EXPECT_TRUE(has_error(errors, "outbox.speed", "unknown key"));
  const auto text = format_errors("bad.toml", errors);
  EXPECT_EQ(text.find("inline-passphrase-value"), std::string::npos);  // secrets never echoed
  EXPECT_EQ(text.find("tok-default-value"), std::string::npos);
  EXPECT_NE(text.find("bad.toml: server.threads: "), std::string::npos);
}

TEST(Config, LineSendingLimitsAreChecked) {
  const std::string toml = R"(
[store]
data_dir = "d"
[[tenants]]
id = "t"
name = "x"
key_passphrase = { env = "P" }
first_reply = ""
[[channels]]
type = "line"
name = "a"
tenant = "t"
channel_secrets = [{ env = "S" }]
access_token = { env = "T" }
reply_window_seconds = 61
send_per_second = 0
)";
  auto errors = errors_of(parse_known(toml, "x.toml", env({{"P", "passphrase-0123456789"}, {"S", "channel-secret-0123456789"}, {"T", "t"}})));
  EXPECT_TRUE(has_error(errors, "channels[0].reply_window_seconds"));
  EXPECT_TRUE(has_error(errors, "channels[0].send_per_second"));
  EXPECT_FALSE(has_error(errors, "tenants[0].first_reply"));  // "" switches it off
}

TEST(Config, SyntaxErrorHasItsPosition) {
  auto errors = errors_of(parse_known("[server]\nlisten = \"127.0.0.1:0\n", "s.toml", env({})));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].reason.find("line 2"), std::string::npos) << errors[0].reason;
}

TEST(Config, ListenForms) {
  for (auto [listen, host, port] : {std::tuple{"127.0.0.1:0", "127.0.0.1", 0}, std::tuple{"[::1]:8081", "::1", 8081},
                                    std::tuple{"localhost:65535", "localhost", 65535}}) {
    auto r = parse_known(minimal().replace(minimal().find("127.0.0.1:0"), 11, listen), "m.toml", env(kMinimalEnv));
    ASSERT_TRUE(std::holds_alternative<Config>(r)) << listen << format_errors("m", errors_of(r));
    EXPECT_EQ(std::get<Config>(r).server.host, host);
    EXPECT_EQ(std::get<Config>(r).server.port, port);
  }
  for (auto bad : {"127.0.0.1", "127.0.0.1:", ":80", "127.0.0.1:x", "[::1:80", "::1:80"}) {
    auto r = parse_known(minimal().replace(minimal().find("127.0.0.1:0"), 11, bad), "m.toml", env(kMinimalEnv));
    EXPECT_TRUE(has_error(errors_of(r), "server.listen")) << bad;
  }
}

TEST(Config, TlsIsRequiredOffLoopback) {
  auto text = minimal();
  text.replace(text.find("127.0.0.1:0"), 11, "0.0.0.0:443");
  EXPECT_TRUE(has_error(errors_of(parse_known(text, "m.toml", env(kMinimalEnv))), "server.tls", "required"));
  // Loopback is an address, not a prefix of a name.
  for (auto host : {"127.evil.invalid:80", "127.0.0.1.nip.io:80", "[::2]:80"}) {
    auto named = minimal();
    named.replace(named.find("127.0.0.1:0"), 11, host);
    EXPECT_TRUE(has_error(errors_of(parse_known(named, "m.toml", env(kMinimalEnv))), "server.tls", "required")) << host;
  }
  for (auto host : {"127.0.0.2:80", "[::1]:80"}) {
    auto loop = minimal();
    loop.replace(loop.find("127.0.0.1:0"), 11, host);
    EXPECT_FALSE(has_error(errors_of(parse_known(loop, "m.toml", env(kMinimalEnv))), "server.tls")) << host;
  }
  auto missing_files = minimal("[server.tls]\ncertificate_file = \"/nonexistent/c.pem\"\nprivate_key_file = \"/nonexistent/k.pem\"\n");
  auto errors = errors_of(parse_known(missing_files, "m.toml", env(kMinimalEnv)));
  EXPECT_TRUE(has_error(errors, "server.tls.certificate_file", "cannot read"));
  EXPECT_TRUE(has_error(errors, "server.tls.private_key_file", "cannot read"));
}

TEST(Config, ConsoleOriginsAndOverloadLimits) {
  auto good = minimal("[server.limits]\nmax_connections = 500\nbody_budget_bytes = 33554432\n") +
              "[console]\norigins = [\"https://console.example.jp\", \"http://127.0.0.1:8080\"]\nlogin_threads = 2\n";
  auto r = parse_known(good, "m.toml", env(kMinimalEnv));
  ASSERT_TRUE(std::holds_alternative<Config>(r)) << format_errors("m", errors_of(r));
  const auto& c = std::get<Config>(r);
  EXPECT_EQ(c.console.origins, (std::vector<std::string>{"https://console.example.jp", "http://127.0.0.1:8080"}));
  EXPECT_EQ(c.console.login_threads, 2);
  EXPECT_EQ(c.server.limits.max_connections, 500);
  EXPECT_EQ(c.server.limits.body_budget_bytes, 33554432u);
  for (auto bad : {"console.example.jp", "https://console.example.jp/console/", "ftp://x", "https://u@x", "null"}) {
    auto text = minimal() + "[console]\norigins = [\"" + bad + "\"]\n";
    EXPECT_TRUE(has_error(errors_of(parse_known(text, "m.toml", env(kMinimalEnv))), "console.origins")) << bad;
  }
  // A budget below one body could never admit a request.
  auto tiny = minimal("[server.limits]\nbody_bytes = 2097152\nbody_budget_bytes = 1048576\n");
  EXPECT_TRUE(has_error(errors_of(parse_known(tiny, "m.toml", env(kMinimalEnv))), "server.limits.body_budget_bytes"));
}

TEST(Config, WeakSecretsAndDemoAccountsOffLoopbackAreRefused) {
  auto weak = errors_of(parse_known(minimal(), "m", env({{"S", "a"}, {"P", "short"}, {"T", "t"}})));
  EXPECT_TRUE(has_error(weak, "tenants[0].key_passphrase", "too short"));
  EXPECT_TRUE(has_error(weak, "channels[0].channel_secrets[0]", "too short"));
  EXPECT_TRUE(errors_of(parse_known(minimal(), "m", env(kMinimalEnv))).empty());
  // The demo configuration on a public listener (with TLS, so only the demo users are wrong).
  auto demo_env = kDemoEnv;
  demo_env["MADOGUCHI_LISTEN"] = "0.0.0.0:8443";
  auto errors = errors_of(load_known(kDemo, env(demo_env)));
  EXPECT_TRUE(has_error(errors, "console.demo_users", "loopback"));
  EXPECT_FALSE(has_error(errors_of(load_known(kDemo, env(kDemoEnv))), "console.demo_users"));
  auto token = errors_of(parse_known(minimal("metrics_token = { env = \"M\" }\n"), "m",
                                         env({{"S", "channel-secret-0123456789"}, {"P", "passphrase-0123456789"},
                                              {"T", "t"}, {"M", "short"}})));
  EXPECT_TRUE(has_error(token, "server.metrics_token", "too short"));
}

TEST(Config, SecretIndirectionRules) {
  EXPECT_TRUE(has_error(errors_of(parse_known(minimal("", R"("inline")"), "m", env(kMinimalEnv))),
                        "channels[0].channel_secrets[0]", "not inline"));
  EXPECT_TRUE(has_error(errors_of(parse_known(minimal("", R"({ env = "S", optional = true })"), "m", env(kMinimalEnv))),
                        "channels[0].channel_secrets[0]", "optional"));
  EXPECT_TRUE(has_error(errors_of(parse_known(minimal("", R"({ env = "S", file = "/x" })"), "m", env(kMinimalEnv))),
                        "channels[0].channel_secrets[0]", "exactly one"));
  EXPECT_TRUE(has_error(errors_of(parse_known(minimal("", R"({ file = "/nonexistent/s" })"), "m", env(kMinimalEnv))),
                        "channels[0].channel_secrets[0]", "cannot read"));
  auto three = errors_of(parse_known(minimal("", R"({ env = "S" }, { env = "S" }, { env = "S" })"), "m", env(kMinimalEnv)));
  EXPECT_TRUE(has_error(three, "channels[0].channel_secrets", "1 or 2"));
  auto two = parse_known(minimal("", R"({ env = "S" }, { env = "S2" })"), "m", env({{"S", "channel-secret-a-0123"}, {"S2", "channel-secret-b-0123"}, {"P", "passphrase-0123456789"}, {"T", "t"}}));
  ASSERT_TRUE(std::holds_alternative<Config>(two));
  EXPECT_EQ(line(std::get<Config>(two)).channel_secrets.size(), 2u);
}

TEST(Config, ChannelsAreCheckedByTheirType) {
  // The shared keys are read by the configuration, the rest by the type's schema.
  auto ok = parse_known(minimal(), "m", env(kMinimalEnv));
  ASSERT_TRUE(std::holds_alternative<Config>(ok)) << format_errors("m", errors_of(ok));
  const auto& c = std::get<Config>(ok);
  ASSERT_EQ(c.channels.size(), 1u);
  EXPECT_EQ(c.channels[0].type, "line");
  EXPECT_EQ(c.channels[0].tenant, "t");
  EXPECT_EQ(c.channels[0].send_per_second, 100);
  EXPECT_EQ(line(c).quota_poll_s, 300);

  auto unknown_type = errors_of(parse_known(minimal() + "[[channels]]\ntype = \"fax\"\nname = \"f\"\ntenant = \"t\"\n",
                                                "m", env(kMinimalEnv)));
  EXPECT_TRUE(has_error(unknown_type, "channels[1].type", "unknown channel type fax (known: line, email)"));
  auto no_type = errors_of(parse_known(minimal() + "[[channels]]\nname = \"f\"\ntenant = \"t\"\n", "m", env(kMinimalEnv)));
  EXPECT_TRUE(has_error(no_type, "channels[1].type", "required"));
  auto stray_key = errors_of(parse_known(minimal() + "smtp_host = \"x\"\n", "m", env(kMinimalEnv)));
  EXPECT_TRUE(has_error(stray_key, "channels[0].smtp_host", "unknown key"));
  auto twice = minimal();
  twice += twice.substr(twice.find("[[channels]]"));
  EXPECT_TRUE(has_error(errors_of(parse_known(twice, "m", env(kMinimalEnv))), "channels[1].name", "duplicate line account a"));
  // Without LINE among the known types, the same file is refused for its type, not its keys.
  auto without = errors_of(parse_config(minimal(), "m", env(kMinimalEnv), {}));
  EXPECT_TRUE(has_error(without, "channels[0].type", "unknown channel type line"));
  EXPECT_FALSE(has_error(without, "channels[0].channel_secrets"));
}

TEST(Config, TheOldLineAccountsTableSaysHowToMigrate) {
  auto text = minimal();
  text.replace(text.find("[[channels]]\ntype = \"line\"\n"), 27, "[[line_accounts]]\n");
  auto errors = errors_of(parse_known(text, "m", env(kMinimalEnv)));
  EXPECT_TRUE(has_error(errors, "line_accounts", "[[channels]] with type = \"line\""));
}

TEST(Config, MediaDefaultsAndTheirChecks) {
  auto ok = parse_known(minimal(), "m.toml", env(kMinimalEnv));
  ASSERT_TRUE(std::holds_alternative<Config>(ok)) << format_errors("m.toml", errors_of(ok));
  const auto& c = std::get<Config>(ok);
  EXPECT_EQ(c.media.max_bytes, 20u * 1024 * 1024);
  EXPECT_EQ(c.media.lanes, 2);
  for (const char* t : {"image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4", "audio/m4a", "audio/mp4",
                        "audio/mpeg", "audio/aac", "application/pdf"})
    EXPECT_NE(std::find(c.media.allowed_types.begin(), c.media.allowed_types.end(), t), c.media.allowed_types.end()) << t;
  EXPECT_EQ(line(c).media_timeout_s, 60);

  auto set = parse_known(minimal() + "media_timeout_seconds = 30\n[media]\nmax_bytes = 1048576\nallowed_types = [\"image/png\"]\n",
                             "m.toml", env(kMinimalEnv));
  ASSERT_TRUE(std::holds_alternative<Config>(set)) << format_errors("m.toml", errors_of(set));
  EXPECT_EQ(std::get<Config>(set).media.max_bytes, 1048576u);
  EXPECT_EQ(std::get<Config>(set).media.allowed_types, std::vector<std::string>{"image/png"});
  EXPECT_EQ(line(std::get<Config>(set)).media_timeout_s, 30);

  auto bad = errors_of(parse_known(
      minimal() + "media_timeout_seconds = 0\n[media]\nmax_bytes = 0\nallowed_types = [\"image/*\", \"Image/PNG\", \"pdf\", \"\"]\n"
                  "lanes = 99\nbackoff_base_ms = 500\nbackoff_cap_ms = 100\nspeed = 1\n",
      "m.toml", env(kMinimalEnv)));
  EXPECT_TRUE(has_error(bad, "media.max_bytes", "between"));
  EXPECT_TRUE(has_error(bad, "media.allowed_types[0]", "media type"));
  EXPECT_TRUE(has_error(bad, "media.allowed_types[1]", "lower-case"));
  EXPECT_TRUE(has_error(bad, "media.allowed_types[2]", "media type"));
  EXPECT_TRUE(has_error(bad, "media.allowed_types[3]", "non-empty"));
  EXPECT_TRUE(has_error(bad, "media.lanes"));
  EXPECT_TRUE(has_error(bad, "media.backoff_cap_ms", "backoff_base_ms"));
  EXPECT_TRUE(has_error(bad, "media.speed", "unknown key"));
  EXPECT_TRUE(has_error(bad, "channels[0].media_timeout_seconds"));
}

TEST(Config, MissingFileIsAnError) {
  auto errors = errors_of(load_known("/nonexistent/madoguchi.toml", env({})));
  ASSERT_EQ(errors.size(), 1u);
}

}  // namespace
}  // namespace madoguchi::config
