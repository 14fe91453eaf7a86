#include "gateway/core/utf8.hpp"

#include <unicode/utf8.h>

#include <cstdint>

namespace madoguchi::utf8 {

int next(std::string_view text, std::size_t& i) {
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
  auto pos = static_cast<std::int32_t>(i);
  const auto length = static_cast<std::int32_t>(text.size());
  UChar32 c = 0;
  U8_NEXT(s, pos, length, c);
  i = static_cast<std::size_t>(pos);
  return c;  // U_SENTINEL (-1) when ill-formed
}

void append(std::string& out, int c) {
  std::uint8_t buffer[U8_MAX_LENGTH];
  std::int32_t n = 0;
  U8_APPEND_UNSAFE(buffer, n, c);
  out.append(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(n));
}

std::size_t sequence_length(std::string_view text, std::size_t i) {
  std::size_t end = i;
  next(text, end);
  return end - i;
}

std::size_t sequence_start(std::string_view text, std::size_t i) {
  if (i >= text.size()) return i;
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
  auto pos = static_cast<std::int32_t>(i);
  U8_SET_CP_START(s, 0, pos);
  return static_cast<std::size_t>(pos);
}

bool valid(std::string_view text) {
  for (std::size_t i = 0; i < text.size();)
    if (next(text, i) < 0) return false;
  return true;
}

std::size_t code_points(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++count) next(text, i);
  return count;
}

std::size_t utf16_units(std::string_view text) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < text.size();) {
    const int c = next(text, i);
    units += c > 0xFFFF ? 2 : 1;
  }
  return units;
}

}  // namespace madoguchi::utf8
