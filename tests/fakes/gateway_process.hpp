#pragma once
// The real `madoguchi serve` as a child process: started with a config file and an
// explicit environment, ready once it printed "listening on http://127.0.0.1:PORT",
// stopped by PID (SIGTERM for a clean stop, SIGKILL for a crash). The destructor
// SIGKILLs it if a test ends early.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tests/fakes/child_process.hpp"

namespace madoguchi::testing {

struct GatewayLaunch {
  std::filesystem::path binary;
  std::filesystem::path config;
  std::vector<std::string> env;    // "NAME=value"
  std::filesystem::path stderr_log;  // JSON log lines are appended here
  std::optional<std::uint64_t> file_size_limit;
  std::chrono::milliseconds ready_timeout = std::chrono::seconds(20);
};

class GatewayProcess {
 public:
  // Starts and waits for the listening line. Throws std::runtime_error (with the
  // tail of the log) if the gateway exits or stays silent past ready_timeout.
  explicit GatewayProcess(const GatewayLaunch& launch);

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return child_.pid(); }
  bool running() { return child_.running(); }
  const std::string& listening_line() const { return listening_line_; }
  // What it printed before the listening line (a demo configuration's logins, the channels' listener lines).
  const std::string& startup_stdout() const { return startup_stdout_; }

  // SIGTERM (or SIGINT) and wait; `clean` is false when it had to be SIGKILLed after `grace`.
  ExitStatus stop(std::chrono::milliseconds grace = std::chrono::seconds(20), bool* clean = nullptr,
                  int signal_number = SIGTERM);
  ExitStatus kill();  // SIGKILL: a crash, the WAL stays as it is
  // stdout after the listening line (it should stay empty).
  std::string extra_stdout();

 private:
  ChildProcess child_;
  std::string listening_line_;
  std::string startup_stdout_;
  std::uint16_t port_ = 0;
};

// Parses "listening on http://127.0.0.1:PORT"; 0 when the line has another shape.
std::uint16_t parse_listening_port(std::string_view line);

}  // namespace madoguchi::testing
