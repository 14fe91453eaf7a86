#include "gateway/core/errc.hpp"

#include <string>

namespace madoguchi {
namespace {

class category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "madoguchi"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::ok: return "ok";
      case errc::signature_missing: return "signature header missing";
      case errc::signature_invalid: return "signature does not match";
      case errc::body_too_large: return "body too large";
      case errc::headers_too_large: return "header block too large";
      case errc::json_malformed: return "malformed JSON";
      case errc::json_too_deep: return "JSON nested too deeply";
      case errc::json_invalid_utf8: return "JSON contains invalid UTF-8";
      case errc::json_duplicate_key: return "JSON object has a duplicate key";
      case errc::json_unexpected_shape: return "JSON does not have the expected shape";
      case errc::unknown_account: return "unknown channel account";
      case errc::store_busy: return "store busy";
      case errc::store_failed: return "store failed";
      case errc::decrypt_failed: return "could not decrypt";
      case errc::key_file_invalid: return "key file invalid";
      case errc::passphrase_wrong: return "wrong passphrase";
      case errc::key_missing: return "key missing";
      case errc::config_invalid: return "configuration invalid";
      case errc::upstream_connect_failed: return "could not connect to the provider";
      case errc::upstream_timeout: return "provider did not answer in time";
      case errc::upstream_protocol: return "provider answer malformed";
      case errc::upstream_too_large: return "provider answer larger than the limit";
      case errc::not_found: return "not found";
      case errc::text_empty: return "text is empty";
      case errc::text_too_long: return "text is too long";
      case errc::channel_unsupported: return "channel cannot send this";
      case errc::already_exists: return "already exists";
      case errc::invalid_input: return "invalid input";
      case errc::access_denied: return "access denied";
      case errc::login_failed: return "wrong user name or password";
      case errc::totp_required: return "one-time code required";
      case errc::account_locked: return "account locked after repeated failures";
      case errc::not_logged_in: return "not logged in";
      case errc::session_expired: return "session expired";
      case errc::csrf_failed: return "CSRF token missing or wrong";
      case errc::admin_no_cases: return "administrators have no access to consultations";
      case errc::assignee_ineligible: return "that colleague cannot see this window";
      case errc::managers_only: return "supervisors and administrators only";
      case errc::placeholder_unknown: return "unknown placeholder";
      case errc::limit_reached: return "limit reached";
    }
    return "unknown madoguchi error";
  }
};

}  // namespace

const boost::system::error_category& madoguchi_category() noexcept {
  static const category_impl instance;
  return instance;
}

}  // namespace madoguchi
