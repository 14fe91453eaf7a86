// libFuzzer: the console API's request bodies (gateway/console/request_bodies.hpp, as
// api.cpp reads them) on arbitrary bytes, each input read as every body the API takes:
// login, and a change's object then replies/notes/assign, transfer, urgency, case, contacts.
// A refusal must be the API's 400 with a JSON {"error", "message"} body in Japanese, never
// a 5xx; what is accepted must be what the JSON says, as valid UTF-8, within the limits.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "adapters/common/json.hpp"
#include "gateway/console/errors.hpp"
#include "gateway/console/request_bodies.hpp"
#include "gateway/core/utf8.hpp"

using namespace madoguchi;
namespace json = boost::json;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

// Bad input is the client's fault: 400 (never 5xx), {"error": code, "message": 日本語}.
void require_refused(const boost::system::error_code& ec) {
  const auto res = console::error_for(ec);
  require(res.status == 400);
  require(res.content_type.rfind("application/json", 0) == 0);
  boost::system::error_code parse_ec;
  const auto body = json::parse(res.body, parse_ec);
  require(!parse_ec && body.is_object());
  const auto* code = body.as_object().if_contains("error");
  const auto* message = body.as_object().if_contains("message");
  require(code && code->is_string() && !code->as_string().empty());
  require(message && message->is_string() && utf8::valid(message->as_string()));
  // Japanese first: the message starts with a non-ASCII character.
  require(!message->as_string().empty() && static_cast<unsigned char>(message->as_string()[0]) >= 0x80);
}

// A string the API accepted: valid UTF-8, and the member's value as JSON has it.
void require_member(const json::object& o, std::string_view key, const std::string& value) {
  require(utf8::valid(value));
  const auto* v = o.if_contains(key);
  require(v && v->is_string() && v->as_string() == value);
}

void require_optional_member(const json::object& o, std::string_view key, const std::optional<std::string>& value) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return require(!value);
  require(value.has_value());
  require_member(o, key, *value);
}

// The same value, except that doubles may differ in their last digits: Boost.JSON 1.81
// does not parse numbers with correct rounding (-9223372036856775808 reads one step off),
// so a double written out and read again can move by an ulp or so.
bool same(const json::value& a, const json::value& b) {
  if (a.is_double() && b.is_double()) {
    const double x = a.as_double(), y = b.as_double();
    return x == y || std::fabs(x - y) <= 1e-12 * std::max(std::fabs(x), std::fabs(y));
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_object()) {
    if (a.as_object().size() != b.as_object().size()) return false;
    for (const auto& m : a.as_object()) {
      const auto* other = b.as_object().if_contains(m.key());
      if (!other || !same(m.value(), *other)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.as_array().size() != b.as_array().size()) return false;
    for (std::size_t i = 0; i < a.as_array().size(); ++i)
      if (!same(a.as_array()[i], b.as_array()[i])) return false;
    return true;
  }
  return a == b;
}

std::size_t depth(const json::value& v) {
  std::size_t inner = 0;
  if (v.is_object())
    for (const auto& m : v.as_object()) inner = std::max(inner, depth(m.value()));
  else if (v.is_array())
    for (const auto& e : v.as_array()) inner = std::max(inner, depth(e));
  else
    return 0;
  return inner + 1;
}

void check_login(std::string_view body, int max_depth) {
  auto login = console::read_login(body, max_depth);
  if (!login) return require_refused(login.error());
  require(login->username.size() <= console::kMaxUsernameBytes && login->password.size() <= console::kMaxPasswordBytes);
  require(utf8::valid(login->username) && utf8::valid(login->password) && utf8::valid(login->totp));
}

void check_change(std::string_view body, int max_depth) {
  auto read = console::read_object_body(body, max_depth);
  if (!read) return require_refused(read.error());
  const json::object& o = *read;
  if (body.empty()) require(o.empty());
  require(depth(o) <= static_cast<std::size_t>(max_depth));
  // What was accepted is well-formed: written out and read again, it is the same object.
  auto again = adapters::parse_untrusted_json(json::serialize(o), {max_depth});
  require(again && same(*again, json::value(o)));

  if (auto text = console::read_text(o, "text")) require_member(o, "text", *text);
  else require_refused(text.error());

  if (auto t = console::read_transfer(o)) {
    const auto* w = o.if_contains("window_id");
    require(w && w->is_int64() && w->as_int64() == t->window_id);
    require_member(o, "note", t->note);
  } else {
    require_refused(t.error());
  }

  if (auto u = console::read_urgency(o)) {
    require_member(o, "urgency", u->urgency);
    require_member(o, "reason", u->reason);
  } else {
    require_refused(u.error());
  }

  if (auto c = console::read_case_update(o)) {
    require_optional_member(o, "writer", c->writer);
    require_optional_member(o, "age_band", c->age_band);
    require_optional_member(o, "household", c->household);
    require_optional_member(o, "consent", c->consent);
  } else {
    require_refused(c.error());
  }

  if (auto k = console::read_contact(o)) {
    require_member(o, "method", k->method);
    require_member(o, "date", k->date);
    const auto* m = o.if_contains("duration_minutes");
    require(m && m->is_int64() && m->as_int64() == k->duration_minutes);
    const auto* note = o.if_contains("note");
    if (!note || note->is_null()) require(k->note.empty());
    else require_member(o, "note", k->note);
  } else {
    require_refused(k.error());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr int max_depth = console::kDefaultJsonMaxDepth;  // what the gateway runs with
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  check_login(body, max_depth);
  check_change(body, max_depth);
  return 0;
}
