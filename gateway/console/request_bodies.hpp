#pragma once
// The console API's JSON request bodies, read into typed values. api.cpp calls these after
// the session and CSRF checks; they are pure (no store, no session, any thread) so that
// tests/fuzz/console_json_fuzz reads bodies exactly as the API does. Every refusal is
// errc::invalid_input or one of parse_untrusted_json's json_* codes: 400 through error_for.
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/core/errc.hpp"

namespace madoguchi::console {

struct LoginAttempt {
  std::string username, password, totp;
};

// Partial update of the case fields: absent members stay as they are.
struct CaseUpdate {
  std::optional<std::string> writer, age_band, household, consent;
};

struct ContactRecord {
  std::string method, date, note;  // date: YYYY-MM-DD
  std::int64_t duration_minutes = 0;
};

struct TransferRequest {
  std::int64_t window_id = 0;
  std::string note;
};

struct UrgencyRequest {
  std::string urgency, reason;
};

// How deep a request body may nest (ApiOptions::json_max_depth unless configured).
inline constexpr int kDefaultJsonMaxDepth = 8;
inline constexpr std::size_t kMaxUsernameBytes = 64;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// POST /api/login: {"username", "password", "totp"?}; any fault is invalid_input (a login
// answer says nothing about which part was wrong).
[[nodiscard]] result<LoginAttempt> read_login(std::string_view body, int max_depth);

// The body of a change: {} when empty, else a JSON object within the limits.
[[nodiscard]] result<boost::json::object> read_object_body(std::string_view body, int max_depth);

// A required string member (replies and notes: "text"; assign: "username").
[[nodiscard]] result<std::string> read_text(const boost::json::object& body, std::string_view key);
[[nodiscard]] result<TransferRequest> read_transfer(const boost::json::object& body);
[[nodiscard]] result<UrgencyRequest> read_urgency(const boost::json::object& body);
[[nodiscard]] result<CaseUpdate> read_case_update(const boost::json::object& body);
[[nodiscard]] result<ContactRecord> read_contact(const boost::json::object& body);

}  // namespace madoguchi::console
