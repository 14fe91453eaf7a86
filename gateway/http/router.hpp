#pragma once
// Routes requests by method and path pattern ("/webhooks/line/{account}") to handlers.
// No Asio or Beast here: handlers answer through a callback, so handler libraries stay
// light to compile and can answer from any thread (for example the store's writer thread
// once a commit is durable).
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace madoguchi::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded path, without the query
  std::string query;   // the raw (still percent-encoded) query, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  std::string body;    // raw bytes as received
  std::string remote_address;  // the peer's IP address as the socket reports it (no proxy headers)
  bool tls = false;            // the request came over TLS

  // How many times a field occurs (for fields that must occur once).
  std::size_t header_count(std::string_view lower_name) const {
    std::size_t n = 0;
    for (const auto& field : headers) n += field.first == lower_name;
    return n;
  }

  std::string_view header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers)
      if (name == lower_name) return value;
    return {};
  }
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Values of the {name} segments of the matched pattern.
using RouteParams = std::map<std::string, std::string, std::less<>>;

// Must be called exactly once, from any thread.
using Respond = std::function<void(Response)>;
using Handler = std::function<void(Request&& request, const RouteParams& params, Respond respond)>;

// {"error": code, "message": text} with the given status.
Response error_response(unsigned status, std::string_view code, std::string_view message);

// One accepted WebSocket connection, implemented by the server. Thread-safe.
class WsConnection {
 public:
  virtual ~WsConnection() = default;
  // Queues a text frame. A reader that falls more than the server's queue cap behind is
  // disconnected rather than buffered without bound.
  virtual void send(std::string text) = 0;
  virtual void close() = 0;
};

// What an accepting WebSocket handler returns; called on the connection's strand.
struct WsSession {
  std::function<void(std::string_view text)> on_text;  // may be empty
  std::function<void()> on_close;                      // may be empty; called once
};

// Either a refusal (an HTTP answer, no upgrade) or an accepted session.
using WsHandler = std::function<std::variant<Response, WsSession>(const Request& upgrade,
                                                                  std::shared_ptr<WsConnection> connection)>;

class Router {
 public:
  // `name` labels metrics (the pattern itself is a good name: no ids in labels).
  void add(std::string method, std::string pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null: see status
    RouteParams params;
    std::string route;  // the pattern, or "unmatched"
    unsigned status = 404;  // 404 unknown path, 405 known path with another method
  };
  Match match(std::string_view method, std::string_view path) const;

  // WebSocket endpoints (GET with Upgrade: websocket), matched on the exact path.
  void add_websocket(std::string path, WsHandler handler);
  const WsHandler* match_websocket(std::string_view path) const;

 private:
  std::vector<std::pair<std::string, WsHandler>> websockets_;
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" matches one non-empty segment
    std::string pattern;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace madoguchi::http
