#pragma once
// Small checks shared by the case operations: window membership and input rules.
#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>

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

// The first millisecond of a valid_date() day in Japan time (UTC+9, no summer time).
inline std::int64_t jst_day_start_ms(const std::string& d) {
  const std::chrono::year_month_day day{std::chrono::year(std::stoi(d.substr(0, 4))),
                                        std::chrono::month(static_cast<unsigned>(std::stoi(d.substr(5, 2)))),
                                        std::chrono::day(static_cast<unsigned>(std::stoi(d.substr(8, 2))))};
  const auto utc = std::chrono::sys_days(day) - std::chrono::hours(9);
  return std::chrono::duration_cast<std::chrono::milliseconds>(utc.time_since_epoch()).count();
}

// What a queue search may name as a pseudonym: its beginning, "#" and "相談者" left out,
// upper-cased; "" when it holds anything but Crockford base32 and '-'.
inline std::string contact_prefix(std::string_view typed) {
  constexpr std::string_view kWord = "相談者";
  if (typed.starts_with(kWord)) typed.remove_prefix(kWord.size());
  std::string out;
  for (unsigned char ch : typed) {
    if (ch == '#' || ch == ' ') continue;
    if (ch >= 'a' && ch <= 'z') ch = static_cast<unsigned char>(ch - 'a' + 'A');
    if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || ch == '-')) return "";
    out.push_back(static_cast<char>(ch));
  }
  return out;
}


}  // namespace madoguchi::console
