#pragma once
// LINE Messaging API webhooks (../shared/specs/line-openapi/webhook.yml).
// verify: x-line-signature = base64(HMAC-SHA256(channel secret, raw body)), checked in
// constant time against each configured secret (two during a rotation).
// parse: every event and message type of webhook.yml; an unknown event type becomes
// "unsupported:<type>"; an empty `events` array (the console's Verify button) gives none.
#include <string>
#include <vector>

#include "adapters/common/json.hpp"
#include "gateway/core/adapter.hpp"
#include "gateway/core/secret.hpp"

namespace madoguchi::adapters::line {

class LineInbound final : public InboundAdapter {
 public:
  LineInbound(std::string account, std::vector<Secret> channel_secrets, JsonLimits limits = {});
  [[nodiscard]] result<VerifyOutcome> verify(const WebhookRequest& request) const override;
  [[nodiscard]] result<std::vector<NormalizedMessage>> parse(const WebhookRequest& request) const override;

 private:
  std::string account_;
  std::vector<Secret> secrets_;
  JsonLimits limits_;
};

}  // namespace madoguchi::adapters::line
