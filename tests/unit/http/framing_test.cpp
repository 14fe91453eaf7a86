// Request framing, as a table: request bytes → refused (400 and the connection closed, and
// nothing after it served) or accepted. The refused rows follow the strict request cases of
// llhttp's test suite (test/request/*.md: invalid.md, transfer-encoding.md,
// content-length.md, connection.md), written again here as bytes, plus the smuggling
// variants an attacker tried against us (issue 14, finding 1).
#include <gtest/gtest.h>

#include "gateway/http/framing.hpp"
#include "tests/unit/http/test_server.hpp"

namespace madoguchi::http {
namespace {

struct Case {
  const char* name;
  std::string bytes;
  bool accepted;
};

// A signed webhook an attacker hides in a body the server must not mistake for an empty one.
const std::string kHidden = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
std::string post(std::string fields, std::string body = "") {
  return "POST /echo/a HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n" + body;
}

std::vector<Case> cases() {
  return {
      // Accepted: what real clients send.
      {"plain GET", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", true},
      {"POST with Content-Length", post("Content-Length: 5\r\n", "hello"), true},
      {"Content-Length with leading zeroes", post("Content-Length: 005\r\n", "hello"), true},
      {"chunked", post("Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n"), true},
      {"chunked in upper case", post("Transfer-Encoding: Chunked\r\n", "5\r\nhello\r\n0\r\n\r\n"), true},
      {"chunked with a trailer", post("Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"), true},
      {"HTTP/1.0 without Host", "GET /healthz HTTP/1.0\r\n\r\n", true},
      {"tab in a value, UTF-8 in a value", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\tb \xe7\xaa\x93\r\n\r\n", true},
      {"repeated ordinary field", "GET /healthz HTTP/1.1\r\nHost: x\r\nAccept: a\r\nAccept: b\r\n\r\n", true},

      // Transfer-Encoding (llhttp transfer-encoding.md and the smuggling variants).
      {"TE gzip hides a request", post("Transfer-Encoding: gzip\r\n", kHidden), false},
      {"TE identity hides a request", post("Transfer-Encoding: identity\r\n", kHidden), false},
      {"TE x-chunked", post("Transfer-Encoding: x-chunked\r\n", kHidden), false},
      {"TE chunked, identity", post("Transfer-Encoding: chunked, identity\r\n", kHidden), false},
      {"TE gzip, chunked (we decode no gzip)", post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"), false},
      {"TE chunked twice in one field", post("Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n"), false},
      {"TE in two fields", post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), false},
      {"TE empty", post("Transfer-Encoding: \r\n", kHidden), false},
      {"TE and Content-Length", post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n"), false},
      {"Content-Length and TE", post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"), false},
      {"identity and Content-Length", post("Transfer-Encoding: identity\r\nContent-Length: 5\r\n", "hello"), false},
      {"TE on HTTP/1.0", "POST /echo/a HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false},
      {"TE with a space before the colon", post("Transfer-Encoding : chunked\r\n", "0\r\n\r\n"), false},
      {"TE behind a control character", post("\x01Transfer-Encoding: chunked\r\n", "0\r\n\r\n"), false},
      {"TE value with a control character", post("Transfer-Encoding: \x01" "chunked\r\n", "0\r\n\r\n"), false},
      {"TE vertical tab", post("Transfer-Encoding:\x0b" "chunked\r\n", "0\r\n\r\n"), false},
      {"chunk size not hex", post("Transfer-Encoding: chunked\r\n", "zz\r\nhello\r\n0\r\n\r\n"), false},
      {"chunk size overflow", post("Transfer-Encoding: chunked\r\n", "ffffffffffffffffffff\r\nx\r\n0\r\n\r\n"), false},
      {"chunk without CRLF after data", post("Transfer-Encoding: chunked\r\n", "5\r\nhelloXX0\r\n\r\n"), false},

      // Content-Length (llhttp content-length.md).
      {"Content-Length twice, same value", post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello"), false},
      {"Content-Length twice, other value", post("Content-Length: 5\r\nContent-Length: 0\r\n", "hello"), false},
      {"Content-Length list", post("Content-Length: 5, 5\r\n", "hello"), false},
      {"Content-Length with a sign", post("Content-Length: +5\r\n", "hello"), false},
      {"Content-Length negative", post("Content-Length: -1\r\n", "hello"), false},
      {"Content-Length in hex", post("Content-Length: 0x5\r\n", "hello"), false},
      {"Content-Length with a space inside", post("Content-Length: 1 2\r\n", "hello"), false},
      {"Content-Length overflow", post("Content-Length: 99999999999999999999999\r\n", ""), false},
      {"Content-Length with a space before the colon", post("Content-Length : 5\r\n", "hello"), false},

      // obs-fold and line endings (llhttp invalid.md, strict mode).
      {"obs-fold hides a Content-Length", post("X-A: a\r\n Content-Length: 35\r\n", kHidden), false},
      {"obs-fold with a tab", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n", false},
      {"space before the first field", "GET /healthz HTTP/1.1\r\n Host: x\r\n\r\n", false},
      {"bare LF line ends", "GET /healthz HTTP/1.1\nHost: x\n\n", false},
      {"bare LF after a field", "GET /healthz HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n", false},
      {"bare CR in a value", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", false},
      {"NUL in a value", std::string("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n", 44), false},
      {"field name with a space", "GET /healthz HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n", false},
      {"field name with @", "GET /healthz HTTP/1.1\r\nHost: x\r\nX@A: b\r\n\r\n", false},
      {"field without a colon", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A\r\n\r\n", false},
      {"empty field name", "GET /healthz HTTP/1.1\r\nHost: x\r\n: b\r\n\r\n", false},

      // Request line.
      {"HTTP/1.2", "GET /healthz HTTP/1.2\r\nHost: x\r\n\r\n", false},
      {"HTTP/2.0", "GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", false},
      {"HTTP/0.9 style", "GET /healthz\r\n\r\n", false},
      {"lower-case version", "GET /healthz http/1.1\r\nHost: x\r\n\r\n", false},
      {"two spaces after the method", "GET  /healthz HTTP/1.1\r\nHost: x\r\n\r\n", false},
      {"method with @", "G@T /healthz HTTP/1.1\r\nHost: x\r\n\r\n", false},
      {"control character in the target", "GET /heal\x01thz HTTP/1.1\r\nHost: x\r\n\r\n", false},
      {"absolute-form target", "GET http://evil.example/healthz HTTP/1.1\r\nHost: x\r\n\r\n", false},

      // Host (RFC 9112 §3.2) and singleton fields.
      {"HTTP/1.1 without Host", "GET /healthz HTTP/1.1\r\n\r\n", false},
      {"two Host fields", "GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", false},
      {"two signature fields", post("Content-Length: 0\r\nX-Line-Signature: a\r\nX-Line-Signature: b\r\n"), false},
      {"two Content-Type fields", post("Content-Length: 0\r\nContent-Type: a/b\r\nContent-Type: c/d\r\n"), false},
      {"two Origin fields", "GET /healthz HTTP/1.1\r\nHost: x\r\nOrigin: a\r\nOrigin: b\r\n\r\n", false},
  };
}

// Sends the bytes, reads one answer; then closes its side and counts what else came back.
struct Outcome {
  int status = 0;
  bool keep_alive = true;
  std::string rest;  // bytes after the first answer
};

Outcome exchange(std::uint16_t port, const std::string& bytes) {
  Client client(port);
  client.send(bytes);
  Outcome out;
  bhttp::response<bhttp::string_body> res;
  boost::system::error_code ec;
  bhttp::read(client.socket, client.buffer, res, ec);
  if (ec) return out;
  out.status = res.result_int();
  out.keep_alive = res.keep_alive();
  client.socket.shutdown(tcp::socket::shutdown_send, ec);
  out.rest.assign(static_cast<const char*>(client.buffer.data().data()), client.buffer.size());
  std::array<char, 4096> scratch;
  for (;;) {
    auto n = client.socket.read_some(asio::buffer(scratch), ec);
    if (ec) break;
    out.rest.append(scratch.data(), n);
  }
  return out;
}

TEST(Framing, TableOfRequestsRefusedAndAccepted) {
  Router router = test_router();
  RunningServer server(small_options(), router);
  int refused = 0, accepted = 0, wrong = 0;
  for (const auto& c : cases()) {
    SCOPED_TRACE(c.name);
    auto out = exchange(server.port(), c.bytes);
    if (c.accepted) {
      EXPECT_EQ(out.status, 200);
      ++accepted;
    } else {
      EXPECT_EQ(out.status, 400);
      EXPECT_FALSE(out.keep_alive);
      // Nothing smuggled behind it was served.
      EXPECT_EQ(out.rest.find("HTTP/1."), std::string::npos) << out.rest;
      ++refused;
    }
    wrong += c.accepted ? out.status != 200 : out.status != 400 || out.rest.find("HTTP/1.") != std::string::npos;
  }
  // The figures for the closing note.
  std::printf("framing: %d refused as required, %d accepted, %d answered wrongly\n", refused, accepted, wrong);
}

TEST(Framing, ThePieces) {
  EXPECT_EQ(find_head_end("GET / HTTP/1.1\r\nHost: x\r\n\r\nbody"), 27u);
  EXPECT_EQ(find_head_end("GET / HTTP/1.1\nHost: x\n\nbody"), 24u);
  EXPECT_FALSE(find_head_end("GET / HTTP/1.1\r\nHost: x\r\n"));
  EXPECT_TRUE(raw_head_refusal("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n"));
  EXPECT_FALSE(raw_head_refusal("GET / HTTP/1.1\r\nA: b c\r\n\r\n"));
}

TEST(Framing, PipelinedRequestsAfterAValidBodyAreStillServed) {
  Router router = test_router();
  RunningServer server(small_options(), router);
  Client client(server.port());
  client.send(post("Content-Length: 5\r\n", "hello") + kHidden);
  EXPECT_EQ(client.read().body(), "a:5:");
  EXPECT_EQ(client.read().body(), R"({"status":"ok"})");
}

}  // namespace
}  // namespace madoguchi::http
