#include "tests/fakes/postfix_instance.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "tests/fakes/child_process.hpp"

namespace madoguchi::testing {
namespace {

CommandResult run(const std::string& program, std::vector<std::string> args) {
  LaunchOptions o;
  o.program = program;
  o.args = std::move(args);
  o.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"};
  return run_command(o, std::chrono::seconds(60));
}

// Every daemon Postfix needs to accept, queue, bounce and deliver by LMTP; none chrooted
// (the queue lives in a temp dir without the chroot's copies of /etc files).
const char* kMaster =
    "pickup unix n - n 60 1 pickup\n"
    "cleanup unix n - n - 0 cleanup\n"
    "qmgr unix n - n 300 1 qmgr\n"
    "rewrite unix - - n - - trivial-rewrite\n"
    "bounce unix - - n - 0 bounce\n"
    "defer unix - - n - 0 bounce\n"
    "trace unix - - n - 0 bounce\n"
    "verify unix - - n - 1 verify\n"
    "flush unix n - n 1000? 0 flush\n"
    "proxymap unix - - n - - proxymap\n"
    "smtp unix - - n - - smtp\n"
    "showq unix n - n - - showq\n"
    "error unix - - n - - error\n"
    "retry unix - - n - - error\n"
    "discard unix - - n - - discard\n"
    "lmtp unix - - n - - lmtp\n"
    "anvil unix - - n - 1 anvil\n"
    "scache unix - - n - 1 scache\n"
    "postlog unix-dgram n - n - 1 postlogd\n";

}  // namespace

std::uint16_t free_local_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("no free port");
  ::close(fd);
  return ntohs(a.sin_port);
}

PostfixInstance::PostfixInstance(const std::string& domain, const std::string& lmtp_target,
                                 const std::string& extra_main_cf)
    : dir_("madoguchi-postfix-") {
  conf_ = dir_ / "conf";
  queue_ = dir_ / "queue";
  const auto data = dir_ / "data";
  for (const auto& d : {conf_, queue_, data}) std::filesystem::create_directories(d);
  // The daemons run as `postfix`: they must reach the queue and own their data directory.
  std::filesystem::permissions(dir_.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                                std::filesystem::perms::others_exec);
  run("/usr/bin/chown", {"postfix", data.string()});
  smtp_port_ = free_local_port();
  const std::string root = dir_.path().string();
  write_file(conf_ / "main.cf",
             "compatibility_level = 3.6\n"
             "queue_directory = " + queue_.string() + "\n"
             "data_directory = " + data.string() + "\n"
             "mail_owner = postfix\nsetgid_group = postdrop\n"
             "inet_interfaces = 127.0.0.1\ninet_protocols = ipv4\n"
             "myhostname = mx." + domain + "\n"
             "mydestination =\nalias_maps =\nalias_database =\nlocal_recipient_maps =\n"
             "relay_domains = " + domain + "\n"
             "transport_maps = inline:{ " + domain + "=lmtp:" + lmtp_target + " }\n"
             "mynetworks = 127.0.0.0/8\n"
             "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n"
             // Deferred mail is retried when the test flushes, not on Postfix's own schedule.
             "minimal_backoff_time = 300s\nqueue_run_delay = 300s\n"
             "maillog_file = " + root + "/maillog\nmaillog_file_prefixes = " + root + "\n" + extra_main_cf);
  write_file(conf_ / "master.cf", "127.0.0.1:" + std::to_string(smtp_port_) + " inet n - n - - smtpd\n" + kMaster);
  auto r = run("/usr/sbin/postfix", {"-c", conf_.string(), "start"});
  if (!r.status.exited || r.status.code != 0)
    throw std::runtime_error("postfix start: " + r.status.describe() + "\n" + r.err + "\n" + maillog());
  if (!wait_for_log("daemon started", 1, 10)) throw std::runtime_error("postfix did not start:\n" + maillog());
}

PostfixInstance::~PostfixInstance() {
  std::ifstream pid_file(queue_ / "pid" / "master.pid");
  pid_t pid = 0;
  if (pid_file >> pid && pid > 0) {
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (::kill(pid, 0) == 0) ::kill(pid, SIGKILL);
  }
}

std::string swaks_send(const std::string& protocol, std::uint16_t port, const std::string& helo,
                       const std::string& from, const std::string& to, const std::string& message) {
  TempDir dir("madoguchi-mail-");  // one file per send, also from several threads
  write_file(dir / "mail.eml", message);
  auto r = run("/usr/bin/swaks", {"--protocol", protocol, "--server", "127.0.0.1:" + std::to_string(port), "--from",
                                  from, "--to", to, "--helo", helo, "--data", "@" + (dir / "mail.eml").string(),
                                  "--hide-all", "--timeout", "20"});
  if (!r.status.exited) return "swaks: " + r.status.describe();
  // --hide-all prints nothing; swaks exits 0 only when every step was accepted.
  return r.status.code == 0 ? "250" : "swaks exit " + std::to_string(r.status.code) + ": " + r.err;
}

std::string PostfixInstance::send(const std::string& from, const std::string& to, const std::string& message) const {
  return swaks_send("SMTP", smtp_port_, "client.example", from, to, message);
}

void PostfixInstance::flush() const { run("/usr/sbin/postqueue", {"-c", conf_.string(), "-f"}); }

int PostfixInstance::queued() const {
  auto r = run("/usr/sbin/postqueue", {"-c", conf_.string(), "-j"});
  int n = 0;
  for (char c : r.out) n += c == '\n';
  return n;
}

std::string PostfixInstance::maillog() const { return read_file(dir_ / "maillog"); }

int PostfixInstance::log_count(const std::string& needle) const {
  const auto log = maillog();
  int n = 0;
  for (auto p = log.find(needle); p != std::string::npos; p = log.find(needle, p + 1)) ++n;
  return n;
}

bool PostfixInstance::wait_for_log(const std::string& needle, int count, int seconds) const {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (log_count(needle) >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace madoguchi::testing
