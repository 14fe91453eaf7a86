#include "gateway/http/framing.hpp"

#include <boost/beast/core/string.hpp>

#include <map>

namespace madoguchi::http {
namespace {

namespace bhttp = boost::beast::http;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Fields that must appear at most once: a second copy is either a mistake or an attempt
// to make two readers see two values.
bool singleton(const std::string& name) {
  static const char* const names[] = {"host", "content-length", "transfer-encoding", "content-type", "origin",
                                      "cookie", "authorization", "x-csrf-token", "upgrade", "sec-websocket-key"};
  for (const char* n : names)
    if (name == n) return true;
  return ends_with(name, "-signature");
}

}  // namespace

std::optional<std::size_t> find_head_end(std::string_view bytes) {
  for (std::size_t i = bytes.find('\n'); i != std::string_view::npos; i = bytes.find('\n', i + 1)) {
    if (i + 1 < bytes.size() && bytes[i + 1] == '\n') return i + 2;
    if (i + 2 < bytes.size() && bytes[i + 1] == '\r' && bytes[i + 2] == '\n') return i + 3;
  }
  return std::nullopt;
}

std::optional<std::string> raw_head_refusal(std::string_view head) {
  if (head.find('\0') != std::string_view::npos) return "NUL in the header block";
  for (std::size_t i = 0; i < head.size(); ++i)
    if (head[i] == '\r' && (i + 1 >= head.size() || head[i + 1] != '\n')) return "bare CR in the header block";
  // Line starts after the request line: obs-fold is "SP/HTAB at the start of a field line".
  for (std::size_t i = head.find('\n'); i != std::string_view::npos && i + 1 < head.size(); i = head.find('\n', i + 1))
    if (head[i + 1] == ' ' || head[i + 1] == '\t') return "obs-fold (a folded header line)";
  return std::nullopt;
}

std::optional<std::string> header_refusal(const bhttp::request_header<>& header) {
  const unsigned version = header.version();
  if (version != 10 && version != 11) return "HTTP version other than 1.0 or 1.1";
  std::map<std::string, int> counts;
  for (const auto& field : header) {
    auto name = lower(field.name_string());
    if (++counts[name] > 1 && singleton(name)) return "repeated " + name + " field";
  }
  if (version == 11 && counts["host"] != 1) return "HTTP/1.1 without a Host field";
  if (counts["content-length"] == 1) {
    auto value = trim(header[bhttp::field::content_length]);
    if (value.empty() || value.find_first_not_of("0123456789") != std::string_view::npos)
      return "Content-Length that is not one decimal number";
  }
  if (counts["transfer-encoding"] == 1) {
    if (version == 10) return "Transfer-Encoding on HTTP/1.0";
    if (counts["content-length"]) return "both Transfer-Encoding and Content-Length";
    // Only exactly "chunked": we decode no other coding, and anything that does not end in
    // chunked leaves the body's length to the connection's end, which a request cannot have.
    if (!boost::beast::iequals(trim(header[bhttp::field::transfer_encoding]), "chunked"))
      return "Transfer-Encoding other than chunked";
  }
  return std::nullopt;
}

}  // namespace madoguchi::http
