#pragma once
// The email channel's factory: accounts are addresses; mail arrives over LMTP from the MTA
// (one listener per lmtp_listen endpoint, shared by the accounts that name it) and replies
// leave through the account's SMTP relay.
#include "adapters/common/channel.hpp"

namespace madoguchi::adapters::email {

ChannelInfo email_channel_info();

class EmailChannel final : public ChannelFactory {
 public:
  EmailChannel();
  const config::ChannelSchema& schema() const override;
  ChannelInfo info() const override { return email_channel_info(); }
  std::unique_ptr<InboundAdapter> inbound(const config::ChannelConfig&, const InboundContext&) const override {
    return nullptr;  // no webhooks: mail comes over LMTP
  }
  OutboundParts outbound(const config::ChannelConfig& account, const OutboundContext& context) override;
  std::shared_ptr<MediaSource> media(const config::ChannelConfig& account, const MediaContext& context) override;
  std::vector<std::unique_ptr<Listener>> listeners(const std::vector<const config::ChannelConfig*>& accounts,
                                                   const ListenerContext& context) override;
};

}  // namespace madoguchi::adapters::email
