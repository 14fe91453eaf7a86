#include "adapters/email/email_channel.hpp"

#include <map>

#include "adapters/email/email_config.hpp"
#include "adapters/email/email_media.hpp"
#include "adapters/email/lmtp_server.hpp"
#include "adapters/email/mail_reader.hpp"
#include "adapters/email/smtp_sender.hpp"

namespace madoguchi::adapters::email {

ChannelInfo email_channel_info() {
  ChannelInfo info;
  info.type = "email";
  info.label_ja = "メール";
  info.unreachable_reason_ja = "このアドレスには届きません（配送エラーが返ってきました）。";
  info.message_max_units = 0;  // one mail, however long
  info.replies_threaded = true;
  return info;
}

EmailChannel::EmailChannel() { init_mime(); }

const config::ChannelSchema& EmailChannel::schema() const { return email_schema(); }

OutboundParts EmailChannel::outbound(const config::ChannelConfig& account, const OutboundContext&) {
  OutboundParts parts;
  parts.adapter = std::make_shared<SmtpSender>(account.as<EmailSettings>());
  return parts;
}

std::shared_ptr<MediaSource> EmailChannel::media(const config::ChannelConfig&, const MediaContext&) {
  return std::make_shared<AttachmentSource>();
}

std::vector<std::unique_ptr<Listener>> EmailChannel::listeners(const std::vector<const config::ChannelConfig*>& accounts,
                                                               const ListenerContext& context) {
  std::map<std::string, std::vector<LmtpAccount>> by_endpoint;
  for (const auto* a : accounts) {
    const auto& s = a->as<EmailSettings>();
    by_endpoint[s.lmtp_listen].push_back({a->name, &s});
  }
  std::vector<std::unique_ptr<Listener>> out;
  for (auto& [listen, group] : by_endpoint)
    out.push_back(std::make_unique<LmtpServer>(listen, std::move(group), context.sink, context.log));
  return out;
}

}  // namespace madoguchi::adapters::email
