#pragma once
// Who may read what only the operator should: decided from the socket's peer address
// (never from Host or X-Forwarded-For, which the client writes). Pure functions, no I/O.
#include <string_view>

namespace madoguchi::http {

// True for 127.0.0.0/8, ::1 and ::ffff:127.x.y.z, parsed (not a text prefix).
bool is_loopback_peer(std::string_view address);

// GET /metrics: a loopback peer, or "Authorization: Bearer <token>" with the configured
// token (compared in constant time). An empty token admits loopback peers only.
bool metrics_allowed(std::string_view peer_address, std::string_view authorization, std::string_view token);

}  // namespace madoguchi::http
