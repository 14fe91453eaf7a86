// The 定型文 routes of the console API (gateway/console/templates.hpp):
//   GET    /api/templates                     manage (all) or see (a counselor's) templates
//   POST   /api/templates                     {title, body, window_id|null}  supervisors, admins
//   PUT    /api/templates/{id}                the same fields
//   DELETE /api/templates/{id}
//   GET    /api/conversations/{id}/templates  the ones for its window, placeholders filled
#include "gateway/console/api.hpp"

namespace madoguchi::console {
namespace json = boost::json;

namespace {

// {title, body, window_id}: window_id null or absent means every window.
result<TemplateInput> read_template(const json::object& b) {
  auto title = read_text(b, "title");
  auto body = read_text(b, "body");
  if (!title || !body) return errc::invalid_input;
  TemplateInput in{std::move(*title), std::move(*body), std::nullopt};
  if (const auto* w = b.if_contains("window_id"); w && !w->is_null()) {
    if (!w->is_int64() || w->as_int64() <= 0) return errc::invalid_input;
    in.window_id = w->as_int64();
  }
  return in;
}

}  // namespace

void ConsoleApi::add_template_routes(http::Router& router) {
  router.add("GET", "/api/templates", authed(false, false, 200, [this](const Staff& s, std::int64_t, const json::object&) {
    return templates_.list(s);
  }));
  router.add("POST", "/api/templates", authed(true, false, 201, [this](const Staff& s, std::int64_t, const json::object& b) -> result<json::object> {
    auto in = read_template(b);
    if (!in) return in.error();
    return templates_.create(s, *in);
  }));
  router.add("PUT", "/api/templates/{id}", authed(true, true, 200, [this](const Staff& s, std::int64_t id, const json::object& b) -> result<json::object> {
    auto in = read_template(b);
    if (!in) return in.error();
    return templates_.update(s, id, *in);
  }));
  router.add("DELETE", "/api/templates/{id}", authed(true, true, 200, [this](const Staff& s, std::int64_t id, const json::object&) {
    return templates_.remove(s, id);
  }));
  router.add("GET", "/api/conversations/{id}/templates", authed(false, true, 200, [this](const Staff& s, std::int64_t id, const json::object&) -> result<json::object> {
    auto window = cases_.window_of(s, id);
    if (!window) return window.error();
    return templates_.for_window(s, window->first, window->second);
  }));
}

}  // namespace madoguchi::console
