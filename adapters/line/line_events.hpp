#pragma once
// One LINE webhook event (an object of `events[]`) → one NormalizedMessage.
#include <boost/json/object.hpp>
#include <string>

#include "gateway/core/errc.hpp"
#include "gateway/core/message.hpp"

namespace madoguchi::adapters::line {

// The event types of webhook.yml; anything else becomes "unsupported:<type>".
bool is_known_event_type(std::string_view type);
// The message types of webhook.yml's MessageContent.
bool is_known_message_type(std::string_view type);

// errc::json_unexpected_shape when a known field has the wrong JSON type.
[[nodiscard]] result<NormalizedMessage> normalize_event(const boost::json::object& event, const std::string& account);

}  // namespace madoguchi::adapters::line
