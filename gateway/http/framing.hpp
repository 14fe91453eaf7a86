#pragma once
// Request framing as RFC 9112 wants it refused. Beast's parser is lenient where a proxy in
// front of us may not be (a Transfer-Encoding that does not end in chunked, obs-fold, two
// Host headers, "Content-Length: 5, 5"), and a disagreement about where a request ends is a
// smuggled request. So the server reads the header block first, checks it here, and only
// then lets the parser read the body. Pure functions: no I/O, no Asio.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>

namespace madoguchi::http {

// The length of the header block (request line, fields and the empty line) at the start of
// `bytes`, or nullopt while it is incomplete. A bare LF ends a line too, so that a head
// with bare LFs is found (and then refused by the parser) instead of waiting for a CRLF.
std::optional<std::size_t> find_head_end(std::string_view bytes);

// Why the raw header block must be refused, or nullopt: obs-fold (a line starting with a
// space or tab), a NUL or a bare CR anywhere in it.
std::optional<std::string> raw_head_refusal(std::string_view head);

// Why a parsed header must be refused, or nullopt: HTTP other than 1.0/1.1, Host missing (1.1)
// or repeated, Content-Length repeated or a list, Transfer-Encoding on HTTP/1.0, with a
// Content-Length, repeated, or anything but exactly "chunked", and repeated singleton fields
// whose first copy another hop may not be the one that counts (Content-Type, Origin, Cookie,
// Authorization, X-CSRF-Token, and every *-Signature field).
std::optional<std::string> header_refusal(const boost::beast::http::request_header<>& header);

}  // namespace madoguchi::http
