#include "tests/integration/harness.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>
#include <sstream>
#include <stdexcept>

#include "tests/fakes/line_webhooks.hpp"
#include "tests/fakes/sqlite_probe.hpp"

namespace madoguchi::testing {

std::filesystem::path madoguchi_binary() { return MADOGUCHI_BINARY; }

HarnessOptions fake_line_options(const FakeLineApi& fake, const std::string& token, int reply_window_s) {
  HarnessOptions o;
  o.access_token = token;
  o.line_api_base = fake.base_url();
  o.line_data_api_base = fake.data_base_url();
  o.line_account_toml = "send_timeout_seconds = 1\nreply_window_seconds = " + std::to_string(reply_window_s) +
                        "\nquota_poll_seconds = 1\n";
  o.extra_toml = "[outbox]\nbackoff_base_ms = 20\nbackoff_cap_ms = 200\npoll_ms = 20\nmax_attempts = 50\n";
  return o;
}

GatewayHarness::GatewayHarness(HarnessOptions options) {
  std::random_device seed;
  std::mt19937_64 rng((static_cast<std::uint64_t>(seed()) << 32) ^ seed());
  channel_secret_ = random_hex(rng, 16);
  passphrase_ = "pass-" + random_hex(rng, 12);
  access_token_ = options.access_token.empty() ? "token-" + random_hex(rng, 24) : options.access_token;
  extra_env_ = options.extra_env;

  std::ostringstream toml;
  toml << "[server]\n"
       << "listen = \"127.0.0.1:0\"\n"
       << "threads = 2\n"
       << "[store]\n"
       << "data_dir = \"" << data_dir().string() << "\"\n"
       << "busy_timeout_ms = " << options.busy_timeout_ms << "\n"
       << "[logging]\n"
       << "level = \"" << options.log_level << "\"\n"
       << "[[tenants]]\n"
       << "id = \"demo\"\n"
       << "name = \"デモ市\"\n"
       << "key_passphrase = { env = \"MADOGUCHI_KEY_PASSPHRASE\" }\n"
       << "create_keys_if_missing = true\n"
       << (options.tenant_windows ? "windows = [\"ひきこもり地域支援センター\"]\n" : "")
       << "[[channels]]\ntype = \"line\"\n"
       << "name = \"demo\"\n"
       << "tenant = \"demo\"\n"
       << "channel_secrets = [{ env = \"MADOGUCHI_LINE_CHANNEL_SECRET\" }, "
          "{ env = \"MADOGUCHI_LINE_CHANNEL_SECRET_NEXT\", optional = true }]\n"
       << "access_token = { env = \"MADOGUCHI_LINE_ACCESS_TOKEN\" }\n"
       << "api_base = \"" << options.line_api_base << "\"\n"
       << "data_api_base = \"" << options.line_data_api_base << "\"\n"
       << options.line_account_toml << "\n"
       << options.extra_toml;
  write_file(config_path(), toml.str());
}

std::vector<std::string> GatewayHarness::environment() const {
  std::vector<std::string> env{"MADOGUCHI_KEY_PASSPHRASE=" + passphrase_,
                               "MADOGUCHI_LINE_CHANNEL_SECRET=" + channel_secret_,
                               "MADOGUCHI_LINE_ACCESS_TOKEN=" + access_token_};
  env.insert(env.end(), extra_env_.begin(), extra_env_.end());
  // Sanitizer builds read their options from the environment.
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS", "TMPDIR"})
    if (const char* value = std::getenv(name)) env.push_back(std::string(name) + "=" + value);
  return env;
}

std::unique_ptr<GatewayProcess> GatewayHarness::start(std::optional<std::uint64_t> file_size_limit) const {
  GatewayLaunch launch;
  launch.binary = madoguchi_binary();
  launch.config = config_path();
  launch.env = environment();
  launch.stderr_log = stderr_log();
  launch.file_size_limit = file_size_limit;
  return std::make_unique<GatewayProcess>(launch);
}

CommandResult GatewayHarness::run(std::vector<std::string> args) const {
  LaunchOptions o;
  o.program = madoguchi_binary();
  o.args = std::move(args);
  o.env = environment();
  return run_command(o, std::chrono::seconds(60));
}

boost::json::object GatewayHarness::stats() const {
  auto r = run({"stats", "--config", config_path().string(), "--json"});
  if (!r.status.exited || r.status.code != 0)
    throw std::runtime_error("madoguchi stats: " + r.status.describe() + "; stderr: " + r.err);
  boost::system::error_code ec;
  auto value = boost::json::parse(r.out, ec);
  if (ec || !value.is_object()) throw std::runtime_error("madoguchi stats printed no JSON object: " + r.out);
  return value.as_object();
}

std::map<std::string, std::int64_t> GatewayHarness::stored_external_ids() const {
  SqliteProbe db(database());
  std::map<std::string, std::int64_t> out;
  for (auto& row : db.rows("SELECT external_id, count(*) FROM messages GROUP BY external_id"))
    out[row[0]] = std::stoll(row[1]);
  return out;
}

std::int64_t GatewayHarness::message_rows() const {
  SqliteProbe db(database());
  return db.scalar("SELECT count(*) FROM messages");
}

std::string closed_now_hours() {
  using namespace std::chrono;
  const auto jst = system_clock::now() + hours(9);
  const int minute = static_cast<int>(duration_cast<minutes>(jst.time_since_epoch()).count() % 1440);
  const int start = std::min((minute + 720) % 1440, 1438);
  auto hm = [](int m) { return std::to_string(m / 60) + ":" + (m % 60 < 10 ? "0" : "") + std::to_string(m % 60); };
  return hm(start) + "-" + hm(start + 1);
}

std::string triage_toml(const std::string& hours) {
  return "[triage]\npoll_ms = 20\n"
         "[[triage.windows]]\nname = \"ひきこもり地域支援センター\"\n"
         "sun = \"" + hours + "\"\nmon = \"" + hours + "\"\ntue = \"" + hours + "\"\nwed = \"" + hours +
         "\"\nthu = \"" + hours + "\"\nfri = \"" + hours + "\"\nsat = \"" + hours + "\"\n"
         "closed_on_holidays = false\nyear_end_closure = false\n"
         "[[triage.tenants]]\n"
         "hotlines = [{ name = \"テスト相談ダイヤル\", number = \"0120-000-000\", hours = \"24時間\" }]\n";
}

::testing::AssertionResult stopped_cleanly(GatewayProcess& gateway, int signal_number) {
  bool clean = false;
  auto status = gateway.stop(std::chrono::seconds(20), &clean, signal_number);
  if (!clean) return ::testing::AssertionFailure() << strsignal(signal_number) << " did not stop the gateway within 20 s";
  if (!status.exited || status.code != 0) return ::testing::AssertionFailure() << "gateway ended with " << status.describe();
  if (auto extra = gateway.extra_stdout(); !extra.empty())
    return ::testing::AssertionFailure() << "stdout must hold only the listening line, also got: " << extra;
  return ::testing::AssertionSuccess();
}

boost::system::result<HttpResponse> post_signed(HttpClient& client, const std::string& secret,
                                                const std::string& body, const std::string& account) {
  return client.post("/webhooks/line/" + account, body, line_headers(secret, body));
}

std::optional<WebhookAnswer> parse_answer(const std::string& body) {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto& o = value.as_object();
  auto* stored = o.if_contains("stored");
  auto* duplicates = o.if_contains("duplicates");
  if (!stored || !duplicates || !stored->is_int64() || !duplicates->is_int64()) return std::nullopt;
  return WebhookAnswer{stored->as_int64(), duplicates->as_int64()};
}

std::map<std::string, std::int64_t> stats_events(const boost::json::object& stats, const std::string& channel) {
  std::map<std::string, std::int64_t> out;
  for (const auto& item : stats.at("events").as_array()) {
    const auto& e = item.as_object();
    if (e.at("channel").as_string() != channel) continue;
    out[std::string(e.at("type").as_string())] += e.at("count").to_number<std::int64_t>();
  }
  return out;
}

double metric_total(const std::string& metrics_text, const std::string& family) {
  std::istringstream lines(metrics_text);
  std::string line;
  double total = 0;
  bool found = false;
  while (std::getline(lines, line)) {
    if (!line.starts_with(family)) continue;
    auto rest = std::string_view(line).substr(family.size());
    if (!rest.empty() && rest[0] != '{' && rest[0] != ' ') continue;  // a longer family name
    auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    total += std::stod(line.substr(space + 1));
    found = true;
  }
  return found ? total : -1;
}

ConsoleSession console_login(HttpClient& client, const std::string& username, const std::string& password,
                             const std::string& totp) {
  auto res = client.post("/api/login", R"({"username":")" + username + R"(","password":")" + password + R"(","totp":")" + totp + R"("})",
                         {{"Content-Type", "application/json"}, {"Origin", client.origin()}});
  if (!res || res->status != 200) return {};
  auto cookie = res->header("set-cookie");
  boost::system::error_code ec;
  auto body = boost::json::parse(res->body, ec);
  const auto* csrf = !ec && body.is_object() ? body.as_object().if_contains("csrf_token") : nullptr;
  return {cookie.substr(0, cookie.find(';')), csrf && csrf->is_string() ? std::string(csrf->as_string()) : ""};
}

}  // namespace madoguchi::testing
