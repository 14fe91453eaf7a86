// libFuzzer: the server's request-head path (server.cpp serve()) on arbitrary bytes:
// find_head_end, raw_head_refusal, Beast's request_parser with the server's limits, then
// header_refusal, and the body read as serve() reads it. A head that passes every check
// must have exactly the framing framing.hpp promises, seen both through Beast's fields and
// through an independent scan of the raw lines (a disagreement would be a smuggled request).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "gateway/http/framing.hpp"
#include "gateway/http/server.hpp"

namespace bhttp = boost::beast::http;
using namespace madoguchi;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The head's lines as a reader that knows nothing of Beast splits them: the request line,
// then "name: value" field lines up to the empty line. Counts of each lower-case name, and
// the last value seen per name.
struct RawHead {
  std::string request_line;
  std::map<std::string, int> counts;
  std::map<std::string, std::string> values;
};

RawHead scan(std::string_view head) {
  RawHead raw;
  bool first = true;
  while (!head.empty()) {
    auto nl = head.find('\n');
    auto line = head.substr(0, nl);
    head = nl == std::string_view::npos ? std::string_view() : head.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first) {
      raw.request_line = std::string(line);
      first = false;
      continue;
    }
    if (line.empty()) break;
    const auto colon = line.find(':');
    require(colon != std::string_view::npos && colon > 0);  // Beast accepted it: a field line
    const auto name = lower(line.substr(0, colon));
    ++raw.counts[name];
    raw.values[name] = std::string(trim(line.substr(colon + 1)));
  }
  return raw;
}

bool is_singleton(const std::string& name) {
  static const char* const names[] = {"host", "content-length", "transfer-encoding", "content-type", "origin",
                                      "cookie", "authorization", "x-csrf-token", "upgrade", "sec-websocket-key"};
  for (const char* n : names)
    if (name == n) return true;
  return name.size() >= 10 && name.substr(name.size() - 10) == "-signature";
}

// What a head that passed raw_head_refusal, the parser and header_refusal must look like.
void check_accepted(std::string_view head, const bhttp::request_parser<bhttp::string_body>& parser) {
  // raw_head_refusal: no NUL, no bare CR, no line (after the first) starting with SP/HTAB.
  require(head.find('\0') == std::string_view::npos);
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '\r') require(i + 1 < head.size() && head[i + 1] == '\n');
    if (head[i] == '\n' && i + 1 < head.size()) require(head[i + 1] != ' ' && head[i + 1] != '\t');
  }

  const auto& h = parser.get();
  const unsigned version = h.version();
  require(version == 10 || version == 11);

  const RawHead raw = scan(head);
  const std::string_view version_text = version == 11 ? "HTTP/1.1" : "HTTP/1.0";
  require(raw.request_line.size() >= 8 && raw.request_line.substr(raw.request_line.size() - 8) == version_text);
  for (const auto& [name, n] : raw.counts)
    if (is_singleton(name)) require(n == 1);
  if (version == 11) require(raw.counts.count("host") == 1);
  // Beast saw the same fields the raw scan saw.
  std::size_t fields = 0;
  for (const auto& f : h) {
    ++fields;
    require(raw.counts.count(lower(f.name_string())) == 1);
  }
  std::size_t raw_fields = 0;
  for (const auto& [name, n] : raw.counts) raw_fields += static_cast<std::size_t>(n);
  require(fields == raw_fields);

  // One way to find the body's end, and Beast agrees with it.
  const bool has_te = raw.counts.count("transfer-encoding") == 1;
  const bool has_cl = raw.counts.count("content-length") == 1;
  require(!(has_te && has_cl));
  if (has_te) {
    require(version == 11);
    require(boost::beast::iequals(raw.values.at("transfer-encoding"), "chunked"));
    require(parser.chunked());
  } else {
    require(!parser.chunked());
  }
  if (has_cl) {
    const auto& v = raw.values.at("content-length");
    require(!v.empty() && v.find_first_not_of("0123456789") == std::string::npos);
    require(parser.content_length().has_value());
    // The value Beast will read is the value every other reader of the raw line reads.
    auto digits = v.substr(std::min(v.find_first_not_of('0'), v.size()));
    if (digits.empty()) digits = "0";
    require(digits == std::to_string(*parser.content_length()));
  } else if (!has_te) {
    require(parser.is_done());  // no length and not chunked: a request has no body
  }
}

// serve() on one connection's first bytes with these limits.
void serve_once(std::string_view bytes, std::size_t header_bytes, std::size_t body_bytes) {
  const auto end = http::find_head_end(bytes);
  if (!end) return;  // the server reads on (or answers 431 beyond header_bytes)
  require(*end >= 2 && *end <= bytes.size() && bytes[*end - 1] == '\n');
  require(!http::find_head_end(bytes.substr(0, *end - 1)));  // the first empty line, not a later one
  if (*end > header_bytes) return;  // 431
  const auto head = bytes.substr(0, *end);

  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(header_bytes));
  parser.body_limit(body_bytes);
  if (http::raw_head_refusal(head)) return;  // 400
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(head.data(), head.size()), ec);
  if (ec == bhttp::error::body_limit) return;  // 413
  if (ec || !parser.is_header_done()) return;  // 400
  if (http::header_refusal(parser.get().base())) return;  // 400
  check_accepted(head, parser);

  // The body as serve() reads it: put() what follows the head, the parser keeping the rest.
  const auto declared = parser.content_length();
  std::string_view rest = bytes.substr(*end);
  while (!parser.is_done() && !rest.empty()) {
    const auto used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    if (ec == bhttp::error::need_more) break;
    if (ec) return;  // 413 for body_limit, 400 for a bad chunk
    if (used == 0) break;
    rest.remove_prefix(used);
  }
  const auto& body = parser.get().body();
  require(body.size() <= body_bytes);
  if (parser.is_done() && declared) require(body.size() == *declared);
  if (declared) require(body.size() <= *declared);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The server's defaults, and the smallest limits the configuration accepts (config.cpp
  // server.limits: header_bytes and body_bytes ≥ 1024), so the 431 and 413 paths are taken.
  static const http::ServerOptions defaults;
  serve_once(bytes, defaults.header_bytes, defaults.body_bytes);
  serve_once(bytes, 1024, 1024);
  return 0;
}
