#pragma once
// Small checks shared by the case operations: window membership and input rules.
#include <algorithm>
#include <chrono>
#include <string>

#include "gateway/console/auth.hpp"
#include "gateway/core/utf8.hpp"

namespace madoguchi::console {

inline bool has_window(const Staff& s, std::int64_t window_id) {
  return std::find(s.window_ids.begin(), s.window_ids.end(), window_id) != s.window_ids.end();
}

// Blank also when only full-width spaces (U+3000), common in Japanese input.
inline bool blank(std::string text) {
  for (std::size_t p; (p = text.find("　")) != std::string::npos;) text.erase(p, 3);
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

[[nodiscard]] inline result<void> check_text(const std::string& text, std::size_t max_chars, bool required) {
  if (required && blank(text)) return errc::text_empty;
  if (!utf8::valid(text) || utf8::code_points(text) > max_chars) return errc::text_too_long;
  return {};
}

// YYYY-MM-DD naming a day of the calendar (2026-02-31 is not one; 2028-02-29 is).
inline bool valid_date(const std::string& d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (d[i] < '0' || d[i] > '9') return false;
  const std::chrono::year_month_day day{std::chrono::year(std::stoi(d.substr(0, 4))),
                                        std::chrono::month(static_cast<unsigned>(std::stoi(d.substr(5, 2)))),
                                        std::chrono::day(static_cast<unsigned>(std::stoi(d.substr(8, 2))))};
  return day.ok();
}


}  // namespace madoguchi::console
