#pragma once
// LINE Messaging API sending (../shared/specs/line-openapi/messaging-api.yml):
// POST /v2/bot/message/reply {replyToken, messages} when the request carries a reply handle
// (the event's reply token),
// POST /v2/bot/message/push {to, messages} with X-Line-Retry-Key otherwise, and the quota
// endpoints for /metrics. The channel access token goes in `Authorization: Bearer`.
// Runs on the outbox worker's thread (the HttpClient is not thread-safe).
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/common/http_client.hpp"
#include "gateway/core/outbound.hpp"
#include "gateway/core/secret.hpp"

namespace madoguchi::adapters::line {

inline constexpr std::size_t kMaxTextUnits = 5000;  // per text message object (UTF-16 units)
inline constexpr std::size_t kMaxMessages = 5;      // message objects per request

struct LineQuota {
  bool limited = false;      // "limited": a monthly target is set; "none": unlimited
  std::int64_t limit = 0;    // messages per month when limited
  std::int64_t used = 0;     // totalUsage this month
};

class LineOutbound final : public OutboundAdapter {
 public:
  // reply_window_ms: how long after the event a reply token is still used (LINE: about a
  // minute; the default keeps a margin).
  LineOutbound(Secret access_token, std::unique_ptr<HttpClient> client, std::int64_t reply_window_ms = 50'000);
  OutboundCapabilities capabilities() const override;
  boost::asio::awaitable<DeliveryResult> send(const OutboundRequest& request) override;
  // GET /v2/bot/message/quota and /quota/consumption; nullopt when either fails.
  boost::asio::awaitable<std::optional<LineQuota>> quota();

 private:
  Secret token_;
  std::unique_ptr<HttpClient> client_;
  std::int64_t reply_window_ms_;
};

// Request bodies (pure; exposed for tests).
std::string push_body(const std::string& to, const std::vector<std::string>& texts);
std::string reply_body(const std::string& reply_token, const std::vector<std::string>& texts);

// How an answer (or a transport failure) counts. Pure; exposed for tests.
//  200 → delivered; push 409 → delivered (the retry key was accepted before);
//  429 → retriable after Retry-After (a monthly limit is permanent); 5xx, timeouts and
//  connection failures → retriable; 400/401/403 and other 4xx → permanent with a Japanese
//  reason; reply 400 "Invalid reply token" → permanent with reply_handle_spent (the
//  outbox then decides between "already delivered" and push).
DeliveryResult classify_answer(bool is_reply, const HttpExchange& exchange);

// A Retry-After header in seconds as milliseconds, capped at an hour; 0 for anything else
// (an HTTP date falls back to the caller's backoff). Shared by sending and media fetching.
std::int64_t retry_after_ms(const std::string& header);

}  // namespace madoguchi::adapters::line
