#pragma once
// What the email integration tests share: an email account's [[channels]] table, mail
// handed to the gateway over LMTP (as Postfix would), and a console session with its CSRF
// token for the API.
#include <cstdint>
#include <string>

#include "tests/fakes/http_client.hpp"
#include "tests/fakes/smtp_sink.hpp"

namespace madoguchi::testing {

struct EmailAccountToml {
  std::string name = "mail", address = "soudan@town.example", charset = "utf-8";
  std::uint16_t lmtp_port = 0;
  const SmtpSink* relay = nullptr;  // nullptr: nothing listens (replies wait in the outbox)
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

struct ConsoleSession {
  std::string cookie, csrf;
};
// Logs in over the API; empty when refused.
ConsoleSession console_login(HttpClient& client, const std::string& username, const std::string& password);

}  // namespace madoguchi::testing
