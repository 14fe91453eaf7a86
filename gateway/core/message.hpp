#pragma once
// What every inbound adapter produces: one NormalizedMessage per provider event.
// Fields marked (sensitive) hold personal data or content: they are encrypted
// before they reach the store and must never be logged.
#include <cstdint>
#include <string>
#include <vector>

namespace madoguchi {

// What an event does to the contact or conversation beyond being recorded.
enum class ContactEffect {
  none,
  reachable,    // follow: the contact can be answered again
  unreachable,  // unfollow: replies will fail permanently (ブロック)
  hide_target,  // unsend: hide the message named by target_message_id
};

struct NormalizedMessage {
  std::string channel;      // "line", "meta", "email", "webchat"
  std::string account;      // configured channel account name
  std::string external_id;  // provider event id: the de-duplication key
  // The id itself is personal data (an email's Message-ID): the store keeps only a keyed hash.
  bool external_id_private = false;
  std::string event_type;   // provider's event type; "unsupported:<type>" when unknown
  std::string message_type; // for message events: "text", "image", ...; else empty
  std::int64_t provider_timestamp_ms = 0;
  bool redelivery = false;
  std::string source_kind;  // "user", "group", "room" (LINE); "" when not applicable

  std::string sender_id;         // (sensitive) provider user id of the writer
  std::string thread_id;         // (sensitive) provider id of the 1:1 / group / room thread
  std::string text;              // (sensitive) message text as received
  std::string subject;           // (sensitive) an email's subject; "" for chat channels
  std::string provider_message_id;  // (sensitive) provider message id (media, unsend)
  std::string target_message_id;    // (sensitive) unsend: the provider message to hide
  std::string payload_json;      // (sensitive) everything else: tokens, media refs, postback data
  // (sensitive) what the channel's outbound side needs to answer this very message (LINE's
  // reply token; an email's Message-ID); opaque to every other stage. "" when none.
  std::string reply_handle;
  // (sensitive) what the channel's MediaSource needs to fetch this message's content (a
  // provider message id); opaque to every other stage. "" when there is nothing to fetch
  // (also for content held at a third party's URL: never fetched).
  std::string media_handle;

  // Written by a machine (RFC 3834 auto-replies, lists, bounces): never answered automatically.
  bool no_auto_reply = false;
  bool has_media = false;        // content to fetch later from the provider (media_handle set)
  ContactEffect effect = ContactEffect::none;
};

}  // namespace madoguchi
