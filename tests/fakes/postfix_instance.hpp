#pragma once
// A real Postfix (Debian's) of its own: configuration, queue and log in a fresh directory,
// an SMTP listener on 127.0.0.1 for the test to send through (as the Internet would reach
// the window's MX) and every mail for `domain` delivered over LMTP to the gateway, exactly
// as CHANNELS.md documents for a deployment. Needs root (Postfix's master runs as root and
// its daemons as the `postfix` user). Stopped by the master's PID.
#include <cstdint>
#include <filesystem>
#include <string>

#include "tests/fakes/temp_dir.hpp"

namespace madoguchi::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (for servers that cannot bind port 0
// and report it, like Postfix).
std::uint16_t free_local_port();

// Sends a whole RFC 5322 message with swaks to 127.0.0.1:`port` over `protocol` ("SMTP" or
// "LMTP"); "250" when every answer (per recipient, to the final dot) was accepted, else what
// failed. `from` "" is the null sender. Safe from several threads at once.
std::string swaks_send(const std::string& protocol, std::uint16_t port, const std::string& helo,
                       const std::string& from, const std::string& to, const std::string& message);

class PostfixInstance {
 public:
  // `lmtp_target`: "inet:127.0.0.1:PORT" or "unix:/path"; `extra_main_cf`: more main.cf lines
  // (e.g. a shorter lmtp_data_done_timeout). Throws std::runtime_error (with the log's tail)
  // when Postfix does not start.
  PostfixInstance(const std::string& domain, const std::string& lmtp_target, const std::string& extra_main_cf = "");
  ~PostfixInstance();
  PostfixInstance(const PostfixInstance&) = delete;
  PostfixInstance& operator=(const PostfixInstance&) = delete;

  std::uint16_t smtp_port() const { return smtp_port_; }
  // Sends a whole RFC 5322 message with swaks over SMTP; the SMTP reply to DATA, e.g. "250".
  // Thread-safe: several threads may send at once.
  std::string send(const std::string& from, const std::string& to, const std::string& message) const;
  void flush() const;                 // postqueue -f: deferred mail is tried again now
  int queued() const;                 // mails still in the queue
  std::string maillog() const;        // Postfix's own log file
  // How many times the log holds `needle`.
  int log_count(const std::string& needle) const;
  // Waits up to `seconds` until the log holds `needle` `count` times.
  bool wait_for_log(const std::string& needle, int count = 1, int seconds = 30) const;

 private:
  TempDir dir_;
  std::uint16_t smtp_port_ = 0;
  std::filesystem::path conf_, queue_;
};

}  // namespace madoguchi::testing
