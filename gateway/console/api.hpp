#pragma once
// The console's HTTP surface: the JSON REST API under /api (documented in README), the
// live WebSocket /api/live, and the web UI's static files under /console/. Handlers answer
// synchronously on the server's threads (short store transactions; login also runs
// Argon2id, tens of milliseconds by design).
#include <string>
#include <vector>

#include "gateway/console/auth.hpp"
#include "gateway/console/cases.hpp"
#include "gateway/console/live.hpp"
#include "gateway/core/channel_info.hpp"
#include "gateway/http/router.hpp"

namespace madoguchi::console {

struct ApiOptions {
  bool secure_cookie = false;  // set the Secure attribute (the server speaks TLS)
  int json_max_depth = 8;
  // Served by GET /api/channels so the UI names and limits nothing itself: one entry per
  // channel type, as its adapter describes it.
  std::vector<ChannelInfo> channels;
};

class ConsoleApi {
 public:
  // GET /api/channels serves the reply limit `cases` enforces, so the UI never offers more,
  // or less, than the server takes.
  ConsoleApi(Auth& auth, Cases& cases, LiveHub& live, ApiOptions options);
  void add_routes(http::Router& router);

 private:
  Auth& auth_;
  Cases& cases_;
  LiveHub& live_;
  ApiOptions options_;
};

// The session cookie's value in a request ("" when none).
std::string session_cookie(const http::Request& request);
// The error answer for `ec`: status, code and a Japanese message.
http::Response error_for(const boost::system::error_code& ec);

}  // namespace madoguchi::console
