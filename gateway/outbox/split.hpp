#pragma once
// Splitting a reply to fit a channel: each piece at most `max_units` UTF-16 code units
// (the unit LINE and other channels count text in), cut at a code point boundary and, when one is near,
// after a line break or a Japanese full stop so a sentence is not torn apart. Pure.
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::outbox {

// Non-empty pieces whose concatenation is `text`. Requires valid UTF-8 and max_units >= 2.
std::vector<std::string> split_text(std::string_view text, std::size_t max_units);

// Groups pieces into provider requests of at most `per_request` pieces each.
std::vector<std::vector<std::string>> group_requests(std::vector<std::string> pieces, std::size_t per_request);

}  // namespace madoguchi::outbox
