#include "tests/fakes/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace madoguchi::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Debian 12's glibc declares these without extern "C" in <sys/pidfd.h>: call the kernel.
int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
int signal_pidfd(int pidfd, int signal_number) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, signal_number, nullptr, 0));
}

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

ExitStatus decode(int status) {
  ExitStatus s;
  if (WIFEXITED(status)) {
    s.exited = true;
    s.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    s.signal = WTERMSIG(status);
  }
  return s;
}

// Only async-signal-safe calls between fork and exec: the test process has threads.
[[noreturn]] void exec_child(const LaunchOptions& options, char* const* argv, char* const* envp, int stdout_w,
                             int stderr_w, int error_w) {
  auto fail = [error_w](int stage) {
    int err[2] = {stage, errno};
    [[maybe_unused]] auto n = ::write(error_w, err, sizeof err);
    ::_exit(127);
  };
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::dup2(stdout_w, STDOUT_FILENO) < 0 || ::dup2(stderr_w, STDERR_FILENO) < 0) fail(1);
  int input = ::open(options.stdin_file ? options.stdin_file->c_str() : "/dev/null", O_RDONLY);
  if (input < 0 || ::dup2(input, STDIN_FILENO) < 0) fail(2);
  // Dispositions set to "ignore" and the signal mask survive exec: start the child clean.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
  if (options.file_size_limit) {
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    ::sigaction(SIGXFSZ, &ign, nullptr);
    rlimit limit{*options.file_size_limit, *options.file_size_limit};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) fail(3);
  }
  // Sockets and databases of the test process must not leak into the child; the error
  // pipe stays (close-on-exec) to report a failed exec.
  if (error_w > 3) ::close_range(3, static_cast<unsigned>(error_w) - 1, 0);
  ::close_range(static_cast<unsigned>(error_w) + 1, ~0U, 0);
  ::execve(argv[0], argv, envp);
  fail(4);
  ::_exit(127);  // not reached: fail() exits
}

}  // namespace

std::string ExitStatus::describe() const {
  if (exited) return "exit code " + std::to_string(code);
  return "killed by signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
}

ChildProcess::ChildProcess(const LaunchOptions& options) {
  std::vector<std::string> argv_strings{options.program.string()};
  argv_strings.insert(argv_strings.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv, envp;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = options.env;
  for (auto& s : env) envp.push_back(s.data());
  envp.push_back(nullptr);

  int out_pipe[2], err_pipe[2] = {-1, -1}, error_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  int stderr_w = -1;
  if (options.stderr_file) {
    stderr_w = ::open(options.stderr_file->c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (stderr_w < 0) throw std::runtime_error("cannot open " + options.stderr_file->string());
  } else {
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    stderr_w = err_pipe[1];
  }
  if (::pipe2(error_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");

  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) exec_child(options, argv.data(), envp.data(), out_pipe[1], stderr_w, error_pipe[1]);

  ::close(out_pipe[1]);
  ::close(stderr_w);
  ::close(error_pipe[1]);
  stdout_fd_ = out_pipe[0];
  stderr_fd_ = err_pipe[0];
  pidfd_ = open_pidfd(pid_);  // -1 on old kernels: wait() then polls

  int failure[2];
  ssize_t n;
  do n = ::read(error_pipe[0], failure, sizeof failure);
  while (n < 0 && errno == EINTR);
  ::close(error_pipe[0]);
  if (n > 0) {
    kill_and_wait();
    throw std::runtime_error("cannot start " + options.program.string() + " (stage " +
                             std::to_string(failure[0]) + "): " + std::strerror(failure[1]));
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) kill_and_wait();
  close_fd(stdout_fd_);
  close_fd(stderr_fd_);
  close_fd(pidfd_);
}

bool ChildProcess::running() { return !try_reap(); }

std::optional<ExitStatus> ChildProcess::try_reap() {
  if (status_) return status_;
  int status = 0;
  pid_t r;
  do r = ::waitpid(pid_, &status, WNOHANG);
  while (r < 0 && errno == EINTR);
  if (r == pid_) status_ = decode(status);
  return status_;
}

bool ChildProcess::pump(milliseconds timeout) {
  pollfd fds[2];
  int* owners[2];
  nfds_t count = 0;
  for (int* fd : {&stdout_fd_, &stderr_fd_}) {
    if (*fd < 0) continue;
    fds[count] = {*fd, POLLIN, 0};
    owners[count++] = fd;
  }
  if (count == 0) return false;
  int ready = ::poll(fds, count, static_cast<int>(timeout.count()));
  if (ready <= 0) return false;
  for (nfds_t i = 0; i < count; ++i) {
    if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    char buffer[8192];
    ssize_t n = ::read(*owners[i], buffer, sizeof buffer);
    if (n > 0)
      (owners[i] == &stdout_fd_ ? out_ : err_).append(buffer, static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR)
      close_fd(*owners[i]);
  }
  return true;
}

std::optional<std::string> ChildProcess::read_stdout_line(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    auto newline = out_.find('\n', line_start_);
    if (newline != std::string::npos) {
      std::string line = out_.substr(line_start_, newline - line_start_);
      line_start_ = newline + 1;
      return line;
    }
    if (stdout_fd_ < 0) return std::nullopt;
    if (!pump(milliseconds(remaining_ms(deadline))) && Clock::now() >= deadline) return std::nullopt;
  }
}

void ChildProcess::send_signal(int signal_number) {
  if (status_) return;
  if (pidfd_ >= 0)
    signal_pidfd(pidfd_, signal_number);
  else
    ::kill(pid_, signal_number);
}

std::optional<ExitStatus> ChildProcess::wait(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto done = try_reap()) {
      while (pump(milliseconds(0))) {
      }
      return done;
    }
    const int left = remaining_ms(deadline);
    if (left == 0) return std::nullopt;
    if (stdout_fd_ >= 0 || stderr_fd_ >= 0) {
      // Keep the pipes flowing so a chatty child cannot block on a full pipe.
      pump(milliseconds(std::min(left, 20)));
    } else if (pidfd_ >= 0) {
      pollfd fd{pidfd_, POLLIN, 0};
      ::poll(&fd, 1, left);
    } else {
      std::this_thread::sleep_for(milliseconds(std::min(left, 5)));
    }
  }
}

ExitStatus ChildProcess::kill_and_wait() {
  send_signal(SIGKILL);
  // SIGKILL cannot be ignored; the bound only guards against a kernel that never reaps.
  if (auto done = wait(milliseconds(30'000))) return *done;
  throw std::runtime_error("child " + std::to_string(pid_) + " did not die after SIGKILL");
}

ExitStatus ChildProcess::terminate(milliseconds grace, bool* needed_kill, int signal_number) {
  send_signal(signal_number);
  auto done = wait(grace);
  if (needed_kill) *needed_kill = !done.has_value();
  return done ? *done : kill_and_wait();
}

CommandResult run_command(const LaunchOptions& options, milliseconds timeout) {
  ChildProcess child(options);
  auto done = child.wait(timeout);
  ExitStatus status = done ? *done : child.kill_and_wait();
  return {status, child.stdout_text(), child.stderr_text()};
}

}  // namespace madoguchi::testing
