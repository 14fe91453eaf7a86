#pragma once
// The project's error codes, registered with boost::system so they travel in
// boost::system::result<T> and error_code alike. Values are stable: they appear
// in logs and metrics, so never renumber.
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <type_traits>

namespace madoguchi {

enum class errc {
  ok = 0,
  // Webhook authentication and size.
  signature_missing = 1,
  signature_invalid = 2,
  body_too_large = 3,
  headers_too_large = 4,
  // Untrusted JSON.
  json_malformed = 10,
  json_too_deep = 11,
  json_invalid_utf8 = 12,
  json_duplicate_key = 13,
  json_unexpected_shape = 14,
  // Routing.
  unknown_account = 20,
  // Store.
  store_busy = 30,
  store_failed = 31,
  // Crypto and keys.
  decrypt_failed = 40,
  key_file_invalid = 41,
  passphrase_wrong = 42,
  key_missing = 43,
  // Configuration.
  config_invalid = 50,
  // Outbound HTTP to providers.
  upstream_connect_failed = 60,  // nothing was sent
  upstream_timeout = 61,         // no complete answer in time
  upstream_protocol = 62,        // malformed answer (or an oversized header block)
  upstream_too_large = 63,       // the answer body is larger than the request's limit
  // Outbox requests.
  not_found = 70,
  text_empty = 71,
  text_too_long = 72,
  channel_unsupported = 73,
  // Staff access (console).
  already_exists = 80,
  invalid_input = 81,
  access_denied = 82,
  login_failed = 83,
  totp_required = 84,
  account_locked = 85,
  not_logged_in = 86,
  session_expired = 87,
  csrf_failed = 88,
  admin_no_cases = 89,       // administrators configure; they never see consultations
  assignee_ineligible = 90,  // the chosen colleague cannot see the case's window
  managers_only = 91,        // supervisors and administrators only (定型文)
  placeholder_unknown = 92,  // a 定型文 names a placeholder that does not exist
  limit_reached = 93,        // as many as may be kept (定型文 per tenant)
};

const boost::system::error_category& madoguchi_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), madoguchi_category()};
}

template <class T>
using result = boost::system::result<T>;

}  // namespace madoguchi

template <>
struct boost::system::is_error_code_enum<madoguchi::errc> : std::true_type {};
