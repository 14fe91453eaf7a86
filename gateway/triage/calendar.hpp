#pragma once
// Opening hours of a consultation window (窓口) in Japan time, so triage can tell whether a message
// arrived after hours, when the window opens next, and send one after-hours reply per closed period.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::triage {

struct TimeRange {  // minutes after 00:00 JST, 0 <= start < end <= 1440
  int start_min = 0;
  int end_min = 0;
};

struct WindowHours {
  std::array<std::vector<TimeRange>, 7> weekly;  // index = weekday c_encoding: 0 Sunday … 6 Saturday
  bool closed_on_holidays = true;
  bool year_end_closure = true;  // 年末年始: 12/29–1/3
  std::map<std::chrono::year_month_day, std::string> extra_closures;  // date → reason shown (e.g. "庁舎点検")
  std::map<std::chrono::year_month_day, std::vector<TimeRange>> extra_openings;  // date → hours; wins over everything
};

struct HolidayCorrections {  // official corrections administrators add in configuration
  std::map<std::chrono::year_month_day, std::string> added;  // date → holiday name
  std::set<std::chrono::year_month_day> removed;
};

struct DayStatus {
  bool open = false;
  // closed: holiday name / "年末年始" / extra-closure reason / "休業日" (no weekly hours);
  // open: hours like "8:30-17:15" (several ranges joined by ","); extra opening: "臨時開所 8:30-12:00".
  std::string reason;
  std::vector<TimeRange> hours;
};

// Immutable after construction, so one instance can be shared by all threads.
// Decision order for a day: extra opening > extra closure > 年末年始 > holiday > weekly hours.
class Calendar {
 public:
  // closed_since() when no open range ended within the 400 days searched.
  static constexpr std::int64_t closed_since_unknown = 0;

  // Ranges violating 0 <= start < end <= 1440 are dropped (parse_time_range never yields them);
  // an extra opening left without ranges is ignored rather than closing the day.
  explicit Calendar(WindowHours hours, HolidayCorrections corrections = {});

  DayStatus day(std::chrono::year_month_day d) const;
  const WindowHours& hours() const { return hours_; }
  bool is_open(std::int64_t unix_ms) const;
  // When closed: the unix ms at which it next opens; when open: unix_ms itself.
  // nullopt when nothing opens within 400 days.
  std::optional<std::int64_t> next_opening(std::int64_t unix_ms) const;
  // When closed: the unix ms at which the current closed period began (the end of the last open
  // range, searching back at most 400 days; closed_since_unknown if none). nullopt when open.
  // Two messages in the same closed period get the same value; a message after the window opened
  // and closed again gets a different one. Ranges touching across midnight form one open period.
  std::optional<std::int64_t> closed_since(std::int64_t unix_ms) const;

 private:
  std::optional<std::string> holiday_name(std::chrono::year_month_day d) const;

  WindowHours hours_;
  HolidayCorrections corrections_;
};

// "YYYY-MM-DD open|closed reason" (one line, no newline) for the calendar command.
std::string describe_day(std::chrono::year_month_day d, const DayStatus& s);
// Parses "YYYY-MM-DD" strictly (valid date, 4-2-2 digits); nullopt otherwise.
std::optional<std::chrono::year_month_day> parse_date(std::string_view text);
// Parses "HH:MM-HH:MM" (e.g. "8:30-17:15" or "08:30-17:15", end may be "24:00");
// nullopt when malformed or end <= start.
std::optional<TimeRange> parse_time_range(std::string_view text);
// "8:30-17:15" (hour without leading zero, as shown to residents).
std::string format_time_range(TimeRange range);
// "12月1日（火）8:30" (JST, weekday kanji 日月火水木金土, full-width parentheses) for auto-replies.
std::string format_next_opening(std::int64_t unix_ms);
// The weekly hours as residents read them, Monday first, days with the same hours joined:
// "月〜金 8:30-17:15、土 9:00-12:00（祝日・年末年始は休み）". For 定型文's {受付時間}.
std::string describe_week(const WindowHours& hours);

}  // namespace madoguchi::triage
