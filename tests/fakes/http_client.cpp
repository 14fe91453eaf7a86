#include "tests/fakes/http_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <optional>

namespace madoguchi::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (beast::iequals(key, name)) return value;
  return {};
}

struct HttpClient::Impl {
  Impl(std::uint16_t p, std::chrono::milliseconds t) : port(p), timeout(t) {}
  std::uint16_t port;
  std::chrono::milliseconds timeout;
  asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  // Runs the queued async operation to completion; the stream's expiry bounds it.
  void run() {
    io.restart();
    io.run();
  }
};

HttpClient::HttpClient(std::uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(port, timeout)) {}

HttpClient::~HttpClient() { close(); }

std::string HttpClient::origin() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }

void HttpClient::close() {
  if (!impl_->stream) return;
  boost::system::error_code ec;
  impl_->stream->socket().shutdown(tcp::socket::shutdown_both, ec);
  impl_->stream->socket().close(ec);
  impl_->stream.reset();
  impl_->buffer.clear();
}

boost::system::result<HttpResponse> HttpClient::request(std::string_view method, std::string_view target,
                                                        std::string body, const Headers& headers) {
  auto& s = *impl_;
  boost::system::error_code ec;
  if (!s.stream) {
    s.stream.emplace(s.io);
    s.stream->expires_after(s.timeout);
    s.stream->async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), s.port),
                            [&ec](boost::system::error_code e) { ec = e; });
    s.run();
    ++connections_opened_;
    if (ec) {
      close();
      return ec;
    }
    s.stream->socket().set_option(tcp::no_delay(true), ec);
  }

  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(s.port));
  for (const auto& [name, value] : headers) req.insert(name, value);
  if (!body.empty() && req[bhttp::field::content_type].empty()) req.set(bhttp::field::content_type, "application/json");
  req.body() = std::move(body);
  req.prepare_payload();

  s.stream->expires_after(s.timeout);
  bhttp::async_write(*s.stream, req, [&ec](boost::system::error_code e, std::size_t) { ec = e; });
  s.run();
  // A server that refuses early (413, 431) may close while we still write: its answer can
  // still be waiting in our receive buffer, so read it before giving up.
  const auto write_error = ec;

  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  s.stream->expires_after(s.timeout);
  bhttp::async_read(*s.stream, s.buffer, parser, [&ec](boost::system::error_code e, std::size_t) { ec = e; });
  s.run();
  if (ec) {
    close();
    return write_error ? write_error : ec;
  }
  auto message = parser.release();
  HttpResponse response;
  response.status = message.result_int();
  response.body = std::move(message.body());
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    response.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  if (!message.keep_alive()) close();
  return response;
}

}  // namespace madoguchi::testing
