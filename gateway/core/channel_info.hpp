#pragma once
// What a channel type tells the rest of the gateway about itself: names and limits for the
// console, and the wording of its outcomes. Filled by the channel's factory
// (adapters/<channel>/); every stage reads it instead of naming a channel.
#include <cstddef>
#include <string>

namespace madoguchi {

struct ChannelInfo {
  std::string type;      // "line": the store's channel column and the webhook URL segment
  std::string label_ja;  // shown to staff: "LINE", "メール"
  // Why a reply cannot reach a contact who left the channel (LINE: the friend was removed).
  std::string unreachable_reason_ja;
  // A reply longer than this (in the channel's own unit, UTF-16 code units for LINE) is sent
  // as several messages; the console shows it. 0 = no per-message limit.
  std::size_t message_max_units = 0;
  bool replies_threaded = false;  // a reply can answer one inbound message (LINE's reply token)
};

}  // namespace madoguchi
