#pragma once
// 定型文 (reply templates): supervisors and administrators keep them for every window of the
// tenant or for one window; counselors pick one while answering, with its placeholders
// filled for the conversation's window, and edit it before sending (nothing is sent from
// here). Changes are audit events; templates hold no personal data.
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "gateway/console/audit.hpp"
#include "gateway/console/auth.hpp"
#include "gateway/core/clock.hpp"

namespace madoguchi::console {

// What the placeholders say for one window at one moment (the composition root knows the
// windows' calendars and the tenant's 24-hour numbers).
struct WindowFacts {
  std::string hours;         // 受付時間, e.g. "月〜金 8:30-17:15（祝日・年末年始を除く）"
  std::string next_opening;  // 次の開所, e.g. "12月8日（火）8:30"; "" when open or unknown
  std::string hotlines;      // 緊急連絡先, one "・name number（hours）" per line
};
using WindowFactsSource =
    std::function<WindowFacts(const std::string& tenant, const std::string& window, std::int64_t now_ms)>;

struct TemplateInput {
  std::string title, body;
  std::optional<std::int64_t> window_id;  // nullopt: every window
};

struct TemplateLimits {
  std::size_t max_title_chars = 60, max_body_chars = 5000, max_per_tenant = 200;
};

// The placeholders a template may use ("{窓口名}" …), in the order the page lists them.
const std::vector<std::string>& template_placeholders();
// `body` with every placeholder replaced. Pure.
std::string fill_template(const std::string& body, const std::string& window_name, const WindowFacts& facts);
// The first "{…}" in `body` that is not a placeholder ("" when none): refused on save, so a
// typo never reaches a resident as "{受付時刻}".
std::string unknown_placeholder(const std::string& body);

class Templates {
 public:
  Templates(ConsoleDb& db, AuditLog& audit, WindowFactsSource facts, TemplateLimits limits, const Clock& clock);

  // For managing them: every template of the tenant (supervisors, administrators), or those
  // a counselor may use (shared and their windows').
  [[nodiscard]] result<boost::json::object> list(const Staff& staff);
  // For answering conversation `id` (whose window `window_id` / `window_name` the caller
  // checked `staff` may see): the shared ones and the window's, filled in.
  [[nodiscard]] result<boost::json::object> for_window(const Staff& staff, std::int64_t window_id,
                                                       const std::string& window_name);
  // Supervisors and administrators only (access_denied); invalid_input for a missing title
  // or body, an unknown placeholder, a window of another tenant; text_too_long.
  [[nodiscard]] result<boost::json::object> create(const Staff& staff, const TemplateInput& in);
  [[nodiscard]] result<boost::json::object> update(const Staff& staff, std::int64_t id, const TemplateInput& in);
  [[nodiscard]] result<boost::json::object> remove(const Staff& staff, std::int64_t id);

 private:
  [[nodiscard]] result<void> check(const Staff& staff, const TemplateInput& in);

  ConsoleDb& db_;
  AuditLog& audit_;
  WindowFactsSource facts_;
  TemplateLimits limits_;
  const Clock& clock_;
};

}  // namespace madoguchi::console
