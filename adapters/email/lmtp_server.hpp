#pragma once
// The LMTP listener (RFC 2033) the MTA delivers to, on loopback TCP or a Unix socket.
// Per recipient, after DATA: 250 only once the mail is committed (the MessageSink's group
// commit); 451 4.3.0 when the store cannot commit (the MTA keeps the mail and retries); 552
// 5.3.4 over the size or header limits; 550 5.1.1 for an address that is not ours (at RCPT);
// 451 4.7.1 for a sender over its hourly allowance. Pipelining works: commands are read and
// answered in order. Nothing of the mail is written anywhere but sealed into the store.
#include <memory>
#include <string>
#include <vector>

#include "adapters/common/channel.hpp"
#include "adapters/email/email_config.hpp"

namespace madoguchi::adapters::email {

struct LmtpAccount {
  std::string name;                 // the [[channels]] name
  const EmailSettings* settings;    // outlives the server (the Config does)
};

struct LmtpLimits {
  std::size_t max_command_bytes = 4096;
  std::size_t max_line_bytes = 1024 * 1024;  // a DATA line (Postfix itself breaks lines at 2048)
  std::size_t max_header_bytes = 256 * 1024;
  int max_header_fields = 1000;
  int max_recipients = 100;
  int idle_timeout_s = 300;   // between commands
  int data_timeout_s = 600;   // the whole DATA phase
};

class LmtpServer final : public Listener {
 public:
  // `listen`: "HOST:PORT" (port 0 = any) or "unix:/path". Binds in start(); throws there.
  LmtpServer(std::string listen, std::vector<LmtpAccount> accounts, MessageSink& sink, Log& log,
             LmtpLimits limits = {});
  ~LmtpServer() override;
  void start() override;
  void stop() override;
  std::string endpoint() const override;
  unsigned short port() const;  // the bound TCP port (0 for a Unix socket)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace madoguchi::adapters::email
