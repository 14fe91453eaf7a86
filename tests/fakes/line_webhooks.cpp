#include "tests/fakes/line_webhooks.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <stdexcept>

namespace madoguchi::testing {
namespace {

constexpr std::string_view kUlidAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

}  // namespace

std::string line_signature(std::string_view channel_secret, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (!HMAC(EVP_sha256(), channel_secret.data(), static_cast<int>(channel_secret.size()),
            reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &mac_len))
    throw std::runtime_error("HMAC failed");
  unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int n = EVP_EncodeBlock(encoded, mac, static_cast<int>(mac_len));
  return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(n));
}

Headers line_headers(std::string_view channel_secret, std::string_view body) {
  return {{"content-type", "application/json; charset=utf-8"},
          {"x-line-signature", line_signature(channel_secret, body)}};
}

std::string line_webhook_body(const std::vector<boost::json::object>& events) {
  boost::json::array list;
  for (const auto& e : events) list.push_back(e);
  boost::json::object body{{"destination", "U0123456789abcdef0123456789abcdef"}, {"events", std::move(list)}};
  return boost::json::serialize(body);
}

std::string random_hex(std::mt19937_64& rng, std::size_t bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    auto b = static_cast<unsigned>(rng() & 0xff);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

LineEventFactory::LineEventFactory(std::uint64_t seed) : rng_(seed) {
  // 13 random characters: distinct factories (threads, restarts) stay apart.
  for (int i = 0; i < 13; ++i) prefix_.push_back(kUlidAlphabet[rng_() % kUlidAlphabet.size()]);
}

std::string LineEventFactory::next_event_id() {
  std::string id = prefix_;
  auto n = counter_++;
  for (int i = 0; i < 13; ++i, n /= kUlidAlphabet.size()) id.push_back(kUlidAlphabet[n % kUlidAlphabet.size()]);
  return id;
}

std::string LineEventFactory::next_user_id() { return "U" + random_hex(rng_, 16); }

std::string LineEventFactory::next_message_id() { return std::to_string(100'000'000'000'000 + rng_() % 900'000'000'000'000); }

boost::json::object LineEventFactory::base(std::string_view type, std::string_view event_id, std::string_view user_id) {
  timestamp_ms_ += 1 + static_cast<std::int64_t>(rng_() % 50);
  return {{"type", type},
          {"mode", "active"},
          {"timestamp", timestamp_ms_},
          {"source", {{"type", "user"}, {"userId", user_id}}},
          {"webhookEventId", event_id},
          {"deliveryContext", {{"isRedelivery", false}}}};
}

boost::json::object LineEventFactory::text(std::string_view event_id, std::string_view user_id, std::string_view text,
                                           std::string_view message_id) {
  auto e = base("message", event_id, user_id);
  e["replyToken"] = random_hex(rng_, 16);
  e["message"] = {{"id", message_id},
                  {"type", "text"},
                  {"quoteToken", "q" + random_hex(rng_, 12)},
                  {"markAsReadToken", "r" + random_hex(rng_, 12)},
                  {"text", text}};
  return e;
}

boost::json::object LineEventFactory::media(std::string_view event_id, std::string_view user_id, std::string_view type,
                                            std::string_view message_id, bool external) {
  auto e = base("message", event_id, user_id);
  e["replyToken"] = random_hex(rng_, 16);
  boost::json::object provider{{"type", external ? "external" : "line"}};
  if (external) {
    provider["originalContentUrl"] = "https://cdn.example.invalid/original.jpg";
    provider["previewImageUrl"] = "https://cdn.example.invalid/preview.jpg";
  }
  boost::json::object message{{"id", message_id},
                              {"type", type},
                              {"quoteToken", "q" + random_hex(rng_, 12)},
                              {"markAsReadToken", "r" + random_hex(rng_, 12)}};
  if (type == "file") {
    message["fileName"] = "相談メモ.pdf";
    message["fileSize"] = 1024;
  } else {
    message["contentProvider"] = std::move(provider);
    if (type == "video" || type == "audio") message["duration"] = 1000;
  }
  e["message"] = std::move(message);
  return e;
}

boost::json::object LineEventFactory::follow(std::string_view event_id, std::string_view user_id) {
  auto e = base("follow", event_id, user_id);
  e["replyToken"] = random_hex(rng_, 16);
  e["follow"] = {{"isUnblocked", false}};
  return e;
}

boost::json::object LineEventFactory::unsend(std::string_view event_id, std::string_view user_id,
                                             std::string_view message_id) {
  auto e = base("unsend", event_id, user_id);
  e["unsend"] = {{"messageId", message_id}};
  return e;
}

boost::json::object LineEventFactory::postback(std::string_view event_id, std::string_view user_id,
                                               std::string_view data) {
  auto e = base("postback", event_id, user_id);
  e["replyToken"] = random_hex(rng_, 16);
  e["postback"] = {{"data", data}};
  return e;
}

boost::json::object LineEventFactory::other(std::string_view event_id, std::string_view user_id, std::string_view type) {
  return base(type, event_id, user_id);
}

}  // namespace madoguchi::testing
