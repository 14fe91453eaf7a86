#include "gateway/outbox/split.hpp"

namespace madoguchi::outbox {
namespace {

// Length in bytes of the UTF-8 sequence starting with `lead` (1 for anything unexpected).
std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

bool is_break_after(std::string_view cp) {
  return cp == "\n" || cp == "。" || cp == "！" || cp == "？" || cp == "．";
}

}  // namespace

bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const auto n = sequence_length(lead);
    if (n == 1 && lead >= 0x80) return false;
    if (i + n > text.size()) return false;
    std::uint32_t cp = n == 1 ? lead : lead & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(text[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    // Overlong forms, surrogates and values beyond U+10FFFF are not UTF-8.
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n;
  }
  return true;
}

std::size_t utf16_units(std::string_view utf8) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto n = sequence_length(static_cast<unsigned char>(utf8[i]));
    units += n == 4 ? 2 : 1;
    i += n;
  }
  return units;
}

std::size_t code_points(std::string_view utf8) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < utf8.size(); i += sequence_length(static_cast<unsigned char>(utf8[i]))) ++count;
  return count;
}

std::vector<std::string> split_text(std::string_view text, std::size_t max_units) {
  std::vector<std::string> pieces;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t i = start, units = 0, last_break = std::string_view::npos;
    while (i < text.size()) {
      const auto n = sequence_length(static_cast<unsigned char>(text[i]));
      const std::size_t u = n == 4 ? 2 : 1;
      if (units + u > max_units) break;
      units += u;
      if (is_break_after(text.substr(i, n))) last_break = i + n;
      i += n;
    }
    // Prefer a sentence or line end in the last fifth of the piece.
    std::size_t end = i;
    if (i < text.size() && last_break != std::string_view::npos &&
        utf16_units(text.substr(start, last_break - start)) * 5 >= max_units * 4)
      end = last_break;
    pieces.emplace_back(text.substr(start, end - start));
    start = end;
  }
  return pieces;
}

std::vector<std::vector<std::string>> group_requests(std::vector<std::string> pieces, std::size_t per_request) {
  std::vector<std::vector<std::string>> requests;
  for (auto& p : pieces) {
    if (requests.empty() || requests.back().size() >= per_request) requests.emplace_back();
    requests.back().push_back(std::move(p));
  }
  return requests;
}

}  // namespace madoguchi::outbox
