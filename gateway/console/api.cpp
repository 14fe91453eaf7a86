#include "gateway/console/api.hpp"

#include <boost/json/serialize.hpp>
#include <boost/url/parse_query.hpp>


#include "crypto/chain_hash.hpp"
#include "gateway/console/assets.hpp"
#include "gateway/console/labels.hpp"
#include "gateway/console/origin.hpp"
#include "gateway/console/request_bodies.hpp"

namespace madoguchi::console {
namespace json = boost::json;

namespace {

constexpr std::string_view kCookie = "madoguchi_session";

http::Response json_response(unsigned status, const json::object& body) {
  return {status, "application/json; charset=utf-8", json::serialize(body), {}};
}

std::optional<std::int64_t> path_id(const http::RouteParams& params) {
  auto it = params.find("id");
  if (it == params.end() || it->second.empty() || it->second.size() > 15) return std::nullopt;
  std::int64_t v = 0;
  for (char c : it->second) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v > 0 ? std::optional(v) : std::nullopt;
}

// A record id in a path ({message_id}): 32 lower-case hex digits (crypto::random_id).
std::optional<std::string> path_record_id(const http::RouteParams& params, std::string_view name) {
  auto it = params.find(name);
  if (it == params.end() || it->second.size() != 32) return std::nullopt;
  for (char c : it->second)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  return it->second;
}

json::object login_body(const Staff& s, const std::vector<json::object>& windows) {
  json::array w;
  for (const auto& item : windows) w.push_back(item);
  return {{"user", json::object{{"username", s.username}, {"role", s.role}, {"windows", std::move(w)}}},
          {"csrf_token", s.csrf_token}};
}

// The caller's own windows, as {"id","name"} objects.
std::vector<json::object> own_windows(Cases& cases, const Staff& s) {
  std::vector<json::object> mine;
  auto windows = cases.windows(s);
  if (!windows) return mine;
  for (auto& w : windows->at("windows").as_array())
    for (auto id : s.window_ids)
      if (w.as_object().at("id").as_int64() == id) mine.push_back(w.as_object());
  return mine;
}

// "application/json", with parameters allowed ("; charset=utf-8"), nothing else.
bool json_content_type(std::string_view value) {
  const auto semi = value.find(';');
  auto type = value.substr(0, semi);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  std::string lower(type);
  for (auto& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return lower == "application/json";
}

http::Response busy_response(std::string_view seconds) {
  auto res = http::error_response(503, "busy", "ただいま混み合っています。少し待ってからもう一度お試しください。");
  res.headers.emplace_back("Retry-After", std::string(seconds));
  return res;
}

// GET /api/channels: what the UI shows for each channel type, and the reply limit.
json::object channels_body(const ApiOptions& options, std::size_t reply_max_chars) {
  json::array channels;
  for (const auto& c : options.channels)
    channels.push_back(json::object{{"type", c.type}, {"label", c.label_ja}, {"message_max_units", c.message_max_units}});
  return {{"channels", std::move(channels)}, {"reply_max_chars", reply_max_chars}};
}

}  // namespace

ConsoleApi::ConsoleApi(Auth& auth, Cases& cases, Templates& templates, LiveHub& live, ApiOptions options)
    : auth_(auth), cases_(cases), templates_(templates), live_(live), options_(std::move(options)),
      throttle_(options_.login_per_address_per_minute),
      login_pool_(std::make_unique<LoginPool>(options_.login_threads, options_.login_queue)) {
  auto given = std::move(options_.origins);
  options_.origins.clear();
  allow_origins(given);
}

void ConsoleApi::stop() { login_pool_.reset(); }

void ConsoleApi::allow_origins(const std::vector<std::string>& origins) {
  for (const auto& o : origins)
    if (auto n = normalize_origin(o)) options_.origins.push_back(*n);
}

std::string session_cookie(const http::Request& request) {
  for (const auto& [name, value] : request.headers) {
    if (name != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      auto semi = rest.find(';');
      auto part = rest.substr(0, semi);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      if (part.size() > kCookie.size() && part.substr(0, kCookie.size()) == kCookie && part[kCookie.size()] == '=')
        return std::string(part.substr(kCookie.size() + 1));
      if (semi == std::string_view::npos) break;
      rest.remove_prefix(semi + 1);
    }
  }
  return {};
}

// An authenticated handler: session first, then (for changes) the CSRF token, then the body.
http::Handler ConsoleApi::authed(bool changes, bool with_id, unsigned ok_status, Body body) {
  return [this, changes, with_id, ok_status, body = std::move(body)](http::Request&& r, const http::RouteParams& p,
                                                                     http::Respond respond) {
    auto staff = auth_.authenticate(session_cookie(r));
    if (!staff) return respond(error_for(staff.error()));
    if (changes && (!crypto::equal_constant_time(r.header("x-csrf-token"), staff->csrf_token) ||
                    !origin_allowed(r.header("origin"), options_.origins)))
      return respond(error_for(errc::csrf_failed));
    std::int64_t id = 0;
    if (with_id) {
      auto parsed = path_id(p);
      if (!parsed) return respond(error_for(errc::not_found));
      id = *parsed;
    }
    json::object input;
    if (changes) {
      auto v = read_object_body(r.body, options_.json_max_depth);
      if (!v) return respond(error_for(v.error()));
      input = std::move(*v);
    }
    auto out = body(*staff, id, input);
    respond(out ? json_response(ok_status, *out) : error_for(out.error()));
  };
}

void ConsoleApi::add_routes(http::Router& router) {
  auto text_of = [](const json::object& b, std::string_view key) { return read_text(b, key); };

  router.add("POST", "/api/login", [this](http::Request&& r, const http::RouteParams&, http::Respond respond) {
    if (!json_content_type(r.header("content-type")) ||
        !origin_present_and_allowed(r.header("origin"), options_.origins))
      return respond(error_for(errc::csrf_failed));
    auto read = read_login(r.body, options_.json_max_depth);
    if (!read) return respond(error_for(read.error()));
    if (!throttle_.allow(r.remote_address, auth_.now_ms())) return respond(busy_response("60"));
    LoginAttempt attempt = std::move(*read);
    // `respond` is shared: submit() drops the task (and its copy) when the queue is full.
    auto answer = std::make_shared<http::Respond>(std::move(respond));
    const bool queued = login_pool_ && login_pool_->submit([this, attempt = std::move(attempt), answer] {
      std::int64_t retry_after_ms = 0;
      auto ok = auth_.login(attempt, retry_after_ms);
      if (!ok) {
        if (ok.error() == errc::account_locked) {
          const auto seconds = (retry_after_ms + 999) / 1000;
          auto res = json_response(429, {{"error", "locked"},
                                         {"message", "ログインの失敗が続いたため、一時的にロックしています。しばらくしてからお試しください。"},
                                         {"retry_after_s", seconds}});
          res.headers.emplace_back("Retry-After", std::to_string(seconds));
          return (*answer)(std::move(res));
        }
        return (*answer)(error_for(ok.error()));
      }
      auto res = json_response(200, login_body(ok->staff, own_windows(cases_, ok->staff)));
      res.headers.emplace_back("Set-Cookie", std::string(kCookie) + "=" + ok->token + "; Path=/; HttpOnly; SameSite=Strict" +
                                                 (options_.secure_cookie ? "; Secure" : ""));
      (*answer)(std::move(res));
    });
    if (!queued) (*answer)(busy_response("1"));
  });
  router.add("POST", "/api/logout", [this](http::Request&& r, const http::RouteParams&, http::Respond respond) {
    const auto token = session_cookie(r);
    auto staff = auth_.authenticate(token);
    if (!staff) return respond(error_for(staff.error()));
    if (!crypto::equal_constant_time(r.header("x-csrf-token"), staff->csrf_token) ||
        !origin_allowed(r.header("origin"), options_.origins))
      return respond(error_for(errc::csrf_failed));
    if (auto done = auth_.logout(token, *staff); !done) return respond(error_for(done.error()));
    http::Response res{204, "application/json", "", {}};
    res.headers.emplace_back("Set-Cookie", std::string(kCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    respond(std::move(res));
  });
  router.add("GET", "/api/session", authed(false, false, 200, [this](const Staff& s, std::int64_t, const json::object&) -> result<json::object> {
    return login_body(s, own_windows(cases_, s));
  }));
  router.add("GET", "/api/channels", authed(false, false, 200, [this](const Staff&, std::int64_t, const json::object&) -> result<json::object> {
    return channels_body(options_, cases_.reply_max_chars());
  }));
  router.add("GET", "/api/windows", authed(false, false, 200, [this](const Staff& s, std::int64_t, const json::object&) {
    return cases_.windows(s);
  }));
  router.add("GET", "/api/staff", authed(false, false, 200, [this](const Staff& s, std::int64_t, const json::object&) {
    return cases_.staff_list(s);
  }));
  router.add("GET", "/api/conversations", [this](http::Request&& r, const http::RouteParams&, http::Respond respond) {
    auto staff = auth_.authenticate(session_cookie(r));
    if (!staff) return respond(error_for(staff.error()));
    QueueQuery q;
    auto params = boost::urls::parse_query(r.query);
    if (!params) return respond(error_for(errc::invalid_input));
    for (auto param : *params) {
      auto key = param.key.decode();
      auto value = param.has_value ? param.value.decode() : std::string();
      if (key == "window" && !value.empty()) {
        http::RouteParams fake{{"id", value}};
        auto id = path_id(fake);
        if (!id) return respond(error_for(errc::invalid_input));
        q.window_id = *id;
      } else if (key == "status" && !value.empty()) {
        q.status = value;
      } else if (key == "urgency" && !value.empty()) {
        q.urgency = urgency_level(value);
        if (!q.urgency) return respond(error_for(errc::invalid_input));
      } else if (key == "mine") {
        q.mine = value == "1" || value == "true";
      } else if (key == "contact") {
        q.contact = value;
      } else if (key == "tag") {
        q.tag = value;
      } else if (key == "from") {
        q.from = value;
      } else if (key == "to") {
        q.to = value;
      }
    }
    auto out = cases_.queue(*staff, q);
    respond(out ? json_response(200, *out) : error_for(out.error()));
  });
  router.add("GET", "/api/conversations/{id}", authed(false, true, 200, [this](const Staff& s, std::int64_t id, const json::object&) {
    return cases_.conversation(s, id);
  }));
  router.add("GET", "/api/conversations/{id}/messages", authed(false, true, 200, [this](const Staff& s, std::int64_t id, const json::object&) {
    return cases_.messages(s, id);
  }));
  // A media message's stored content: a download only (never shown inline), never cached,
  // under the same access rule as the messages; every download is an audit event.
  router.add("GET", "/api/conversations/{id}/messages/{message_id}/media",
             [this](http::Request&& r, const http::RouteParams& p, http::Respond respond) {
    auto staff = auth_.authenticate(session_cookie(r));
    if (!staff) return respond(error_for(staff.error()));
    auto id = path_id(p);
    auto message_id = path_record_id(p, "message_id");
    if (!id || !message_id) return respond(error_for(errc::not_found));
    auto file = cases_.media(*staff, *id, *message_id);
    if (!file) return respond(error_for(file.error()));
    http::Response res{200, file->content_type, std::move(file->content), {}};
    res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file->filename + "\"");
    res.headers.emplace_back("Cache-Control", "no-store");
    res.headers.emplace_back("X-Content-Type-Options", "nosniff");
    res.headers.emplace_back("Content-Security-Policy", "default-src 'none'; sandbox");
    respond(std::move(res));
  });
  router.add("POST", "/api/conversations/{id}/replies", authed(true, true, 202, [this, text_of](const Staff& s, std::int64_t id, const json::object& b) -> result<json::object> {
    auto text = text_of(b, "text");
    if (!text) return text.error();
    return cases_.reply(s, id, *text);
  }));
  router.add("POST", "/api/conversations/{id}/notes", authed(true, true, 201, [this, text_of](const Staff& s, std::int64_t id, const json::object& b) -> result<json::object> {
    auto text = text_of(b, "text");
    if (!text) return text.error();
    return cases_.note(s, id, *text);
  }));
  router.add("POST", "/api/conversations/{id}/claim", authed(true, true, 200, [this](const Staff& s, std::int64_t id, const json::object&) {
    return cases_.claim(s, id);
  }));
  router.add("POST", "/api/conversations/{id}/assign", authed(true, true, 200, [this, text_of](const Staff& s, std::int64_t id, const json::object& b) -> result<json::object> {
    auto user = text_of(b, "username");
    if (!user) return user.error();
    return cases_.assign(s, id, *user);
  }));
  router.add("POST", "/api/conversations/{id}/release", authed(true, true, 200, [this](const Staff& s, std::int64_t id, const json::object&) {
    return cases_.release(s, id);
  }));
  router.add("POST", "/api/conversations/{id}/transfer", authed(true, true, 200, [this, text_of](const Staff& s, std::int64_t id, const json::object& b) -> result<json::object> {
    auto t = read_transfer(b);
    if (!t) return t.error();
    return cases_.transfer(s, id, t->window_id, t->note);
  }));
  router.add("POST", "/api/conversations/{id}/urgency", authed(true, true, 200, [this, text_of](const Staff& s, std::int64_t id, const json::object& b) -> result<json::object> {
    auto u = read_urgency(b);
    if (!u) return u.error();
    return cases_.set_urgency(s, id, u->urgency, u->reason);
  }));
  router.add("PUT", "/api/conversations/{id}/case", authed(true, true, 200, [this](const Staff& s, std::int64_t id, const json::object& b) -> result<json::object> {
    auto u = read_case_update(b);
    if (!u) return u.error();
    return cases_.update_case(s, id, *u);
  }));
  router.add("POST", "/api/conversations/{id}/contacts", authed(true, true, 201, [this, text_of](const Staff& s, std::int64_t id, const json::object& b) -> result<json::object> {
    auto k = read_contact(b);
    if (!k) return k.error();
    return cases_.record_contact(s, id, *k);
  }));
  router.add("POST", "/api/conversations/{id}/close", authed(true, true, 200, [this](const Staff& s, std::int64_t id, const json::object&) {
    return cases_.set_status(s, id, "closed");
  }));
  router.add("POST", "/api/conversations/{id}/reopen", authed(true, true, 200, [this](const Staff& s, std::int64_t id, const json::object&) {
    return cases_.set_status(s, id, "open");
  }));

  router.add_websocket("/api/live", [this](const http::Request& r, std::shared_ptr<http::WsConnection> connection)
                                        -> std::variant<http::Response, http::WsSession> {
    if (!origin_present_and_allowed(r.header("origin"), options_.origins)) return error_for(errc::csrf_failed);
    auto staff = auth_.authenticate(session_cookie(r));
    if (!staff) return error_for(staff.error());
    if (staff->role == "admin") return error_for(errc::admin_no_cases);
    return live_.attach(std::move(*staff), std::move(connection));
  });
  add_template_routes(router);
  add_asset_routes(router);
}

}  // namespace madoguchi::console
