#include "adapters/line/line_inbound.hpp"

#include "adapters/common/hmac.hpp"
#include "adapters/line/line_events.hpp"

namespace madoguchi::adapters::line {
namespace {
// LINE batches events per webhook; far more than this is not LINE.
constexpr std::size_t kMaxEvents = 1000;
}  // namespace

LineInbound::LineInbound(std::string account, std::vector<Secret> channel_secrets, JsonLimits limits)
    : account_(std::move(account)), secrets_(std::move(channel_secrets)), limits_(limits) {}

result<VerifyOutcome> LineInbound::verify(const WebhookRequest& request) const {
  const auto header = request.header("x-line-signature");
  if (header.empty()) return errc::signature_missing;
  auto signature = base64_decode(header);
  if (!signature || signature->size() != Mac{}.size()) return errc::signature_invalid;
  // Every secret is tried, so timing does not tell which one matched.
  int matched = -1;
  for (std::size_t i = 0; i < secrets_.size(); ++i) {
    const auto mac = hmac_sha256(secrets_[i], request.body);
    if (mac_equal(mac, *signature) && matched < 0) matched = static_cast<int>(i);
  }
  if (matched < 0) return errc::signature_invalid;
  return VerifyOutcome{matched};
}

result<std::vector<NormalizedMessage>> LineInbound::parse(const WebhookRequest& request) const {
  auto parsed = parse_untrusted_json(request.body, limits_);
  if (!parsed) return parsed.error();
  const auto* root = parsed->if_object();
  if (!root) return errc::json_unexpected_shape;
  const auto* events = root->if_contains("events");
  if (!events || !events->is_array() || events->get_array().size() > kMaxEvents) return errc::json_unexpected_shape;
  std::vector<NormalizedMessage> out;
  out.reserve(events->get_array().size());
  for (const auto& event : events->get_array()) {
    if (!event.is_object()) return errc::json_unexpected_shape;
    auto message = normalize_event(event.get_object(), account_);
    if (!message) return message.error();
    out.push_back(std::move(*message));
  }
  return out;
}

}  // namespace madoguchi::adapters::line
