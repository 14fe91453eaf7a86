#include "tests/integration/email_support.hpp"

#include <boost/json/parse.hpp>

#include "tests/fakes/postfix_instance.hpp"

namespace madoguchi::testing {

std::string email_account_toml(const EmailAccountToml& a) {
  std::string toml = "[[channels]]\ntype = \"email\"\nname = \"" + a.name + "\"\ntenant = \"demo\"\n"
                     "address = \"" + a.address + "\"\ndisplay_name = \"デモ市ひきこもり相談窓口\"\n"
                     "lmtp_listen = \"127.0.0.1:" + std::to_string(a.lmtp_port) + "\"\n"
                     "thread_secret = { env = \"MADOGUCHI_EMAIL_THREAD_SECRET\" }\n"
                     "charset = \"" + a.charset + "\"\nsend_timeout_seconds = 10\n";
  if (!a.authserv_id.empty()) toml += "authserv_id = \"" + a.authserv_id + "\"\n";
  if (!a.relay) return toml + "relay_host = \"127.0.0.1\"\nrelay_port = 9\nrelay_security = \"none\"\n";
  return toml + "relay_host = \"127.0.0.1\"\nrelay_port = " + std::to_string(a.relay->port()) + "\n"
                "relay_security = \"starttls\"\nrelay_ca_file = \"" + a.relay->ca_file().string() + "\"\n"
                "relay_username = \"" + kRelayUser + "\"\nrelay_password = { env = \"MADOGUCHI_RELAY_PASSWORD\" }\n";
}

std::vector<std::string> email_env() {
  return {"MADOGUCHI_EMAIL_THREAD_SECRET=outbound-thread-secret-0123456789",
          std::string("MADOGUCHI_RELAY_PASSWORD=") + kRelayPassword};
}

bool lmtp_deliver(std::uint16_t port, const std::string& from, const std::string& to, const std::string& message) {
  return swaks_send("LMTP", port, "mx.town.example", from, to, message) == "250";
}

HarnessOptions email_intake_options(std::uint16_t lmtp_port, int busy_timeout_ms) {
  HarnessOptions o;
  o.busy_timeout_ms = busy_timeout_ms;
  EmailAccountToml account;
  account.lmtp_port = lmtp_port;
  account.authserv_id = "mx.town.example";
  o.extra_toml = email_account_toml(account);
  o.extra_env = email_env();
  return o;
}

}  // namespace madoguchi::testing
