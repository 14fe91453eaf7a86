#include "adapters/common/http_client.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <deque>
#include <optional>
#include <stdexcept>

#include "gateway/core/errc.hpp"

namespace madoguchi::adapters {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
// An idle keep-alive connection older than this is closed rather than reused: a server
// may have closed it meanwhile, and a POST on a dead connection cannot be safely redone.
constexpr auto kIdleReuse = std::chrono::seconds(4);

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct Connection {
  std::unique_ptr<PlainStream> plain;
  std::unique_ptr<TlsStream> tls;
  beast::flat_buffer buffer;
  SteadyClock::time_point idle_since;
  beast::tcp_stream& lowest() { return plain ? *plain : beast::get_lowest_layer(*tls); }
};

boost::system::error_code as_error(errc e) { return make_error_code(e); }

}  // namespace

struct HttpClient::Impl {
  asio::any_io_executor executor;
  HttpClientOptions options;
  bool https = false;
  std::string host, port, prefix;
  std::optional<asio::ssl::context> ssl;
  std::deque<std::unique_ptr<Connection>> idle;

  asio::awaitable<std::unique_ptr<Connection>> connect(SteadyClock::time_point deadline,
                                                       boost::system::error_code& error) {
    auto conn = std::make_unique<Connection>();
    tcp::resolver resolver(executor);
    // The resolver has no deadline of its own: a timer closes it.
    asio::steady_timer guard(executor, deadline);
    guard.async_wait([&resolver](boost::system::error_code ec) {
      if (!ec) resolver.cancel();
    });
    auto [rec, endpoints] = co_await resolver.async_resolve(host, port, nothrow);
    guard.cancel();
    if (rec) {
      error = as_error(errc::upstream_connect_failed);
      co_return nullptr;
    }
    if (https) {
      conn->tls = std::make_unique<TlsStream>(executor, *ssl);
      if (!SSL_set_tlsext_host_name(conn->tls->native_handle(), host.c_str())) {
        error = as_error(errc::upstream_connect_failed);
        co_return nullptr;
      }
      conn->tls->set_verify_callback(asio::ssl::host_name_verification(host));
    } else {
      conn->plain = std::make_unique<PlainStream>(executor);
    }
    conn->lowest().expires_at(deadline);
    auto [cec, endpoint] = co_await conn->lowest().async_connect(endpoints, nothrow);
    if (cec) {
      error = as_error(cec == beast::error::timeout ? errc::upstream_timeout : errc::upstream_connect_failed);
      co_return nullptr;
    }
    conn->lowest().socket().set_option(tcp::no_delay(true));
    if (https) {
      auto [hec] = co_await conn->tls->async_handshake(asio::ssl::stream_base::client, nothrow);
      if (hec) {
        error = as_error(hec == beast::error::timeout ? errc::upstream_timeout : errc::upstream_connect_failed);
        co_return nullptr;
      }
    }
    co_return conn;
  }

  template <class Stream>
  static asio::awaitable<void> exchange(Stream& stream, Connection& conn,
                                        bhttp::request<bhttp::string_body>& req, std::size_t limit,
                                        HttpExchange& out, bool& keep_alive) {
    auto [wec, written] = co_await bhttp::async_write(stream, req, nothrow);
    (void)written;
    out.request_written = true;  // from here on the provider may have seen it
    if (wec) {
      out.error = wec == beast::error::timeout ? as_error(errc::upstream_timeout) : wec;
      co_return;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(limit);
    parser.header_limit(16 * 1024);
    auto [rec, read] = co_await bhttp::async_read(stream, conn.buffer, parser, nothrow);
    (void)read;
    if (rec) {
      if (rec == beast::error::timeout) out.error = as_error(errc::upstream_timeout);
      else if (rec == bhttp::error::body_limit) out.error = as_error(errc::upstream_too_large);
      else if (rec == bhttp::error::header_limit) out.error = as_error(errc::upstream_protocol);
      else out.error = rec;
      co_return;
    }
    auto& res = parser.get();
    out.status = res.result_int();
    out.body = std::move(res.body());
    if (auto it = res.find(bhttp::field::retry_after); it != res.end()) out.retry_after = std::string(it->value());
    if (auto it = res.find(bhttp::field::content_type); it != res.end()) out.content_type = std::string(it->value());
    keep_alive = res.keep_alive();
  }
};

HttpClient::HttpClient(asio::any_io_executor executor, HttpClientOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->executor = std::move(executor);
  auto url = boost::urls::parse_absolute_uri(options.base_url);
  if (!url) throw std::invalid_argument("invalid base URL: " + options.base_url);
  const auto scheme = std::string(url->scheme());
  if (scheme != "http" && scheme != "https") throw std::invalid_argument("base URL must be http or https: " + options.base_url);
  impl_->https = scheme == "https";
  impl_->host = std::string(url->host_address());
  if (impl_->host.empty()) throw std::invalid_argument("base URL has no host: " + options.base_url);
  impl_->port = url->has_port() ? std::string(url->port()) : (impl_->https ? "443" : "80");
  impl_->prefix = std::string(url->encoded_path());
  while (!impl_->prefix.empty() && impl_->prefix.back() == '/') impl_->prefix.pop_back();
  if (impl_->https) {
    impl_->ssl.emplace(asio::ssl::context::tls_client);
    impl_->ssl->set_options(asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    impl_->ssl->set_default_verify_paths();
    impl_->ssl->set_verify_mode(asio::ssl::verify_peer);
  }
  impl_->options = std::move(options);
}

HttpClient::~HttpClient() = default;

std::size_t HttpClient::idle_connections() const { return impl_->idle.size(); }

asio::awaitable<HttpExchange> HttpClient::request(std::string method, std::string target, Headers headers,
                                                  std::string body, RequestLimits limits) {
  auto& d = *impl_;
  HttpExchange out;
  const auto timeout = limits.timeout.count() > 0 ? limits.timeout : d.options.timeout;
  const auto max_bytes = limits.max_response_bytes > 0 ? limits.max_response_bytes : d.options.max_response_bytes;
  const auto deadline = SteadyClock::now() + timeout;

  std::unique_ptr<Connection> conn;
  while (!d.idle.empty() && !conn) {
    conn = std::move(d.idle.front());
    d.idle.pop_front();
    if (SteadyClock::now() - conn->idle_since > kIdleReuse) conn.reset();
  }
  if (!conn) {
    conn = co_await d.connect(deadline, out.error);
    if (!conn) co_return out;
  }

  bhttp::request<bhttp::string_body> req;
  req.method(method == "GET" ? bhttp::verb::get : bhttp::verb::post);
  req.target(d.prefix + target);
  req.version(11);
  req.set(bhttp::field::host, d.host);
  req.set(bhttp::field::user_agent, "madoguchi");
  req.keep_alive(true);
  for (auto& [name, value] : headers) req.set(name, value);
  if (req.method() == bhttp::verb::post) {
    req.body() = std::move(body);
    req.prepare_payload();
  }

  conn->lowest().expires_at(deadline);
  bool keep_alive = false;
  if (conn->plain)
    co_await Impl::exchange(*conn->plain, *conn, req, max_bytes, out, keep_alive);
  else
    co_await Impl::exchange(*conn->tls, *conn, req, max_bytes, out, keep_alive);

  if (!out.error && keep_alive && d.idle.size() < d.options.max_idle_connections) {
    conn->lowest().expires_never();
    conn->idle_since = SteadyClock::now();
    d.idle.push_back(std::move(conn));
  }
  co_return out;
}

}  // namespace madoguchi::adapters
