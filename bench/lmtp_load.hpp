#pragma once
// An LMTP load generator, as the window's Postfix delivers (or, with EHLO, an SMTP one that
// submits the same mails to Postfix): `connections` coroutines on one
// thread, each on one connection (LHLO once), sending mails back to back with MAIL, RCPT and
// DATA pipelined; a mail counts when its recipient's 250 arrives (after the gateway's commit).
#include <cstdint>
#include <string>

#include "bench/load.hpp"

namespace madoguchi::bench {

struct LmtpLoadOptions {
  std::uint16_t port = 0;
  std::string recipient;  // the account's address
  int connections = 1;
  double warmup_s = 1.0;
  double seconds = 5.0;
  std::string id_prefix;  // keeps Message-IDs and senders unique across runs
  // "LHLO" to the gateway; "EHLO" to submit the same mails over SMTP to an MTA (one
  // recipient per mail: the replies are the same in number and order).
  std::string greeting = "LHLO";
};

// Reuses LoadResult: acknowledged = 250s for the recipient; errors = other answers or broken
// connections.
LoadResult run_lmtp_load(const LmtpLoadOptions& options);

}  // namespace madoguchi::bench
