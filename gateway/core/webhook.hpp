#pragma once
// The parts of an HTTP webhook request an adapter may look at. The body is the
// raw bytes exactly as received: signatures are computed over them.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace madoguchi {

struct WebhookRequest {
  std::string account;  // from the URL: /webhooks/<channel>/<account>
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  std::string body;
  std::string query;  // the raw (still percent-encoded) query, without '?'

  // First header with this lower-case name, or empty.
  std::string_view header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers)
      if (name == lower_name) return value;
    return {};
  }
};

}  // namespace madoguchi
