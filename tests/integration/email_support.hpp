#pragma once
// What the email integration tests share: an email account's [[channels]] table, mail
// handed to the gateway over LMTP (as Postfix would), and a console session with its CSRF
// token for the API.
#include <cstdint>
#include <string>
#include <vector>

#include "tests/fakes/http_client.hpp"
#include "tests/fakes/smtp_sink.hpp"
#include "tests/integration/harness.hpp"

namespace madoguchi::testing {

struct EmailAccountToml {
  std::string name = "mail", address = "soudan@town.example", charset = "utf-8";
  std::uint16_t lmtp_port = 0;
  const SmtpSink* relay = nullptr;  // nullptr: nothing listens (replies wait in the outbox)
  std::string authserv_id;          // whose Authentication-Results to believe ("" = none)
};
// Its secrets come from MADOGUCHI_EMAIL_THREAD_SECRET and MADOGUCHI_RELAY_PASSWORD (see
// email_env()).
std::string email_account_toml(const EmailAccountToml& account);
std::vector<std::string> email_env();
inline constexpr const char* kRelayUser = "madoguchi";
inline constexpr const char* kRelayPassword = "relay-password-for-tests-2026";

// One mail over LMTP with swaks; true when every answer, the per-recipient one to the final
// dot included, was 2xx. `from` "" is the null sender (a bounce).
bool lmtp_deliver(std::uint16_t port, const std::string& from, const std::string& to, const std::string& message);

// A gateway with one email account (soudan@town.example, LMTP on `lmtp_port`, our MTA
// mx.town.example) for intake tests: its relay is unreachable, so replies wait in the outbox.
HarnessOptions email_intake_options(std::uint16_t lmtp_port, int busy_timeout_ms = 5000);


}  // namespace madoguchi::testing
