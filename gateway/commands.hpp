#pragma once
// The subcommands of the `madoguchi` executable. Each returns the process exit code:
// 0 success, 1 runtime failure, 2 invalid configuration or usage.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace madoguchi::app {

// Runs the gateway until SIGINT/SIGTERM.
int serve(const std::filesystem::path& config_file);

// Creates the sealing key pair and pseudonym key of one tenant (or every tenant).
int keys_init(const std::filesystem::path& config_file, const std::optional<std::string>& tenant);

// Content-free counts from the store.
int stats(const std::filesystem::path& config_file, bool json);

// Outbox administration beside a running gateway: list jobs (no content), run a dead or
// waiting job again with its stored retry key, cancel one that is not being sent.
// retry/cancel exit 1 when the job does not exist or is in another state.
int outbox_list(const std::filesystem::path& config_file, const std::string& state);
int outbox_retry(const std::filesystem::path& config_file, std::int64_t job);
int outbox_cancel(const std::filesystem::path& config_file, std::int64_t job);

struct UserAddOptions {
  std::optional<std::string> tenant;  // default: the first tenant
  std::string username, role;
  std::vector<std::string> windows;
  bool totp = false;
};
// Adds a staff account; the password is the first line of standard input. Prints the
// otpauth:// URI when --totp. Exit 1 when the name is taken or the input is invalid.
int users_add(const std::filesystem::path& config_file, const UserAddOptions& options);

// The tenant's accounts, disabled ones too: user name, role, windows, second factor, state
// (有効 / 無効 / ロック中). Reads no secret.
int users_list(const std::filesystem::path& config_file, const std::optional<std::string>& tenant);

enum class UserChange { disable, enable, reset_password, reset_totp };
struct UserChangeOptions {
  UserChange change = UserChange::disable;
  std::optional<std::string> tenant;
  std::string username;
};
// Disables (ending the person's sessions), enables (clearing a lock), resets the password
// (first line of standard input, no echo on a terminal; ends sessions, clears a lock) or the
// second factor (prints the new otpauth:// URI; ends sessions). Audited with actor "cli".
// Exit 1 when the tenant has no such user or the password is refused.
int users_change(const std::filesystem::path& config_file, const UserChangeOptions& options);

// Walks the audit chain. Exit 0 intact (prints the count and head hash), 1 tampered.
int audit_verify(const std::filesystem::path& config_file);

// Triage of JSON Lines on standard input ({"id","text"}, optional "channel", "at"), one JSON
// line out per line in: id, urgency, tags, window, reasons — the running gateway's code path.
// A bad line gets {"line":n,"error":…} and the rest go on; exit 1 when any line was bad.
int triage(const std::filesystem::path& config_file, const std::optional<std::string>& tenant);

// Precision and recall per level on a labelled set (tests/fixtures/triage/devset.jsonl).
// Exit 1 when a target is missed (緊急 recall ≥ 98%, ≤ 10% false 緊急, 緊急 or 高 recall ≥ 95%,
// identical labels across variants).
int eval(const std::filesystem::path& config_file, const std::filesystem::path& set, bool list_errors);

// One line per date: "YYYY-MM-DD open|closed reason".
int calendar(const std::filesystem::path& config_file, const std::optional<std::string>& tenant,
             const std::string& window, const std::string& from, const std::string& to);

}  // namespace madoguchi::app
