#pragma once
// One gateway under test: a fresh directory (config, data dir, stderr log), generated
// secrets handed to the child through its environment only, and views of the store
// through the test's own SQLite connection.
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/fakes/child_process.hpp"
#include "tests/fakes/fake_line_api.hpp"
#include "tests/fakes/gateway_process.hpp"
#include "tests/fakes/http_client.hpp"
#include "tests/fakes/temp_dir.hpp"

namespace madoguchi::testing {

struct HarnessOptions {
  int busy_timeout_ms = 5000;
  std::string log_level = "info";
  // Nothing listens on port 9: by default no test reaches any LINE API.
  std::string line_api_base = "http://127.0.0.1:9";
  std::string line_data_api_base = "http://127.0.0.1:9";  // media content
  std::string line_account_toml;  // extra keys of the LINE [[channels]] table
  std::string extra_toml;         // appended sections, e.g. "[outbox]\n..."
  bool tenant_windows = true;     // false: the tenant has no 窓口 configured
  std::string access_token;       // the LINE channel access token; random when empty
  std::vector<std::string> extra_env;  // more "NAME=value" for the gateway and its commands
};

class GatewayHarness {
 public:
  explicit GatewayHarness(HarnessOptions options = {});

  const std::filesystem::path& root() const { return dir_.path(); }
  std::filesystem::path config_path() const { return dir_ / "madoguchi.toml"; }
  std::filesystem::path data_dir() const { return dir_ / "data"; }
  std::filesystem::path database() const { return data_dir() / "madoguchi.db"; }
  std::filesystem::path stderr_log() const { return dir_ / "gateway-stderr.log"; }
  const std::string& channel_secret() const { return channel_secret_; }
  const std::string& access_token() const { return access_token_; }
  std::vector<std::string> environment() const;

  std::unique_ptr<GatewayProcess> start(std::optional<std::uint64_t> file_size_limit = {}) const;
  // `madoguchi <args...>` with this harness's environment, bounded.
  CommandResult run(std::vector<std::string> args) const;
  // `madoguchi stats --json`, parsed; throws when the command fails.
  boost::json::object stats() const;

  // external_id → number of rows in `messages` (test's own connection).
  std::map<std::string, std::int64_t> stored_external_ids() const;
  std::int64_t message_rows() const;

 private:
  TempDir dir_;
  std::string channel_secret_;
  std::string passphrase_;
  std::string access_token_;
  std::vector<std::string> extra_env_;
};

std::filesystem::path madoguchi_binary();

// A gateway that talks to `fake` with `token`: 1 s send timeout, the reply API within
// `reply_window_s` (0: always push), quota polled every second, fast outbox retries.
HarnessOptions fake_line_options(const FakeLineApi& fake, const std::string& token, int reply_window_s = 50);

// Opening hours ("HH:MM-HH:MM") of one minute a day, twelve hours from now (Japan time):
// closed while a test runs.
std::string closed_now_hours();
// A [triage] section whose window ひきこもり地域支援センター keeps `hours` every day (no
// holidays, no year-end closure), with one 24-hour hotline (0120-000-000).
std::string triage_toml(const std::string& hours);

// SIGTERM (or SIGINT): exit code 0 within 20 s, and nothing on stdout after the listening line.
::testing::AssertionResult stopped_cleanly(GatewayProcess& gateway, int signal_number = SIGTERM);

// POST /webhooks/line/<account> with a correct signature.
boost::system::result<HttpResponse> post_signed(HttpClient& client, const std::string& secret,
                                                const std::string& body, const std::string& account = "demo");

struct ConsoleSession {
  std::string cookie, csrf;
};
// Logs in over the console API (`totp`: the second factor's code); empty when refused.
ConsoleSession console_login(HttpClient& client, const std::string& username, const std::string& password,
                             const std::string& totp = "");

struct WebhookAnswer {
  std::int64_t stored = -1;
  std::int64_t duplicates = -1;
};
// {"stored":n,"duplicates":m}; nullopt for another shape.
std::optional<WebhookAnswer> parse_answer(const std::string& body);

// stats["events"] for one channel: type → count.
std::map<std::string, std::int64_t> stats_events(const boost::json::object& stats, const std::string& channel = "line");

// Sum of every sample of a Prometheus counter family in a /metrics text; -1 when absent.
double metric_total(const std::string& metrics_text, const std::string& family);

}  // namespace madoguchi::testing
