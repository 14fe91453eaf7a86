#include "adapters/line/line_channel.hpp"

#include "adapters/line/line_config.hpp"
#include "adapters/line/line_inbound.hpp"
#include "adapters/line/line_media.hpp"
#include "adapters/line/line_outbound.hpp"
#include "gateway/core/metrics.hpp"

namespace madoguchi::adapters::line {

ChannelInfo line_channel_info() {
  ChannelInfo info;
  info.type = "line";
  info.label_ja = "LINE";
  info.unreachable_reason_ja = "ブロックされています（相手がLINEの友だち登録を解除したため送信できません）。";
  info.message_max_units = kMaxTextUnits;
  info.replies_threaded = true;
  return info;
}

const config::ChannelSchema& LineChannel::schema() const { return line_schema(); }

std::unique_ptr<InboundAdapter> LineChannel::inbound(const config::ChannelConfig& account,
                                                     const InboundContext& context) const {
  const auto& s = account.as<LineSettings>();
  std::vector<Secret> secrets;
  for (const auto& secret : s.channel_secrets) secrets.push_back(secret.clone());
  return std::make_unique<LineInbound>(account.name, std::move(secrets), JsonLimits{context.json_max_depth});
}

OutboundParts LineChannel::outbound(const config::ChannelConfig& account, const OutboundContext& context) {
  const auto& s = account.as<LineSettings>();
  HttpClientOptions http{s.api_base, std::chrono::seconds(s.send_timeout_s)};
  auto line = std::make_shared<LineOutbound>(s.access_token.clone(), std::make_unique<HttpClient>(context.executor, http),
                                             std::int64_t{s.reply_window_s} * 1000);
  OutboundParts parts;
  parts.adapter = line;
  if (s.quota_poll_s > 0) {
    auto monitor = std::make_shared<LineQuotaMonitor>(account.name, *line, context.log, std::chrono::seconds(s.quota_poll_s));
    monitors_.push_back(monitor);
    parts.tasks.push_back([monitor, line] { return monitor->run(); });
  }
  return parts;
}

std::shared_ptr<MediaSource> LineChannel::media(const config::ChannelConfig& account, const MediaContext& context) {
  const auto& s = account.as<LineSettings>();
  const std::chrono::seconds timeout(s.media_timeout_s);
  HttpClientOptions http{s.data_api_base, timeout};
  return std::make_shared<LineMediaSource>(s.access_token.clone(), std::make_unique<HttpClient>(context.executor, http),
                                           timeout);
}

void LineChannel::add_metrics(Metrics& metrics) {
  metrics.add_gauge("madoguchi_line_quota_used", "LINE messages sent this month (quota consumption)", [this] {
    std::vector<std::pair<std::string, double>> out;
    for (const auto& m : monitors_)
      if (m->known()) out.emplace_back("account=\"" + m->account() + "\"", static_cast<double>(m->used()));
    return out;
  });
  metrics.add_gauge("madoguchi_line_quota_limit", "LINE monthly message limit (-1 = none)", [this] {
    std::vector<std::pair<std::string, double>> out;
    for (const auto& m : monitors_)
      if (m->known()) out.emplace_back("account=\"" + m->account() + "\"", static_cast<double>(m->limit()));
    return out;
  });
}

}  // namespace madoguchi::adapters::line
