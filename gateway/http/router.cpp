#include "gateway/http/router.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace madoguchi::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') return out;
  path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

Response error_response(unsigned status, std::string_view code, std::string_view message) {
  Response r;
  r.status = status;
  r.body = boost::json::serialize(boost::json::object{{"error", code}, {"message", message}});
  return r;
}

void Router::add(std::string method, std::string pattern, Handler handler) {
  Route route{std::move(method), {}, pattern, std::move(handler)};
  for (auto s : split_path(pattern)) route.segments.emplace_back(s);
  routes_.push_back(std::move(route));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  result.route = "unmatched";
  const auto segments = split_path(path);
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    RouteParams params;
    bool ok = true;
    for (std::size_t i = 0; i < segments.size() && ok; ++i) {
      if (is_param(route.segments[i])) {
        if (segments[i].empty()) ok = false;
        else params.emplace(route.segments[i].substr(1, route.segments[i].size() - 2), segments[i]);
      } else {
        ok = route.segments[i] == segments[i];
      }
    }
    if (!ok) continue;
    if (route.method != method) {
      result.status = 405;
      result.route = route.pattern;
      continue;
    }
    result.handler = &route.handler;
    result.params = std::move(params);
    result.route = route.pattern;
    result.status = 200;
    return result;
  }
  return result;
}

void Router::add_websocket(std::string path, WsHandler handler) {
  websockets_.emplace_back(std::move(path), std::move(handler));
}

const WsHandler* Router::match_websocket(std::string_view path) const {
  for (const auto& [p, handler] : websockets_)
    if (p == path) return &handler;
  return nullptr;
}

}  // namespace madoguchi::http
