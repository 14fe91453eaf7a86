#pragma once
// The console's HTTP surface: the JSON REST API under /api (documented in README), the
// live WebSocket /api/live, and the web UI's static files under /console/. Handlers answer
// synchronously on the server's threads (short store transactions), except login: its
// Argon2id check runs on the API's LoginPool and answers from there.
//
// Login CSRF: /api/login takes only Content-Type application/json (which a cross-site form
// cannot send without a CORS preflight we never grant) and an Origin from the configured
// console origins. The WebSocket needs one too; changes (already bound to the session's CSRF
// token) are refused for any other Origin, and pass without one.
#include <memory>
#include <string>
#include <vector>

#include "gateway/console/auth.hpp"
#include "gateway/console/cases.hpp"
#include "gateway/console/errors.hpp"
#include "gateway/console/live.hpp"
#include "gateway/console/request_bodies.hpp"
#include "gateway/console/templates.hpp"
#include "gateway/console/login_pool.hpp"
#include "gateway/core/channel_info.hpp"
#include "gateway/http/router.hpp"

namespace madoguchi::console {

struct ApiOptions {
  bool secure_cookie = false;  // set the Secure attribute (the server speaks TLS)
  int json_max_depth = kDefaultJsonMaxDepth;
  // Served by GET /api/channels so the UI names and limits nothing itself: one entry per
  // channel type, as its adapter describes it.
  std::vector<ChannelInfo> channels;
  // Browser origins of the console ("https://console.example.jp", normalized by
  // normalize_origin): a request with another Origin is refused. Set with allow_origins()
  // once the listener's address is known, or from [console] origins.
  std::vector<std::string> origins;
  int login_threads = 1;             // Argon2id checks at once (64 MiB each)
  std::size_t login_queue = 16;      // waiting beyond that: 503
  int login_per_address_per_minute = 30;
};

class ConsoleApi {
 public:
  // GET /api/channels serves the reply limit `cases` enforces, so the UI never offers more,
  // or less, than the server takes.
  ConsoleApi(Auth& auth, Cases& cases, Templates& templates, LiveHub& live, ApiOptions options);
  void add_routes(http::Router& router);
  // Adds console origins (normalized; invalid ones are ignored). Before the server runs.
  void allow_origins(const std::vector<std::string>& origins);
  // Runs the logins still queued (each answers its request) and joins the pool; logins
  // after it answer 503. After the server has stopped accepting, before it is destroyed.
  void stop();

 private:
  using Body = std::function<result<boost::json::object>(const Staff&, std::int64_t id, const boost::json::object& body)>;
  // A handler that answers only a logged-in staff member; `changes`: also the CSRF token,
  // an allowed Origin and a JSON object body; `with_id`: the path's {id}.
  http::Handler authed(bool changes, bool with_id, unsigned ok_status, Body body);
  void add_template_routes(http::Router& router);  // api_templates.cpp

  Auth& auth_;
  Cases& cases_;
  Templates& templates_;
  LiveHub& live_;
  ApiOptions options_;
  LoginThrottle throttle_;
  std::unique_ptr<LoginPool> login_pool_;  // last: its destructor still answers queued logins
};

// The session cookie's value in a request ("" when none).
std::string session_cookie(const http::Request& request);

}  // namespace madoguchi::console
