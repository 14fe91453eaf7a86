#include "gateway/outbox/split.hpp"

#include "gateway/core/utf8.hpp"

namespace madoguchi::outbox {
namespace {

bool is_break_after(std::string_view cp) {
  return cp == "\n" || cp == "。" || cp == "！" || cp == "？" || cp == "．";
}

}  // namespace

std::vector<std::string> split_text(std::string_view text, std::size_t max_units) {
  std::vector<std::string> pieces;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t i = start, units = 0, last_break = std::string_view::npos;
    while (i < text.size()) {
      std::size_t after = i;
      const std::size_t u = utf8::next(text, after) > 0xFFFF ? 2 : 1;
      const std::size_t n = after - i;
      if (units + u > max_units) break;
      units += u;
      if (is_break_after(text.substr(i, n))) last_break = i + n;
      i += n;
    }
    // Prefer a sentence or line end in the last fifth of the piece.
    std::size_t end = i;
    if (i < text.size() && last_break != std::string_view::npos &&
        utf8::utf16_units(text.substr(start, last_break - start)) * 5 >= max_units * 4)
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
