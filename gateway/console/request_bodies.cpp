#include "gateway/console/request_bodies.hpp"

#include "adapters/common/json.hpp"

namespace madoguchi::console {
namespace json = boost::json;

namespace {

// A string member: nullopt when absent or null; invalid_input when present with another type.
result<std::optional<std::string>> string_member(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) return errc::invalid_input;
  return std::optional<std::string>{std::string(v->as_string())};
}

result<std::int64_t> required_int(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_int64()) return errc::invalid_input;
  return v->as_int64();
}

}  // namespace

result<std::string> read_text(const json::object& o, std::string_view key) {
  auto v = string_member(o, key);
  if (!v) return v.error();
  if (!*v) return errc::invalid_input;
  return std::move(**v);
}

result<LoginAttempt> read_login(std::string_view body, int max_depth) {
  auto v = adapters::parse_untrusted_json(body, {max_depth});
  if (!v || !v->is_object()) return errc::invalid_input;
  const auto& o = v->as_object();
  auto user = read_text(o, "username");
  auto password = read_text(o, "password");
  auto totp = string_member(o, "totp");
  if (!user || !password || !totp || user->size() > kMaxUsernameBytes || password->size() > kMaxPasswordBytes)
    return errc::invalid_input;
  return LoginAttempt{std::move(*user), std::move(*password), totp->value_or("")};
}

result<json::object> read_object_body(std::string_view body, int max_depth) {
  if (body.empty()) return json::object{};
  auto v = adapters::parse_untrusted_json(body, {max_depth});
  if (!v) return v.error();
  if (!v->is_object()) return errc::invalid_input;
  return std::move(v->as_object());
}

result<TransferRequest> read_transfer(const json::object& o) {
  auto window = required_int(o, "window_id");
  auto note = read_text(o, "note");
  if (!window) return window.error();
  if (!note) return note.error();
  return TransferRequest{*window, std::move(*note)};
}

result<UrgencyRequest> read_urgency(const json::object& o) {
  auto urgency = read_text(o, "urgency");
  auto reason = read_text(o, "reason");
  if (!urgency) return urgency.error();
  if (!reason) return reason.error();
  return UrgencyRequest{std::move(*urgency), std::move(*reason)};
}

result<CaseUpdate> read_case_update(const json::object& o) {
  CaseUpdate u;
  for (auto [key, field] : {std::pair{"writer", &u.writer}, {"age_band", &u.age_band}, {"household", &u.household},
                            {"consent", &u.consent}}) {
    auto v = string_member(o, key);
    if (!v) return v.error();
    *field = std::move(*v);
  }
  return u;
}

result<ContactRecord> read_contact(const json::object& o) {
  auto method = read_text(o, "method");
  auto date = read_text(o, "date");
  auto minutes = required_int(o, "duration_minutes");
  auto note = string_member(o, "note");
  if (!method || !date || !minutes || !note) return errc::invalid_input;
  return ContactRecord{std::move(*method), std::move(*date), note->value_or(""), *minutes};
}

}  // namespace madoguchi::console
