#include "gateway/triage/japan_holidays.hpp"

#include <string_view>

namespace madoguchi::triage {
namespace {

namespace chr = std::chrono;

// The equinox formula and the post-2000 Happy Monday rules are only known to hold here.
constexpr int first_supported_year = 2000;
constexpr int last_supported_year = 2099;

// Equinox formula constants in millionths, so the result never depends on floating-point rounding
// (several years land within 0.01 of an integer).
constexpr long long spring_base_micro = 20'843'100;
constexpr long long autumn_base_micro = 23'248'800;
constexpr long long equinox_drift_micro = 242'194;
constexpr long long micro = 1'000'000;

unsigned nth_monday(int y, unsigned month, unsigned n) {
  const chr::year_month_day d{chr::sys_days{chr::year{y} / chr::month{month} / chr::Monday[n]}};
  return static_cast<unsigned>(d.day());
}

// int(base + 0.242194*(y-1980) - int((y-1980)/4)), valid 1980–2099.
unsigned equinox_day(int y, long long base_micro) {
  const long long n = y - 1980;
  return static_cast<unsigned>((base_micro + equinox_drift_micro * n - micro * (n / 4)) / micro);
}

unsigned marine_day(int y) {
  // The Olympic special measures law moved it in 2020 and 2021 only.
  if (y == 2020) return 23;
  if (y == 2021) return 22;
  return y < 2003 ? 20 : nth_monday(y, 7, 3);
}

unsigned mountain_day(int y) {
  if (y == 2020) return 10;
  if (y == 2021) return 8;
  return 11;
}

// The days the Act itself (plus the 2019 enthronement law, which treats its days as national
// holidays) names. 振替休日 and 国民の休日 are derived from these, never from each other.
std::optional<std::string_view> named_holiday(const chr::year_month_day& d) {
  const int y = static_cast<int>(d.year());
  if (!d.ok() || y < first_supported_year || y > last_supported_year) return std::nullopt;
  const unsigned day = static_cast<unsigned>(d.day());
  switch (static_cast<unsigned>(d.month())) {
    case 1:
      if (day == 1) return "元日";
      if (day == nth_monday(y, 1, 2)) return "成人の日";
      break;
    case 2:
      if (day == 11) return "建国記念の日";
      if (day == 23 && y >= 2020) return "天皇誕生日";
      break;
    case 3:
      if (day == equinox_day(y, spring_base_micro)) return "春分の日";
      break;
    case 4:
      if (day == 29) return y >= 2007 ? "昭和の日" : "みどりの日";
      break;
    case 5:
      if (day == 1 && y == 2019) return "即位の日";
      if (day == 3) return "憲法記念日";
      // Before 2007 May 4 was only a 国民の休日, which the sandwich rule derives.
      if (day == 4 && y >= 2007) return "みどりの日";
      if (day == 5) return "こどもの日";
      break;
    case 7:
      if (day == marine_day(y)) return "海の日";
      if ((y == 2020 && day == 24) || (y == 2021 && day == 23)) return "スポーツの日";
      break;
    case 8:
      if (y >= 2016 && day == mountain_day(y)) return "山の日";
      break;
    case 9:
      if (day == (y < 2003 ? 15u : nth_monday(y, 9, 3))) return "敬老の日";
      if (day == equinox_day(y, autumn_base_micro)) return "秋分の日";
      break;
    case 10:
      if (day == 22 && y == 2019) return "即位礼正殿の儀の行われる日";
      // In 2020 and 2021 the day was moved to July, leaving October without one.
      if (y != 2020 && y != 2021 && day == nth_monday(y, 10, 2)) {
        return y >= 2020 ? "スポーツの日" : "体育の日";
      }
      break;
    case 11:
      if (day == 3) return "文化の日";
      if (day == 23) return "勤労感謝の日";
      break;
    case 12:
      if (day == 23 && y <= 2018) return "天皇誕生日";
      break;
    default:
      break;
  }
  return std::nullopt;
}

bool is_named_holiday(chr::sys_days day) { return named_holiday(chr::year_month_day{day}).has_value(); }

}  // namespace

std::optional<std::string> japan_holiday(chr::year_month_day day) {
  const int y = static_cast<int>(day.year());
  if (!day.ok() || y < first_supported_year || y > last_supported_year) return std::nullopt;
  if (auto name = named_holiday(day)) return std::string{*name};

  const chr::sys_days date{day};
  // 振替休日 (Art. 3-2, 2007 wording): a holiday on Sunday moves to the first following day that is
  // not itself a holiday, so walk back through the run of holidays looking for a Sunday.
  for (chr::sys_days prev = date - chr::days{1}; is_named_holiday(prev); prev -= chr::days{1}) {
    if (chr::weekday{prev} == chr::Sunday) return std::string{"振替休日"};
  }

  // 国民の休日 (Art. 3-3): a non-holiday sandwiched between two named holidays. Sundays are
  // excluded as the pre-2007 wording did; it changes nothing afterwards in 2000–2099.
  // 2019-04-30 and 05-02, around the enthronement day, are holidays by this very rule.
  if (chr::weekday{date} != chr::Sunday && is_named_holiday(date - chr::days{1}) &&
      is_named_holiday(date + chr::days{1}))
    return std::string{"国民の休日"};
  return std::nullopt;
}

std::vector<std::pair<chr::year_month_day, std::string>> japan_holidays(chr::year year) {
  std::vector<std::pair<chr::year_month_day, std::string>> result;
  if (!year.ok()) return result;
  const chr::sys_days last{year / chr::December / 31};
  for (chr::sys_days d{year / chr::January / 1}; d <= last; d += chr::days{1}) {
    const chr::year_month_day ymd{d};
    if (auto name = japan_holiday(ymd)) result.emplace_back(ymd, std::move(*name));
  }
  return result;
}

}  // namespace madoguchi::triage
