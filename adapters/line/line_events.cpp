#include "adapters/line/line_events.hpp"

#include "gateway/core/hex.hpp"

#include <openssl/sha.h>

#include <array>
#include <boost/json/serialize.hpp>
#include <optional>

namespace madoguchi::adapters::line {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 19> kEventTypes = {
    "message",  "follow",     "unfollow",  "join",      "leave",       "memberJoined",      "memberLeft",
    "postback", "videoPlayComplete", "beacon", "accountLink", "membership", "unsend", "module",
    "activated", "deactivated", "botSuspended", "botResumed", "delivery"};
constexpr std::array<std::string_view, 7> kMessageTypes = {"text", "image", "video", "audio",
                                                           "file", "location", "sticker"};

// A field that may be absent; present with another JSON type is a shape error.
struct Shape {
  bool bad = false;

  std::optional<std::string> string(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_string()) {
      bad = true;
      return std::nullopt;
    }
    return std::string(v->get_string());
  }
  const json::object* object(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    if (!v || v->is_null()) return nullptr;
    if (!v->is_object()) {
      bad = true;
      return nullptr;
    }
    return &v->get_object();
  }
  std::int64_t integer(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    if (!v) return 0;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
      return static_cast<std::int64_t>(v->get_uint64());
    bad = true;
    return 0;
  }
  bool boolean(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    if (!v) return false;
    if (!v->is_bool()) {
      bad = true;
      return false;
    }
    return v->get_bool();
  }
};

std::string sha256_id(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return "sha256:" + to_hex(digest);
}

}  // namespace

bool is_known_event_type(std::string_view type) {
  for (auto t : kEventTypes)
    if (t == type) return true;
  return false;
}

bool is_known_message_type(std::string_view type) {
  for (auto t : kMessageTypes)
    if (t == type) return true;
  return false;
}

result<NormalizedMessage> normalize_event(const json::object& event, const std::string& account) {
  Shape shape;
  NormalizedMessage m;
  m.channel = "line";
  m.account = account;
  auto type = shape.string(event, "type");
  if (!type) return errc::json_unexpected_shape;
  m.event_type = is_known_event_type(*type) ? *type : "unsupported:" + *type;
  m.payload_json = json::serialize(event);
  // The reply handle is the event's reply token (single use, valid about a minute).
  if (const auto* token = event.if_contains("replyToken"); token && token->is_string())
    m.reply_handle = std::string(token->as_string());
  // webhookEventId is the de-duplication key; without one, the event's own bytes are:
  // a redelivery serializes the same.
  m.external_id = shape.string(event, "webhookEventId").value_or("");
  if (m.external_id.empty()) m.external_id = sha256_id(m.payload_json);
  m.provider_timestamp_ms = shape.integer(event, "timestamp");
  if (auto* delivery = shape.object(event, "deliveryContext")) m.redelivery = shape.boolean(*delivery, "isRedelivery");

  if (auto* source = shape.object(event, "source")) {
    m.source_kind = shape.string(*source, "type").value_or("");
    m.sender_id = shape.string(*source, "userId").value_or("");
    if (m.source_kind == "group")
      m.thread_id = "group:" + shape.string(*source, "groupId").value_or("");
    else if (m.source_kind == "room")
      m.thread_id = "room:" + shape.string(*source, "roomId").value_or("");
    else
      m.thread_id = m.sender_id;
  }

  if (*type == "message") {
    const auto* message = shape.object(event, "message");
    if (!message) return errc::json_unexpected_shape;
    auto message_type = shape.string(*message, "type").value_or("");
    m.message_type = is_known_message_type(message_type) ? message_type : "unsupported:" + message_type;
    m.provider_message_id = shape.string(*message, "id").value_or("");
    if (message_type == "text") m.text = shape.string(*message, "text").value_or("");
    if (message_type == "image" || message_type == "video" || message_type == "audio" || message_type == "file") {
      // Content LINE holds for us; "external" content lives at the sender's own URL.
      std::string provider = "line";
      if (auto* content = shape.object(*message, "contentProvider"))
        provider = shape.string(*content, "type").value_or("line");
      // Only content LINE holds is fetched (GET …/content with the message id); an
      // external provider's URL is never fetched nor shown.
      m.has_media = provider == "line" && !m.provider_message_id.empty();
      if (m.has_media) m.media_handle = m.provider_message_id;
    }
  } else if (*type == "follow") {
    m.effect = ContactEffect::reachable;
  } else if (*type == "unfollow") {
    m.effect = ContactEffect::unreachable;
  } else if (*type == "unsend") {
    if (auto* unsend = shape.object(event, "unsend")) m.target_message_id = shape.string(*unsend, "messageId").value_or("");
    if (m.target_message_id.empty()) return errc::json_unexpected_shape;
    m.effect = ContactEffect::hide_target;
  }
  if (shape.bad) return errc::json_unexpected_shape;
  return m;
}

}  // namespace madoguchi::adapters::line
