#include "gateway/console/origin.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>

namespace madoguchi::console {
namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}
}  // namespace

std::optional<std::string> normalize_origin(std::string_view origin) {
  auto url = boost::urls::parse_absolute_uri(origin);
  if (!url || url->has_userinfo() || !url->encoded_path().empty() || url->has_query() || !url->has_authority())
    return std::nullopt;
  const auto scheme = lower(url->scheme());
  if (scheme != "http" && scheme != "https") return std::nullopt;
  const auto host = lower(url->encoded_host());
  if (host.empty()) return std::nullopt;
  std::string port = url->has_port() ? std::string(url->port()) : "";
  if ((scheme == "http" && port == "80") || (scheme == "https" && port == "443")) port.clear();
  if (url->has_port() && port.empty() && url->port().empty()) return std::nullopt;  // "host:" with no number
  return scheme + "://" + host + (port.empty() ? "" : ":" + port);
}

bool origin_allowed(std::string_view origin, const std::vector<std::string>& allowed) {
  if (origin.empty()) return true;
  auto normalized = normalize_origin(origin);
  return normalized && std::find(allowed.begin(), allowed.end(), *normalized) != allowed.end();
}

bool origin_present_and_allowed(std::string_view origin, const std::vector<std::string>& allowed) {
  return !origin.empty() && origin_allowed(origin, allowed);
}

}  // namespace madoguchi::console
