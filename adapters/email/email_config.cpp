#include "adapters/email/email_config.hpp"

#include <algorithm>
#include <cctype>

#include "config/channel_schema.hpp"

namespace madoguchi::adapters::email {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool plain_address(const std::string& a) {
  const auto at = a.find('@');
  return at != std::string::npos && at > 0 && at + 1 < a.size() && a.find('@', at + 1) == std::string::npos &&
         a.size() <= 254 && a.find('+') == std::string::npos &&
         std::all_of(a.begin(), a.end(), [](unsigned char c) { return c > 0x20 && c < 0x7F && c != '<' && c != '>'; });
}

class EmailSchema final : public config::ChannelSchema {
 public:
  std::string_view type() const override { return "email"; }
  std::vector<std::string_view> keys() const override {
    return {"address", "display_name", "lmtp_listen", "thread_secret", "authserv_id", "charset",
            "relay_host", "relay_port", "relay_security", "relay_username", "relay_password", "relay_ca_file",
            "send_timeout_seconds", "max_message_bytes", "max_attachments", "max_attachment_bytes",
            "sender_mails_per_hour"};
  }

  std::shared_ptr<const config::ChannelSettings> read(config::detail::Reader& r, const toml::table& t,
                                                      const std::string& key) const override {
    auto a = std::make_shared<EmailSettings>();
    if (auto v = r.string(t.get("address"), key + ".address", true)) {
      a->address = lower(*v);
      if (!plain_address(a->address)) r.error(key + ".address", "must be a plain address like soudan@town.example (no + part)");
    }
    if (auto v = r.string(t.get("display_name"), key + ".display_name", false)) a->display_name = *v;
    if (auto v = r.string(t.get("lmtp_listen"), key + ".lmtp_listen", false)) a->lmtp_listen = *v;
    if (a->lmtp_listen.rfind("unix:", 0) != 0 && a->lmtp_listen.rfind(':') == std::string::npos)
      r.error(key + ".lmtp_listen", "must be HOST:PORT or unix:/path");
    if (auto v = r.secret(t.get("thread_secret"), key + ".thread_secret", false)) {
      if (v->size() < 16) r.error(key + ".thread_secret", "must be at least 16 bytes");
      a->thread_secret = std::move(*v);
    }
    if (auto v = r.string(t.get("authserv_id"), key + ".authserv_id", false)) a->authserv_id = *v;
    if (auto v = r.string(t.get("charset"), key + ".charset", false)) {
      a->charset = lower(*v);
      if (a->charset != "utf-8" && a->charset != "iso-2022-jp") r.error(key + ".charset", "must be utf-8 or iso-2022-jp");
    }
    if (auto v = r.string(t.get("relay_host"), key + ".relay_host", false)) a->relay_host = *v;
    a->relay_port = static_cast<int>(r.integer(t.get("relay_port"), key + ".relay_port", a->relay_port, 1, 65535));
    if (auto v = r.string(t.get("relay_security"), key + ".relay_security", false)) {
      if (*v == "starttls") a->relay_security = RelaySecurity::starttls;
      else if (*v == "tls") a->relay_security = RelaySecurity::tls;
      else if (*v == "none") a->relay_security = RelaySecurity::none;
      else r.error(key + ".relay_security", "must be starttls, tls or none");
    }
    if (auto v = r.string(t.get("relay_username"), key + ".relay_username", false)) a->relay_username = *v;
    if (t.contains("relay_password")) {
      if (auto v = r.secret(t.get("relay_password"), key + ".relay_password", false)) a->relay_password = std::move(*v);
    }
    if (!a->relay_username.empty() && a->relay_password.size() == 0)
      r.error(key + ".relay_password", "required with relay_username");
    if (a->relay_security == RelaySecurity::none && a->relay_host != "127.0.0.1" && a->relay_host != "::1" &&
        a->relay_host != "localhost")
      r.error(key + ".relay_security", "none is only allowed for a relay on this machine (127.0.0.1)");
    if (auto v = r.string(t.get("relay_ca_file"), key + ".relay_ca_file", false)) a->relay_ca_file = *v;
    a->send_timeout_s = static_cast<int>(r.integer(t.get("send_timeout_seconds"), key + ".send_timeout_seconds",
                                                   a->send_timeout_s, 1, 600));
    a->max_message_bytes = static_cast<std::size_t>(r.integer(t.get("max_message_bytes"), key + ".max_message_bytes",
                                                              static_cast<std::int64_t>(a->max_message_bytes), 1024,
                                                              64 * 1024 * 1024));
    a->max_attachments = static_cast<int>(r.integer(t.get("max_attachments"), key + ".max_attachments",
                                                    a->max_attachments, 0, 50));
    a->max_attachment_bytes = static_cast<std::size_t>(
        r.integer(t.get("max_attachment_bytes"), key + ".max_attachment_bytes",
                  static_cast<std::int64_t>(a->max_attachment_bytes), 1024, 32 * 1024 * 1024));
    a->sender_mails_per_hour = static_cast<int>(r.integer(t.get("sender_mails_per_hour"), key + ".sender_mails_per_hour",
                                                          a->sender_mails_per_hour, 1, 100000));
    return a;
  }
};

}  // namespace

const config::ChannelSchema& email_schema() {
  static const EmailSchema schema;  // stateless
  return schema;
}

}  // namespace madoguchi::adapters::email
