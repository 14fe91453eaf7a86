#pragma once
// Parsing untrusted JSON with Boost.JSON under explicit limits: depth, valid UTF-8 and no
// duplicate keys (a duplicate could make two readers see different values).
#include <boost/json/value.hpp>
#include <string_view>

#include "gateway/core/errc.hpp"

namespace madoguchi::adapters {

struct JsonLimits {
  int max_depth = 32;
};

// errc::json_malformed, json_too_deep, json_invalid_utf8, json_duplicate_key.
[[nodiscard]] result<boost::json::value> parse_untrusted_json(std::string_view text, JsonLimits limits = {});

}  // namespace madoguchi::adapters
