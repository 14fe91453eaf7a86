#pragma once
// LINE media content (../shared/specs/line-openapi/messaging-api.yml, getMessageContent):
// GET {data_api_base}/v2/bot/message/{messageId}/content with the channel access token in
// `Authorization: Bearer`, on the data API host (api-data.line.me). The media handle is the
// message id the adapter stored (only for contentProvider.type "line": content at an external
// provider's URL is never fetched). LINE keeps content only for a limited time: 404/410 mean
// it is gone. Runs on the media stage's thread (the HttpClient is not thread-safe).
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "adapters/common/http_client.hpp"
#include "gateway/core/media.hpp"
#include "gateway/core/secret.hpp"

namespace madoguchi::adapters::line {

class LineMediaSource final : public MediaSource {
 public:
  // `client` is for the data API base URL; `timeout` covers one whole download.
  LineMediaSource(Secret access_token, std::unique_ptr<HttpClient> client, std::chrono::milliseconds timeout);
  boost::asio::awaitable<MediaResult> fetch(const std::string& media_handle, std::size_t max_bytes) override;

 private:
  Secret token_;
  std::unique_ptr<HttpClient> client_;
  std::chrono::milliseconds timeout_;
};

// The request target for a message id; empty when the id is not a LINE message id
// (decimal digits), so nothing else is ever put into the path.
std::string content_target(const std::string& message_id);

// How an answer (or a transport failure) counts. Pure; exposed for tests.
//  200 → fetched (content type lower-cased, parameters dropped; "" when LINE sent none);
//  body over the limit → too_large; 5xx, 429, timeouts and connection failures → retriable
//  (429 after Retry-After); 404 and 410 → permanent (no longer held by LINE); 400/401/403 and
//  other 4xx → permanent with a Japanese reason. The exchange's body is moved out.
MediaResult classify_media_answer(HttpExchange& exchange);

}  // namespace madoguchi::adapters::line
