#pragma once
// A child process for integration tests: fork/exec with an explicit environment, stdout
// through a pipe (read line by line with a deadline), stderr to a file or a pipe. The
// destructor SIGKILLs and reaps a child that is still running, so a failing test never
// leaves a gateway behind. Not thread-safe: one owner thread.
//
// The child gets PR_SET_PDEATHSIG(SIGKILL) against the *thread* that started it: start
// children from the test's main thread (never from a short-lived worker thread).
#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace madoguchi::testing {

struct LaunchOptions {
  std::filesystem::path program;
  std::vector<std::string> args;  // argv[1..]
  std::vector<std::string> env;   // "NAME=value"; the child sees exactly these
  // stderr appended to this file; without it stderr is piped and kept (see stderr_text()).
  std::optional<std::filesystem::path> stderr_file;
  // RLIMIT_FSIZE with SIGXFSZ ignored: writes past the limit fail with EFBIG, which a
  // store sees like a full disk.
  std::optional<std::uint64_t> file_size_limit;
  // Standard input from this file (default /dev/null).
  std::optional<std::filesystem::path> stdin_file;
};

struct ExitStatus {
  bool exited = false;  // normal exit; else killed by `signal`
  int code = -1;
  int signal = 0;
  std::string describe() const;
};

class ChildProcess {
 public:
  // Throws std::runtime_error when the program cannot be started (exec failure included).
  explicit ChildProcess(const LaunchOptions& options);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  bool running();

  // The next complete stdout line (without the newline); nullopt on EOF or timeout.
  std::optional<std::string> read_stdout_line(std::chrono::milliseconds timeout);
  // Everything read from stdout so far (lines returned above included).
  const std::string& stdout_text() const { return out_; }
  const std::string& stderr_text() const { return err_; }

  void send_signal(int signal_number);
  // Reaps the child if it ends within `timeout` (pipes are drained meanwhile).
  std::optional<ExitStatus> wait(std::chrono::milliseconds timeout);
  ExitStatus kill_and_wait();
  // `signal_number` (SIGTERM), then SIGKILL if the child has not ended after `grace`.
  ExitStatus terminate(std::chrono::milliseconds grace, bool* needed_kill = nullptr, int signal_number = SIGTERM);

 private:
  // Reads whatever the pipes hold, waiting up to `timeout` for something; false on timeout.
  bool pump(std::chrono::milliseconds timeout);
  std::optional<ExitStatus> try_reap();

  pid_t pid_ = -1;
  int pidfd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::string out_;
  std::size_t line_start_ = 0;
  std::string err_;
  std::optional<ExitStatus> status_;
};

struct CommandResult {
  ExitStatus status;
  std::string out;
  std::string err;
};

// Runs a command to completion (stderr piped unless options.stderr_file); SIGKILLs it
// after `timeout` and reports that as signal 9.
CommandResult run_command(const LaunchOptions& options, std::chrono::milliseconds timeout);

}  // namespace madoguchi::testing
