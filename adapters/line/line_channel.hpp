#pragma once
// LINE as a channel: the factory the composition root lists. Per [[channels]] table with
// type = "line": LineInbound (signature + webhook parsing), LineOutbound (reply and push)
// and, when quota_poll_seconds > 0, a quota monitor whose figures go to /metrics.
#include <memory>
#include <vector>

#include "adapters/common/channel.hpp"
#include "adapters/line/line_quota.hpp"

namespace madoguchi::adapters::line {

// LINE's labels and limits (also for tests that wire a LineOutbound by hand).
ChannelInfo line_channel_info();

class LineChannel final : public ChannelFactory {
 public:
  const config::ChannelSchema& schema() const override;
  ChannelInfo info() const override { return line_channel_info(); }
  std::unique_ptr<InboundAdapter> inbound(const config::ChannelConfig& account,
                                          const InboundContext& context) const override;
  OutboundParts outbound(const config::ChannelConfig& account, const OutboundContext& context) override;
  // LineMediaSource on the data API (data_api_base).
  std::shared_ptr<MediaSource> media(const config::ChannelConfig& account, const MediaContext& context) override;
  // madoguchi_line_quota_used / madoguchi_line_quota_limit, by account.
  void add_metrics(Metrics& metrics) override;

 private:
  std::vector<std::shared_ptr<LineQuotaMonitor>> monitors_;
};

}  // namespace madoguchi::adapters::line
