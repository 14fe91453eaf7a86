#include <gtest/gtest.h>

#include "gateway/console/case_rules.hpp"

namespace madoguchi::console {
namespace {

TEST(CaseRules, DatesMustNameACalendarDay) {
  EXPECT_TRUE(valid_date("2026-12-03"));
  EXPECT_TRUE(valid_date("2028-02-29"));   // leap year
  EXPECT_FALSE(valid_date("2026-02-29"));  // not a leap year
  EXPECT_FALSE(valid_date("2026-02-31"));
  EXPECT_FALSE(valid_date("2026-04-31"));
  EXPECT_FALSE(valid_date("2026-13-01"));
  EXPECT_FALSE(valid_date("2026-00-10"));
  EXPECT_FALSE(valid_date("2026-01-00"));
  EXPECT_FALSE(valid_date("2026-1-01"));
  EXPECT_FALSE(valid_date("２０２６-01-01"));
  EXPECT_FALSE(valid_date(""));
}

}  // namespace
}  // namespace madoguchi::console
