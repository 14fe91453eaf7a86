#pragma once
// An email account's keys in its [[channels]] table (type = "email"): the window's address,
// where the MTA delivers (LMTP), the relay replies go through (SMTP submission), limits.
#include <cstddef>
#include <string>
#include <vector>

#include "config/channels.hpp"
#include "gateway/core/secret.hpp"

namespace madoguchi::config {
class ChannelSchema;
}

namespace madoguchi::adapters::email {

enum class RelaySecurity { starttls, tls, none };

struct EmailSettings final : config::ChannelSettings {
  std::string address;       // the window's address, lower-case: soudan@town.example
  std::string display_name;  // shown as the From name of replies
  // Where Postfix delivers: "127.0.0.1:2424" or "unix:/run/madoguchi/lmtp.sock". Accounts
  // naming the same endpoint share one listener (the recipient address picks the account).
  std::string lmtp_listen = "127.0.0.1:2424";
  Secret thread_secret;      // keys the per-conversation reply tokens (soudan+<token>@…)
  std::string authserv_id;   // the name our MTA writes into Authentication-Results ("" = none)
  std::string charset = "utf-8";  // of replies: "utf-8" or "iso-2022-jp" (old carrier phones)

  std::string relay_host = "127.0.0.1";
  int relay_port = 587;
  RelaySecurity relay_security = RelaySecurity::starttls;
  std::string relay_username;
  Secret relay_password;           // empty when relay_username is
  std::string relay_ca_file;       // "" = the system's CAs
  int send_timeout_s = 60;

  std::size_t max_message_bytes = 20 * 1024 * 1024;  // LMTP answers 552 5.3.4 above
  int max_attachments = 10;
  std::size_t max_attachment_bytes = 10 * 1024 * 1024;
  int sender_mails_per_hour = 30;  // more from one address: 451 4.7.1, the MTA retries later
};

const config::ChannelSchema& email_schema();

}  // namespace madoguchi::adapters::email
