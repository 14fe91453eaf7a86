#pragma once
// Japanese national holidays, computed from the rules of the Act on National Holidays
// (国民の祝日に関する法律) so no per-year table has to be maintained for 2000–2099.
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace madoguchi::triage {

// The national holiday on `day` (Act on National Holidays, 国民の祝日に関する法律), with its Japanese
// name; nullopt when `day` is not one. Computed (no table of years) for 2000–2099; days outside
// that range (and invalid dates) always give nullopt rather than a guess.
std::optional<std::string> japan_holiday(std::chrono::year_month_day day);

// Every holiday of `year` (same rules and names as japan_holiday), sorted by date.
std::vector<std::pair<std::chrono::year_month_day, std::string>> japan_holidays(std::chrono::year year);

}  // namespace madoguchi::triage
