#pragma once
// LINE webhooks as LINE sends them (../shared/specs/line-openapi/webhook.yml): event
// builders with unique ids, the body envelope, and the x-line-signature computed here
// with OpenSSL, independently of the gateway's own code.
#include <boost/json/object.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fakes/http_client.hpp"

namespace madoguchi::testing {

// base64(HMAC-SHA256(secret, body)), the x-line-signature header value.
std::string line_signature(std::string_view channel_secret, std::string_view body);

// Content-type and signature headers for a body.
Headers line_headers(std::string_view channel_secret, std::string_view body);

// {"destination": ..., "events": [...]}, serialized once: sign exactly these bytes.
std::string line_webhook_body(const std::vector<boost::json::object>& events);

std::string random_hex(std::mt19937_64& rng, std::size_t bytes);

// Builds events with unique webhookEventIds, user ids and message ids. Two factories
// with different seeds never produce the same ids.
class LineEventFactory {
 public:
  explicit LineEventFactory(std::uint64_t seed);

  std::string next_event_id();    // 26 characters, ULID alphabet
  std::string next_user_id();     // "U" + 32 hex digits
  std::string next_message_id();  // decimal digits

  boost::json::object text(std::string_view event_id, std::string_view user_id, std::string_view text,
                           std::string_view message_id);
  // An image, video, audio or file message; `external`: contentProvider "external" with
  // URLs at another service (never fetched).
  boost::json::object media(std::string_view event_id, std::string_view user_id, std::string_view type,
                            std::string_view message_id, bool external = false);
  boost::json::object follow(std::string_view event_id, std::string_view user_id);
  boost::json::object unsend(std::string_view event_id, std::string_view user_id, std::string_view message_id);
  boost::json::object postback(std::string_view event_id, std::string_view user_id, std::string_view data);
  // An event type LINE may add one day: only the common fields.
  boost::json::object other(std::string_view event_id, std::string_view user_id, std::string_view type);

  std::mt19937_64& rng() { return rng_; }

 private:
  boost::json::object base(std::string_view type, std::string_view event_id, std::string_view user_id);

  std::mt19937_64 rng_;
  std::string prefix_;
  std::uint64_t counter_ = 0;
  std::int64_t timestamp_ms_ = 1'700'000'000'000;
};

}  // namespace madoguchi::testing
