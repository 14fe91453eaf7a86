#pragma once
// The subcommands of the `madoguchi` executable. Each returns the process exit code:
// 0 success, 1 runtime failure, 2 invalid configuration or usage.
#include <filesystem>
#include <optional>
#include <string>

namespace madoguchi::app {

// Runs the gateway until SIGINT/SIGTERM.
int serve(const std::filesystem::path& config_file);

// Creates the sealing key pair and pseudonym key of one tenant (or every tenant).
int keys_init(const std::filesystem::path& config_file, const std::optional<std::string>& tenant);

// Content-free counts from the store.
int stats(const std::filesystem::path& config_file, bool json);

}  // namespace madoguchi::app
