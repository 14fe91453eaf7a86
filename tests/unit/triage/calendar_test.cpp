// Holiday dates were checked by hand against the Act and the Cabinet Office lists.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

#include "gateway/triage/calendar.hpp"
#include "gateway/triage/japan_holidays.hpp"

namespace madoguchi::triage {
namespace {

namespace chr = std::chrono;

chr::year_month_day ymd(int y, unsigned m, unsigned d) { return chr::year{y} / chr::month{m} / chr::day{d}; }

std::string holiday(int y, unsigned m, unsigned d) { return japan_holiday(ymd(y, m, d)).value_or("(none)"); }

// Unix ms of a JST wall-clock moment.
std::int64_t jst(int y, unsigned m, unsigned d, int hour, int minute) {
  const chr::sys_days day{ymd(y, m, d)};
  const auto since_epoch = day.time_since_epoch() + chr::hours{hour - 9} + chr::minutes{minute};
  return chr::duration_cast<chr::milliseconds>(since_epoch).count();
}

WindowHours weekday_hours() {
  WindowHours hours;
  for (int wd = 1; wd <= 5; ++wd) hours.weekly[wd] = {TimeRange{8 * 60 + 30, 17 * 60 + 15}};
  return hours;
}

TEST(JapanHolidays, Enthronement2019) {
  EXPECT_EQ(holiday(2019, 4, 29), "昭和の日");
  EXPECT_EQ(holiday(2019, 4, 30), "国民の休日");  // between 昭和の日 and 即位の日
  EXPECT_EQ(holiday(2019, 5, 1), "即位の日");
  EXPECT_EQ(holiday(2019, 5, 2), "国民の休日");  // between 即位の日 and 憲法記念日
  EXPECT_EQ(holiday(2019, 5, 3), "憲法記念日");
  EXPECT_EQ(holiday(2019, 5, 4), "みどりの日");
  EXPECT_EQ(holiday(2019, 5, 5), "こどもの日");
  EXPECT_EQ(holiday(2019, 5, 6), "振替休日");
  EXPECT_EQ(holiday(2019, 10, 22), "即位礼正殿の儀の行われる日");
  EXPECT_EQ(holiday(2019, 10, 14), "体育の日");
  EXPECT_EQ(holiday(2019, 12, 23), "(none)");
  EXPECT_EQ(japan_holidays(chr::year{2019}).size(), 22u);
  for (const auto& [date, name] : japan_holidays(chr::year{2019})) EXPECT_NE(name, "天皇誕生日");
}

TEST(JapanHolidays, Olympics2020And2021) {
  EXPECT_EQ(holiday(2020, 7, 23), "海の日");
  EXPECT_EQ(holiday(2020, 7, 24), "スポーツの日");
  EXPECT_EQ(holiday(2020, 8, 10), "山の日");
  EXPECT_EQ(holiday(2020, 8, 11), "(none)");
  EXPECT_EQ(holiday(2020, 7, 20), "(none)");
  EXPECT_EQ(holiday(2020, 10, 12), "(none)");
  EXPECT_EQ(holiday(2020, 2, 23), "天皇誕生日");
  EXPECT_EQ(holiday(2020, 2, 24), "振替休日");
  EXPECT_EQ(holiday(2021, 7, 22), "海の日");
  EXPECT_EQ(holiday(2021, 7, 23), "スポーツの日");
  EXPECT_EQ(holiday(2021, 8, 8), "山の日");
  EXPECT_EQ(holiday(2021, 8, 9), "振替休日");
  EXPECT_EQ(holiday(2021, 10, 11), "(none)");
  EXPECT_EQ(holiday(2022, 10, 10), "スポーツの日");
  EXPECT_EQ(holiday(2022, 7, 18), "海の日");
}

TEST(JapanHolidays, Year2026) {
  EXPECT_EQ(holiday(2026, 9, 21), "敬老の日");
  EXPECT_EQ(holiday(2026, 9, 22), "国民の休日");
  EXPECT_EQ(holiday(2026, 9, 23), "秋分の日");
  EXPECT_EQ(holiday(2026, 5, 3), "憲法記念日");
  EXPECT_EQ(holiday(2026, 5, 6), "振替休日");
  EXPECT_EQ(holiday(2026, 3, 20), "春分の日");
  const auto list = japan_holidays(chr::year{2026});
  // 1/1 1/12 2/11 2/23 3/20 4/29 5/3 5/4 5/5 5/6 7/20 8/11 9/21 9/22 9/23 10/12 11/3 11/23
  ASSERT_EQ(list.size(), 18u);
  EXPECT_EQ(list.front().first, ymd(2026, 1, 1));
  EXPECT_EQ(list.back().first, ymd(2026, 11, 23));
  EXPECT_EQ(list[1].first, ymd(2026, 1, 12));
  EXPECT_EQ(list[10].first, ymd(2026, 7, 20));
  EXPECT_EQ(list[15].second, "スポーツの日");
}

TEST(JapanHolidays, SandwichAndSubstituteDays) {
  EXPECT_EQ(holiday(2009, 9, 22), "国民の休日");
  EXPECT_EQ(holiday(2015, 9, 22), "国民の休日");
  EXPECT_EQ(holiday(2009, 5, 6), "振替休日");   // 5/3 Sunday, 5/4 and 5/5 already holidays
  EXPECT_EQ(holiday(2000, 5, 4), "国民の休日");  // before 2007 May 4 was only a sandwiched day
  EXPECT_EQ(holiday(2003, 5, 4), "(none)");      // ... and a Sunday was not one
  EXPECT_EQ(holiday(2006, 4, 29), "みどりの日");
  EXPECT_EQ(holiday(2007, 4, 29), "昭和の日");
  EXPECT_EQ(holiday(2007, 5, 4), "みどりの日");
  EXPECT_EQ(holiday(2000, 1, 10), "成人の日");
  EXPECT_EQ(holiday(2024, 2, 12), "振替休日");
  EXPECT_EQ(holiday(2025, 11, 24), "振替休日");
  EXPECT_EQ(holiday(2002, 7, 20), "海の日");
  EXPECT_EQ(holiday(2002, 9, 15), "敬老の日");
  EXPECT_EQ(holiday(2002, 9, 16), "振替休日");
  EXPECT_EQ(holiday(2003, 9, 15), "敬老の日");
  EXPECT_EQ(holiday(2015, 8, 11), "(none)");
  EXPECT_EQ(holiday(2016, 8, 11), "山の日");
  EXPECT_EQ(holiday(2018, 12, 23), "天皇誕生日");
  EXPECT_EQ(holiday(2018, 12, 24), "振替休日");
  EXPECT_EQ(holiday(2026, 9, 24), "(none)");
}

TEST(JapanHolidays, Equinoxes) {
  EXPECT_EQ(holiday(2000, 3, 20), "春分の日");
  EXPECT_EQ(holiday(2000, 9, 23), "秋分の日");
  EXPECT_EQ(holiday(2012, 3, 20), "春分の日");
  EXPECT_EQ(holiday(2012, 9, 22), "秋分の日");
  EXPECT_EQ(holiday(2024, 3, 20), "春分の日");
  EXPECT_EQ(holiday(2024, 9, 22), "秋分の日");
  EXPECT_EQ(holiday(2024, 9, 23), "振替休日");
  EXPECT_EQ(holiday(2030, 3, 20), "春分の日");
  EXPECT_EQ(holiday(2030, 9, 23), "秋分の日");
}

TEST(JapanHolidays, EveryYearIsSane) {
  for (int y = 2000; y <= 2099; ++y) {
    const auto list = japan_holidays(chr::year{y});
    EXPECT_GE(list.size(), 14u) << y;
    // 2019 really had 22 (the four enthronement days on top of a normal year); no other year
    // exceeds 21.
    EXPECT_LE(list.size(), y == 2019 ? 22u : 21u) << y;
    for (std::size_t i = 0; i < list.size(); ++i) {
      EXPECT_FALSE(list[i].second.empty()) << y;
      if (i > 0) {
        EXPECT_LT(list[i - 1].first, list[i].first) << y;
      }
    }
  }
}

TEST(JapanHolidays, OutsideSupportedRangeOrInvalid) {
  EXPECT_FALSE(japan_holiday(ymd(1999, 1, 1)));
  EXPECT_FALSE(japan_holiday(ymd(2100, 1, 1)));
  EXPECT_FALSE(japan_holiday(ymd(2026, 2, 30)));
  EXPECT_TRUE(japan_holidays(chr::year{2100}).empty());
}

TEST(Calendar, DayStatuses) {
  WindowHours hours = weekday_hours();
  hours.extra_closures[ymd(2026, 9, 24)] = "庁舎点検";
  hours.extra_openings[ymd(2026, 10, 3)] = {TimeRange{8 * 60 + 30, 12 * 60}};
  const Calendar cal{hours};

  const DayStatus thursday = cal.day(ymd(2026, 10, 1));
  EXPECT_TRUE(thursday.open);
  EXPECT_EQ(thursday.reason, "8:30-17:15");
  ASSERT_EQ(thursday.hours.size(), 1u);
  EXPECT_EQ(thursday.hours[0].start_min, 510);
  EXPECT_FALSE(cal.day(ymd(2026, 9, 26)).open);  // Saturday
  EXPECT_EQ(cal.day(ymd(2026, 9, 26)).reason, "休業日");

  EXPECT_EQ(describe_day(ymd(2026, 9, 22), cal.day(ymd(2026, 9, 22))), "2026-09-22 closed 国民の休日");
  EXPECT_EQ(describe_day(ymd(2026, 9, 24), Calendar{weekday_hours()}.day(ymd(2026, 9, 24))),
            "2026-09-24 open 8:30-17:15");
  EXPECT_EQ(describe_day(ymd(2026, 10, 12), cal.day(ymd(2026, 10, 12))), "2026-10-12 closed スポーツの日");
  EXPECT_EQ(describe_day(ymd(2026, 9, 24), cal.day(ymd(2026, 9, 24))), "2026-09-24 closed 庁舎点検");
  EXPECT_EQ(describe_day(ymd(2026, 10, 3), cal.day(ymd(2026, 10, 3))), "2026-10-03 open 臨時開所 8:30-12:00");

  for (unsigned d = 29; d <= 31; ++d) EXPECT_EQ(cal.day(ymd(2026, 12, d)).reason, "年末年始") << d;
  for (unsigned d = 1; d <= 3; ++d) EXPECT_EQ(cal.day(ymd(2027, 1, d)).reason, "年末年始") << d;
  EXPECT_TRUE(cal.day(ymd(2026, 12, 28)).open);
  EXPECT_TRUE(cal.day(ymd(2027, 1, 4)).open);
  EXPECT_EQ(cal.day(ymd(2027, 1, 11)).reason, "成人の日");
}

TEST(Calendar, SeveralRangesAndSwitches) {
  WindowHours hours;
  hours.weekly[3] = {TimeRange{13 * 60, 17 * 60}, TimeRange{9 * 60, 12 * 60}, TimeRange{600, 500}};
  hours.closed_on_holidays = false;
  hours.year_end_closure = false;
  const Calendar cal{hours};
  EXPECT_EQ(cal.day(ymd(2026, 9, 23)).reason, "9:00-12:00,13:00-17:00");  // 秋分の日 but holidays open
  EXPECT_EQ(cal.day(ymd(2026, 12, 30)).reason, "9:00-12:00,13:00-17:00");  // Wednesday, no 年末年始
  EXPECT_FALSE(cal.is_open(jst(2026, 9, 23, 12, 30)));
  EXPECT_EQ(cal.next_opening(jst(2026, 9, 23, 12, 30)), jst(2026, 9, 23, 13, 0));
  EXPECT_EQ(cal.closed_since(jst(2026, 9, 23, 12, 30)), jst(2026, 9, 23, 12, 0));
}

TEST(Calendar, ExtraOpeningWinsOverEverything) {
  WindowHours hours = weekday_hours();
  hours.extra_openings[ymd(2027, 1, 2)] = {TimeRange{9 * 60, 12 * 60}};
  hours.extra_closures[ymd(2027, 1, 2)] = "点検";
  const Calendar cal{hours};
  EXPECT_EQ(cal.day(ymd(2027, 1, 2)).reason, "臨時開所 9:00-12:00");
  EXPECT_TRUE(cal.is_open(jst(2027, 1, 2, 9, 0)));
}

TEST(Calendar, HolidayCorrections) {
  HolidayCorrections corrections;
  corrections.added[ymd(2026, 9, 24)] = "臨時の祝日";
  corrections.removed.insert(ymd(2026, 9, 22));
  const Calendar cal{weekday_hours(), corrections};
  EXPECT_EQ(describe_day(ymd(2026, 9, 24), cal.day(ymd(2026, 9, 24))), "2026-09-24 closed 臨時の祝日");
  EXPECT_EQ(describe_day(ymd(2026, 9, 22), cal.day(ymd(2026, 9, 22))), "2026-09-22 open 8:30-17:15");
  EXPECT_FALSE(cal.day(ymd(2026, 9, 21)).open);  // the uncorrected neighbours stay holidays
}

TEST(Calendar, IsOpenEdges) {
  const Calendar cal{weekday_hours()};
  EXPECT_FALSE(cal.is_open(jst(2026, 9, 24, 8, 29)));
  EXPECT_FALSE(cal.is_open(jst(2026, 9, 24, 8, 30) - 1));
  EXPECT_TRUE(cal.is_open(jst(2026, 9, 24, 8, 30)));
  EXPECT_TRUE(cal.is_open(jst(2026, 9, 24, 17, 14)));
  EXPECT_TRUE(cal.is_open(jst(2026, 9, 24, 17, 15) - 1));
  EXPECT_FALSE(cal.is_open(jst(2026, 9, 24, 17, 15)));
  EXPECT_FALSE(cal.is_open(jst(2026, 9, 22, 10, 0)));  // 国民の休日
  // 23:30 UTC on Wednesday is 8:30 JST on Thursday; 08:30 UTC on Thursday is already 17:30 JST.
  const auto utc = [](unsigned d, int h, int m) {
    return chr::duration_cast<chr::milliseconds>(chr::sys_days{ymd(2026, 9, d)}.time_since_epoch() + chr::hours{h} +
                                                 chr::minutes{m}).count();
  };
  EXPECT_TRUE(cal.is_open(utc(23, 23, 30)));
  EXPECT_FALSE(cal.is_open(utc(23, 23, 29)));
  EXPECT_FALSE(cal.is_open(utc(24, 8, 30)));
  EXPECT_EQ(format_next_opening(utc(23, 23, 30)), "9月24日（木）8:30");
}

TEST(Calendar, NextOpening) {
  const Calendar cal{weekday_hours()};
  EXPECT_EQ(cal.next_opening(jst(2026, 9, 25, 18, 0)), jst(2026, 9, 28, 8, 30));     // Fri → Mon
  EXPECT_EQ(cal.next_opening(jst(2026, 10, 9, 18, 0)), jst(2026, 10, 13, 8, 30));    // Monday 10/12 スポーツの日
  EXPECT_EQ(cal.next_opening(jst(2026, 9, 18, 18, 0)), jst(2026, 9, 24, 8, 30));     // Silver Week
  EXPECT_EQ(cal.next_opening(jst(2026, 12, 28, 17, 15)), jst(2027, 1, 4, 8, 30));    // 年末年始
  EXPECT_EQ(cal.next_opening(jst(2026, 9, 24, 7, 0)), jst(2026, 9, 24, 8, 30));
  EXPECT_EQ(cal.next_opening(jst(2026, 9, 24, 10, 0)), jst(2026, 9, 24, 10, 0));     // open: itself
  EXPECT_EQ(format_next_opening(*cal.next_opening(jst(2026, 11, 30, 18, 0))), "12月1日（火）8:30");
  EXPECT_EQ(format_next_opening(jst(2026, 10, 13, 8, 30)), "10月13日（火）8:30");
  EXPECT_EQ(format_next_opening(jst(2027, 1, 4, 13, 5)), "1月4日（月）13:05");

  // Garbage timestamps from payloads must not overflow (checked under -fsanitize=undefined).
  EXPECT_FALSE(cal.next_opening(std::numeric_limits<std::int64_t>::max()));
  EXPECT_FALSE(cal.is_open(std::numeric_limits<std::int64_t>::min()));

  const Calendar never{WindowHours{}};
  EXPECT_FALSE(never.next_opening(jst(2026, 9, 24, 10, 0)));
  EXPECT_EQ(never.closed_since(jst(2026, 9, 24, 10, 0)), Calendar::closed_since_unknown);
}

TEST(Calendar, ClosedSinceIdentifiesClosedPeriods) {
  const Calendar cal{weekday_hours()};
  const auto friday = cal.closed_since(jst(2026, 9, 25, 20, 0));
  const auto saturday = cal.closed_since(jst(2026, 9, 26, 3, 0));
  const auto monday = cal.closed_since(jst(2026, 9, 28, 20, 0));
  ASSERT_TRUE(friday);
  EXPECT_EQ(*friday, jst(2026, 9, 25, 17, 15));
  EXPECT_EQ(friday, saturday);
  EXPECT_EQ(cal.closed_since(jst(2026, 9, 28, 8, 29)), friday);
  EXPECT_NE(friday, monday);
  EXPECT_EQ(*monday, jst(2026, 9, 28, 17, 15));
  EXPECT_EQ(cal.closed_since(jst(2026, 9, 25, 17, 15)), jst(2026, 9, 25, 17, 15));
  EXPECT_FALSE(cal.closed_since(jst(2026, 9, 28, 9, 0)));
}

TEST(Calendar, RangesTouchingAcrossMidnightAreOnePeriod) {
  WindowHours hours;
  hours.weekly[5] = {TimeRange{20 * 60, 24 * 60}};  // Friday 20:00–24:00
  hours.weekly[6] = {TimeRange{0, 2 * 60}};         // Saturday 0:00–2:00
  const Calendar cal{hours};
  EXPECT_TRUE(cal.is_open(jst(2026, 9, 25, 23, 59)));
  EXPECT_TRUE(cal.is_open(jst(2026, 9, 26, 0, 0)));
  EXPECT_FALSE(cal.is_open(jst(2026, 9, 26, 2, 0)));
  EXPECT_FALSE(cal.closed_since(jst(2026, 9, 26, 0, 0)));
  EXPECT_EQ(cal.next_opening(jst(2026, 9, 26, 0, 0)), jst(2026, 9, 26, 0, 0));
  EXPECT_EQ(cal.next_opening(jst(2026, 9, 25, 19, 0)), jst(2026, 9, 25, 20, 0));
  EXPECT_EQ(cal.closed_since(jst(2026, 9, 26, 3, 0)), jst(2026, 9, 26, 2, 0));
  EXPECT_EQ(cal.closed_since(jst(2026, 9, 27, 12, 0)), jst(2026, 9, 26, 2, 0));
  EXPECT_EQ(cal.next_opening(jst(2026, 9, 26, 3, 0)), jst(2026, 10, 2, 20, 0));
}

TEST(Parsing, Dates) {
  EXPECT_EQ(parse_date("2026-09-22"), ymd(2026, 9, 22));
  EXPECT_EQ(parse_date("2024-02-29"), ymd(2024, 2, 29));
  EXPECT_FALSE(parse_date("2026-02-30"));
  EXPECT_FALSE(parse_date("2025-02-29"));
  EXPECT_FALSE(parse_date("2026-2-3"));
  EXPECT_FALSE(parse_date("20260203"));
  EXPECT_FALSE(parse_date("2026-13-01"));
  EXPECT_FALSE(parse_date("2026-00-10"));
  EXPECT_FALSE(parse_date("2026/02/03"));
  EXPECT_FALSE(parse_date("2026-02-03 "));
  EXPECT_FALSE(parse_date("+026-02-03"));
  EXPECT_FALSE(parse_date(""));
}

TEST(Parsing, TimeRanges) {
  const auto a = parse_time_range("8:30-17:15");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->start_min, 510);
  EXPECT_EQ(a->end_min, 1035);
  const auto b = parse_time_range("08:30-24:00");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->start_min, 510);
  EXPECT_EQ(b->end_min, 1440);
  EXPECT_EQ(format_time_range(*b), "8:30-24:00");
  EXPECT_EQ(format_time_range(TimeRange{0, 65}), "0:00-1:05");
  EXPECT_FALSE(parse_time_range("17:00-08:00"));
  EXPECT_FALSE(parse_time_range("25:00-26:00"));
  EXPECT_FALSE(parse_time_range("8:3-9:00"));
  EXPECT_FALSE(parse_time_range("9:00-9:00"));
  EXPECT_FALSE(parse_time_range("9:00-24:01"));
  EXPECT_FALSE(parse_time_range("9:60-10:00"));
  EXPECT_FALSE(parse_time_range("009:00-10:00"));
  EXPECT_FALSE(parse_time_range("9:00 - 10:00"));
  EXPECT_FALSE(parse_time_range("9:00-10:00-11:00"));
  EXPECT_FALSE(parse_time_range("9:00"));
  EXPECT_FALSE(parse_time_range(""));
}

// {受付時間} of a 定型文: Monday first, equal days joined, closures said.
TEST(Calendar, WeekDescribedAsResidentsReadIt) {
  WindowHours h;
  for (int d = 1; d <= 5; ++d) h.weekly[static_cast<std::size_t>(d)] = {{510, 1035}};
  EXPECT_EQ(describe_week(h), "月〜金 8:30-17:15（祝日・年末年始は休み）");
  h.weekly[6] = {{540, 720}};
  h.closed_on_holidays = false;
  EXPECT_EQ(describe_week(h), "月〜金 8:30-17:15、土 9:00-12:00（年末年始は休み）");
  h.weekly[3] = {{510, 720}, {780, 1035}};
  h.year_end_closure = false;
  EXPECT_EQ(describe_week(h), "月・火 8:30-17:15、水 8:30-12:00,13:00-17:15、木・金 8:30-17:15、土 9:00-12:00");
  EXPECT_EQ(describe_week(WindowHours{}), "受付時間は窓口にお問い合わせください");
}

}  // namespace
}  // namespace madoguchi::triage
