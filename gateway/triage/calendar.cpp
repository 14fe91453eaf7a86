#include "gateway/triage/calendar.hpp"

#include <algorithm>
#include <utility>

#include "gateway/triage/japan_holidays.hpp"

namespace madoguchi::triage {
namespace {

namespace chr = std::chrono;

constexpr std::int64_t ms_per_minute = 60'000;
constexpr std::int64_t jst_offset_ms = 9 * 60 * ms_per_minute;  // UTC+9, Japan has no DST
constexpr int minutes_per_day = 24 * 60;
constexpr int search_days = 400;
// Timestamps come from untrusted payloads; clamping (about ±3000 years) keeps the arithmetic
// below far from signed overflow without affecting any real date.
constexpr std::int64_t max_abs_unix_ms = 100'000'000'000'000;

// A unix timestamp as a JST wall-clock day plus the ms elapsed since that day's midnight.
struct JstMoment {
  chr::sys_days day;
  std::int64_t ms_of_day = 0;
};

JstMoment to_jst(std::int64_t unix_ms) {
  const std::int64_t clamped = std::clamp(unix_ms, -max_abs_unix_ms, max_abs_unix_ms);
  const chr::sys_time<chr::milliseconds> local{chr::milliseconds{clamped + jst_offset_ms}};
  const chr::sys_days day = chr::floor<chr::days>(local);
  return {day, (local - day).count()};
}

// Unix ms of `minute` minutes after JST midnight of `day`.
std::int64_t to_unix_ms(chr::sys_days day, int minute) {
  const std::int64_t midnight = chr::duration_cast<chr::milliseconds>(day.time_since_epoch()).count();
  return midnight + minute * ms_per_minute - jst_offset_ms;
}

bool valid_range(const TimeRange& r) {
  return r.start_min >= 0 && r.start_min < r.end_min && r.end_min <= minutes_per_day;
}

// Sorted so the displayed hours read naturally whatever order the configuration used.
void sanitize(std::vector<TimeRange>& ranges) {
  std::erase_if(ranges, [](const TimeRange& r) { return !valid_range(r); });
  std::sort(ranges.begin(), ranges.end(), [](const TimeRange& a, const TimeRange& b) {
    return a.start_min != b.start_min ? a.start_min < b.start_min : a.end_min < b.end_min;
  });
}

std::string zero_pad(int value, std::size_t width) {
  std::string text = std::to_string(value);
  if (text.size() < width) text.insert(0, width - text.size(), '0');
  return text;
}

std::string clock_text(int minute) { return std::to_string(minute / 60) + ":" + zero_pad(minute % 60, 2); }

std::string join_ranges(const std::vector<TimeRange>& ranges) {
  std::string out;
  for (const TimeRange& r : ranges) {
    if (!out.empty()) out += ",";
    out += format_time_range(r);
  }
  return out;
}

bool in_year_end(const chr::year_month_day& d) {
  return (d.month() == chr::December && d.day() >= chr::day{29}) ||
         (d.month() == chr::January && d.day() <= chr::day{3});
}

std::optional<int> parse_digits(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// "H:MM" or "HH:MM" up to "24:00", as minutes after midnight.
std::optional<int> parse_clock(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon < 1 || colon > 2 || text.size() != colon + 3) return std::nullopt;
  const auto hour = parse_digits(text.substr(0, colon));
  const auto minute = parse_digits(text.substr(colon + 1));
  if (!hour || !minute || *hour > 24 || *minute > 59 || (*hour == 24 && *minute != 0)) return std::nullopt;
  return *hour * 60 + *minute;
}

}  // namespace

Calendar::Calendar(WindowHours hours, HolidayCorrections corrections)
    : hours_(std::move(hours)), corrections_(std::move(corrections)) {
  for (auto& ranges : hours_.weekly) sanitize(ranges);
  for (auto& [date, ranges] : hours_.extra_openings) sanitize(ranges);
}

std::optional<std::string> Calendar::holiday_name(chr::year_month_day d) const {
  if (corrections_.removed.contains(d)) return std::nullopt;
  if (auto it = corrections_.added.find(d); it != corrections_.added.end()) return it->second;
  return japan_holiday(d);
}

DayStatus Calendar::day(chr::year_month_day d) const {
  if (!d.ok()) return {false, "休業日", {}};
  if (auto it = hours_.extra_openings.find(d); it != hours_.extra_openings.end() && !it->second.empty()) {
    return {true, "臨時開所 " + join_ranges(it->second), it->second};
  }
  if (auto it = hours_.extra_closures.find(d); it != hours_.extra_closures.end()) {
    // An empty reason would leave the resident with no explanation at all.
    return {false, it->second.empty() ? std::string{"臨時休業"} : it->second, {}};
  }
  if (hours_.year_end_closure && in_year_end(d)) return {false, "年末年始", {}};
  if (hours_.closed_on_holidays) {
    if (auto name = holiday_name(d)) return {false, std::move(*name), {}};
  }
  const auto& ranges = hours_.weekly[chr::weekday{chr::sys_days{d}}.c_encoding()];
  if (ranges.empty()) return {false, "休業日", {}};
  return {true, join_ranges(ranges), ranges};
}

bool Calendar::is_open(std::int64_t unix_ms) const {
  const JstMoment now = to_jst(unix_ms);
  const DayStatus status = day(chr::year_month_day{now.day});
  return std::any_of(status.hours.begin(), status.hours.end(), [&](const TimeRange& r) {
    return r.start_min * ms_per_minute <= now.ms_of_day && now.ms_of_day < r.end_min * ms_per_minute;
  });
}

std::optional<std::int64_t> Calendar::next_opening(std::int64_t unix_ms) const {
  if (is_open(unix_ms)) return unix_ms;
  // Closed now, so the earliest range start after unix_ms is where the closed period ends. Ranges
  // of later days always start later, so the first day with a candidate has the answer.
  const chr::sys_days today = to_jst(unix_ms).day;
  for (int i = 0; i <= search_days; ++i) {
    const chr::sys_days date = today + chr::days{i};
    std::optional<std::int64_t> best;
    for (const TimeRange& r : day(chr::year_month_day{date}).hours) {
      const std::int64_t start = to_unix_ms(date, r.start_min);
      if (start > unix_ms && (!best || start < *best)) best = start;
    }
    if (best) return best;
  }
  return std::nullopt;
}

std::optional<std::int64_t> Calendar::closed_since(std::int64_t unix_ms) const {
  if (is_open(unix_ms)) return std::nullopt;
  // Mirror of next_opening: the latest range end at or before unix_ms. A range ending at 24:00
  // followed by one starting at 0:00 leaves no closed moment between them, so such touching
  // ranges behave as one period without special handling.
  const chr::sys_days today = to_jst(unix_ms).day;
  for (int i = 0; i <= search_days; ++i) {
    const chr::sys_days date = today - chr::days{i};
    std::optional<std::int64_t> best;
    for (const TimeRange& r : day(chr::year_month_day{date}).hours) {
      const std::int64_t end = to_unix_ms(date, r.end_min);
      if (end <= unix_ms && (!best || end > *best)) best = end;
    }
    if (best) return best;
  }
  return closed_since_unknown;
}

std::string describe_day(chr::year_month_day d, const DayStatus& s) {
  std::string out = zero_pad(static_cast<int>(d.year()), 4) + "-" +
                    zero_pad(static_cast<int>(static_cast<unsigned>(d.month())), 2) + "-" +
                    zero_pad(static_cast<int>(static_cast<unsigned>(d.day())), 2);
  out += s.open ? " open" : " closed";
  if (!s.reason.empty()) out += " " + s.reason;
  // One line per day in the command output, whatever an administrator typed as a reason.
  std::replace(out.begin(), out.end(), '\n', ' ');
  std::replace(out.begin(), out.end(), '\r', ' ');
  return out;
}

std::optional<chr::year_month_day> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto y = parse_digits(text.substr(0, 4));
  const auto m = parse_digits(text.substr(5, 2));
  const auto d = parse_digits(text.substr(8, 2));
  if (!y || !m || !d) return std::nullopt;
  const chr::year_month_day date{chr::year{*y}, chr::month{static_cast<unsigned>(*m)},
                                 chr::day{static_cast<unsigned>(*d)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::optional<TimeRange> parse_time_range(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto start = parse_clock(text.substr(0, dash));
  const auto end = parse_clock(text.substr(dash + 1));
  if (!start || !end || *end <= *start) return std::nullopt;
  return TimeRange{*start, *end};
}

std::string format_time_range(TimeRange range) { return clock_text(range.start_min) + "-" + clock_text(range.end_min); }

std::string format_next_opening(std::int64_t unix_ms) {
  static constexpr std::array<std::string_view, 7> weekday_kanji{"日", "月", "火", "水", "木", "金", "土"};
  const JstMoment at = to_jst(unix_ms);
  const chr::year_month_day date{at.day};
  const int minute = static_cast<int>(at.ms_of_day / ms_per_minute);
  std::string out = std::to_string(static_cast<unsigned>(date.month())) + "月" +
                    std::to_string(static_cast<unsigned>(date.day())) + "日（";
  out += weekday_kanji[chr::weekday{at.day}.c_encoding()];
  out += "）" + clock_text(minute);
  return out;
}

}  // namespace madoguchi::triage

namespace madoguchi::triage {

std::string describe_week(const WindowHours& hours) {
  static constexpr const char* kDay[] = {"日", "月", "火", "水", "木", "金", "土"};
  auto ranges_text = [&](int wd) {
    std::string out;
    for (const auto& r : hours.weekly[static_cast<std::size_t>(wd)]) out += (out.empty() ? "" : ",") + format_time_range(r);
    return out;
  };
  std::string out;
  const int order[] = {1, 2, 3, 4, 5, 6, 0};  // Monday first
  for (int i = 0; i < 7;) {
    const auto text = ranges_text(order[i]);
    int j = i;
    while (j + 1 < 7 && ranges_text(order[j + 1]) == text) ++j;
    if (!text.empty()) {
      out += (out.empty() ? "" : "、") + std::string(kDay[order[i]]);
      if (j > i) out += std::string(j == i + 1 ? "・" : "〜") + kDay[order[j]];
      out += " " + text;
    }
    i = j + 1;
  }
  if (out.empty()) return "受付時間は窓口にお問い合わせください";
  if (hours.closed_on_holidays && hours.year_end_closure) out += "（祝日・年末年始は休み）";
  else if (hours.closed_on_holidays) out += "（祝日は休み）";
  else if (hours.year_end_closure) out += "（年末年始は休み）";
  return out;
}

}  // namespace madoguchi::triage
