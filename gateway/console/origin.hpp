#pragma once
// Browser origins (scheme, host, port) as the console compares them: the Origin a browser
// sends must be one of the configured console origins. Never the request's own Host
// header: an attacker's page controls both Host (DNS rebinding) and Origin, so comparing
// the two proves nothing. Parsed with Boost.URL, not by hand.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::console {

// "scheme://host[:port]" in lower case with the scheme's default port dropped, or nullopt
// for anything that is not an http(s) origin (a path, user info, "null", garbage).
std::optional<std::string> normalize_origin(std::string_view origin);

// True when `origin` (a request's Origin header) is one of `allowed` (normalized). An
// absent Origin is no browser's cross-site request (browsers send Origin on every
// cross-origin POST and every WebSocket), so it passes; "null" and anything else do not.
bool origin_allowed(std::string_view origin, const std::vector<std::string>& allowed);

// For login and the live WebSocket, which only the console's own pages reach: browsers send
// Origin with both, so an absent Origin is refused too (a login CSRF from an old browser or a
// privacy extension that strips Origin finds no way in).
bool origin_present_and_allowed(std::string_view origin, const std::vector<std::string>& allowed);

}  // namespace madoguchi::console
