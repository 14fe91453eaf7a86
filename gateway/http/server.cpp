// Beast sessions as coroutines. Shapes follow Beast's advanced_server_flex and
// server-flex-awaitable examples: one strand per connection, explicit limits, a deadline
// on every read and write, one session body shared by plain and TLS streams.
#include "gateway/http/server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include "gateway/http/body_budget.hpp"
#include "gateway/http/connection_table.hpp"
#include "gateway/http/framing.hpp"
#include "gateway/http/websocket_session.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace madoguchi::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
// After an error answer we read and discard what the client is still sending, so the
// kernel does not reset the connection before the client has read the answer.
constexpr std::size_t kDrainBytes = 4 * 1024 * 1024;
constexpr std::chrono::seconds kDrainTime{2};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Runs a callback-style Handler and resumes the coroutine on its own strand when the
// handler answers, from whatever thread that happens.
template <class Token>
auto async_call(const Handler& handler, Request request, const RouteParams& params, Token&& token) {
  return asio::async_initiate<Token, void(Response)>(
      [&handler, &params](auto completion, Request request) {
        // The handler may keep `respond` alive after answering (on a thread that outlives
        // the server): the completion and its strand are moved out on the first call, so
        // nothing that points into the io_context lingers in it.
        struct State {
          decltype(completion) handler;
          asio::any_io_executor executor;
        };
        auto executor = asio::get_associated_executor(completion);
        auto state = std::make_shared<std::optional<State>>(State{std::move(completion), executor});
        handler(std::move(request), params, [state](Response response) {
          if (!state->has_value()) return;  // answered already
          State s = std::move(**state);
          state->reset();
          asio::post(s.executor, [h = std::move(s.handler), response = std::move(response)]() mutable {
            h(std::move(response));
          });
        });
      },
      token, std::move(request));
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  const Router& router;
  Metrics& metrics;
  Log& log;
  // Declared before io: the io_context's destructor destroys suspended sessions, whose
  // leases, reservations and TLS streams still use these.
  const int max_connections;
  ConnectionTable connections;
  BodyBudget body_budget;
  std::optional<asio::ssl::context> ssl;
  asio::io_context io;
  // The acceptor and the signal set are touched only on this strand (the accept loop runs
  // on it, stop() closes them there): io runs on several threads (found by TSan).
  asio::strand<asio::io_context::executor_type> control{asio::make_strand(io)};
  tcp::acceptor acceptor{control};
  asio::signal_set signals{control};

  Impl(ServerOptions o, const Router& r, Metrics& m, Log& l)
      : options(std::move(o)), router(r), metrics(m), log(l), max_connections(connection_cap(options)),
        connections(max_connections, options.max_connections_per_address), body_budget(options.body_budget_bytes),
        io(options.threads) {}

  // Below the descriptor limit, so that the store, the outbound clients and accept() itself
  // still get a descriptor when every connection slot is taken.
  static int connection_cap(const ServerOptions& o) {
    constexpr rlim_t kReserve = 128;
    rlimit limit{};
    rlim_t available = 1024;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) available = limit.rlim_cur;
    const int by_descriptors = static_cast<int>(std::max<rlim_t>(available > kReserve ? available - kReserve : 16, 16));
    return o.max_connections > 0 ? std::min(o.max_connections, by_descriptors) : by_descriptors;
  }

  void setup_tls() {
    if (!options.tls) return;
    ssl.emplace(asio::ssl::context::tls_server);
    ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
    boost::system::error_code ec;
    ssl->use_certificate_chain_file(options.tls->certificate_chain.string(), ec);
    if (ec) throw std::runtime_error("TLS certificate " + options.tls->certificate_chain.string() + ": " + ec.message());
    ssl->use_private_key_file(options.tls->private_key.string(), asio::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("TLS private key " + options.tls->private_key.string() + ": " + ec.message());
  }

  void bind() {
    tcp::resolver resolver(io);
    boost::system::error_code ec;
    auto results = resolver.resolve(options.host, std::to_string(options.port),
                                    tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) throw std::runtime_error("cannot resolve listen host " + options.host);
    tcp::endpoint endpoint = results.begin()->endpoint();
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint, ec);
    if (ec) throw std::runtime_error("cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " + ec.message());
    acceptor.listen(asio::socket_base::max_listen_connections);
  }

  asio::awaitable<void> accept_loop();
  // True when the stream was handed over to a WebSocket session (nothing left to shut down).
  template <class Stream>
  asio::awaitable<bool> serve(Stream& stream, ConnectionTable::Lease& lease);
  template <class Stream>
  asio::awaitable<void> write(Stream& stream, Response response, unsigned version, bool keep_alive,
                              const std::string& route);
  template <class Stream>
  asio::awaitable<void> drain(Stream& stream);
  template <class Stream>
  asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> read_head(Stream& stream,
                                                                               beast::flat_buffer& buffer);
  template <class Stream>
  asio::awaitable<void> refuse(Stream& stream, unsigned status, std::string_view code, std::string_view text);
  using Lease = std::unique_ptr<ConnectionTable::Lease>;
  asio::awaitable<void> plain_session(tcp::socket socket, Lease lease);
  asio::awaitable<void> tls_session(tcp::socket socket, Lease lease);
};

template <class Stream>
asio::awaitable<void> Server::Impl::write(Stream& stream, Response response, unsigned version,
                                          bool keep_alive, const std::string& route) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(response.status), version};
  res.set(bhttp::field::server, "madoguchi");
  res.set(bhttp::field::content_type, response.content_type);
  res.set(bhttp::field::cache_control, "no-store");
  res.set("x-content-type-options", "nosniff");
  for (auto& [name, value] : response.headers) res.set(name, value);
  // Browsers that once reached the console over TLS never try plain HTTP for it again.
  if (ssl) res.set(bhttp::field::strict_transport_security, "max-age=31536000");
  res.keep_alive(keep_alive);
  res.body() = std::move(response.body);
  res.prepare_payload();
  metrics.count_request(route, response.status);
  co_await bhttp::async_write(stream, res, nothrow);
}

template <class Stream>
asio::awaitable<void> Server::Impl::drain(Stream& stream) {
  beast::get_lowest_layer(stream).expires_after(kDrainTime);
  std::array<char, 16 * 1024> scratch;
  std::size_t total = 0;
  while (total < kDrainBytes) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), nothrow);
    if (ec) break;
    total += n;
  }
}

template <class Stream>
asio::awaitable<void> Server::Impl::refuse(Stream& stream, unsigned status, std::string_view code,
                                           std::string_view text) {
  co_await write(stream, error_response(status, code, text), 11, false, "invalid");
  co_await drain(stream);
}

// Reads until `buffer` holds a whole request head (its length is returned), the header
// limit (header_limit) or an error. The head is checked before any parser sees it.
template <class Stream>
asio::awaitable<std::tuple<boost::system::error_code, std::size_t>> Server::Impl::read_head(
    Stream& stream, beast::flat_buffer& buffer) {
  for (;;) {
    const std::string_view bytes(static_cast<const char*>(buffer.data().data()), buffer.size());
    if (auto end = find_head_end(bytes)) {
      if (*end > options.header_bytes) co_return std::tuple{bhttp::make_error_code(bhttp::error::header_limit), std::size_t{0}};
      co_return std::tuple{boost::system::error_code{}, *end};
    }
    if (bytes.size() > options.header_bytes)
      co_return std::tuple{bhttp::make_error_code(bhttp::error::header_limit), std::size_t{0}};
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(16 * 1024), nothrow);
    if (ec) co_return std::tuple{ec, std::size_t{0}};
    buffer.commit(n);
  }
}

template <class Stream>
asio::awaitable<bool> Server::Impl::serve(Stream& stream, ConnectionTable::Lease& lease) {
  beast::flat_buffer buffer;
  auto& lowest = beast::get_lowest_layer(stream);
  for (;;) {
    lease.waiting_for_head(true);
    // Bodies of earlier requests do not stay allocated on an idle keep-alive connection.
    if (buffer.size() == 0 && buffer.capacity() > 64 * 1024) buffer.shrink_to_fit();
    const auto started = Clock::now();
    const auto deadline = started + options.request_timeout;
    lowest.expires_after(options.header_timeout);
    auto [head_ec, head_size] = co_await read_head(stream, buffer);
    if (head_ec == bhttp::error::header_limit) {
      co_await refuse(stream, 431, "headers_too_large", "ヘッダーが大きすぎます / request header block over the limit");
      co_return false;
    }
    if (head_ec) co_return false;  // closed, reset, timed out or evicted: nothing to answer
    lease.waiting_for_head(false);

    const std::string_view head(static_cast<const char*>(buffer.data().data()), head_size);
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.header_bytes));
    parser.body_limit(options.body_bytes);
    boost::system::error_code ec;
    std::optional<std::string> refusal = raw_head_refusal(head);
    if (!refusal) {
      parser.put(asio::buffer(head.data(), head.size()), ec);
      if (ec == bhttp::error::body_limit) {  // a declared Content-Length over the limit
        co_await refuse(stream, 413, "body_too_large", "本文が大きすぎます / request body over the limit");
        co_return false;
      }
      if (ec || !parser.is_header_done()) refusal = ec ? ec.message() : "incomplete request head";
    }
    if (!refusal) refusal = header_refusal(parser.get().base());
    if (refusal) {
      log.info("http_request_refused", {{"reason", *refusal}});
      co_await refuse(stream, 400, "bad_request", "HTTP リクエストが不正です / malformed HTTP request");
      co_return false;
    }
    buffer.consume(head_size);

    BodyBudget::Reservation reservation;
    if (!parser.is_done()) {
      const auto length = parser.content_length();
      if (length && *length > options.body_bytes) {
        co_await refuse(stream, 413, "body_too_large", "本文が大きすぎます / request body over the limit");
        co_return false;
      }
      // A chunked body is reserved at its limit: its length is known only at its end.
      const std::size_t reserve = length ? static_cast<std::size_t>(*length) : options.body_bytes;
      if (!body_budget.reserve(reserve)) {
        Response busy = error_response(503, "server_busy", "混み合っています。しばらくしてからお試しください / server busy");
        busy.headers.emplace_back("Retry-After", "1");
        co_await write(stream, std::move(busy), 11, false, "overload");
        co_await drain(stream);  // the unread body would otherwise turn the close into a reset
        co_return false;
      }
      reservation = BodyBudget::Reservation(&body_budget, reserve);
      // The deadline moves forward with every byte received, at the minimum rate, after a
      // grace period, and never past the whole request's deadline.
      const auto rate = std::max<std::size_t>(options.min_body_bytes_per_second, 1);
      const auto body_started = Clock::now();
      std::size_t received = 0;
      while (!ec && !parser.is_done()) {
        const auto allowed = body_started + options.header_timeout +
                             std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                 static_cast<double>(received) / static_cast<double>(rate)));
        lowest.expires_at(std::min(deadline, allowed));
        std::size_t n = 0;
        std::tie(ec, n) = co_await bhttp::async_read_some(stream, buffer, parser, nothrow);
        received += n;
      }
    }
    if (ec == bhttp::error::body_limit) {
      co_await refuse(stream, 413, "body_too_large", "本文が大きすぎます / request body over the limit");
      co_return false;
    }
    if (ec && ec.category() == bhttp::make_error_code(bhttp::error::header_limit).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      co_await refuse(stream, 400, "bad_request", "HTTP リクエストが不正です / malformed HTTP request");
      co_return false;
    }
    if (ec) co_return false;  // closed, reset or too slow: nothing to answer

    auto message = parser.release();
    const bool keep_alive = message.keep_alive();
    const unsigned version = message.version();
    auto url = boost::urls::parse_origin_form(message.target());
    if (!url) {
      co_await write(stream, error_response(400, "bad_target", "URL が不正です / malformed request target"),
                     version, false, "invalid");
      co_return false;
    }

    Request request;
    request.method = std::string(message.method_string());
    request.path = url->path();
    request.query = url->encoded_query();
    for (const auto& field : message)
      request.headers.emplace_back(lower(field.name_string()), std::string(field.value()));
    request.body = std::move(message.body());
    if (auto remote = lowest.socket().remote_endpoint(ec); !ec) request.remote_address = remote.address().to_string();
    request.tls = ssl.has_value();

    if (beast::websocket::is_upgrade(message)) {
      if (const auto* ws = router.match_websocket(request.path)) {
        metrics.count_request(request.path, 101);
        co_await detail::run_websocket(stream, std::move(message), *ws, request);
        co_return true;
      }
    }

    auto match = router.match(request.method, request.path);
    Response response;
    if (match.handler) {
      lowest.expires_at(deadline);
      response = co_await async_call(*match.handler, std::move(request), match.params, asio::use_awaitable);
    } else if (match.status == 405) {
      response = error_response(405, "method_not_allowed", "このメソッドは使えません / method not allowed");
    } else {
      response = error_response(404, "not_found", "見つかりません / not found");
    }
    reservation.reset();
    lowest.expires_at(deadline);
    co_await write(stream, std::move(response), version, keep_alive, match.route);
    if (!keep_alive) co_return false;
  }
}

// Eviction (connection_table.hpp) cancels the session's pending read on its own strand;
// `alive` is cleared on that strand before the stream goes away.
template <class Stream>
void on_evict_cancel(ConnectionTable::Lease& lease, Stream& stream, std::shared_ptr<bool> alive) {
  auto& lowest = beast::get_lowest_layer(stream);
  lease.on_evict([executor = lowest.get_executor(), alive, &lowest] {
    asio::post(executor, [alive, &lowest] {
      if (*alive) lowest.cancel();
    });
  });
}

asio::awaitable<void> Server::Impl::plain_session(tcp::socket socket, Lease lease) {
  beast::tcp_stream stream(std::move(socket));
  auto alive = std::make_shared<bool>(true);
  on_evict_cancel(*lease, stream, alive);
  const bool upgraded = co_await serve(stream, *lease);
  if (!upgraded) {
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }
  *alive = false;
}

asio::awaitable<void> Server::Impl::tls_session(tcp::socket socket, Lease lease) {
  beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *ssl);
  auto alive = std::make_shared<bool>(true);
  on_evict_cancel(*lease, stream, alive);
  beast::get_lowest_layer(stream).expires_after(options.header_timeout);
  auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, nothrow);
  if (!ec && !co_await serve(stream, *lease)) {
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
    co_await stream.async_shutdown(nothrow);
  }
  *alive = false;
}

asio::awaitable<void> Server::Impl::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), nothrow);
    if (ec) {
      if (!acceptor.is_open()) co_return;
      // Out of descriptors or similar: back off a little instead of spinning.
      asio::steady_timer pause(io, std::chrono::milliseconds(50));
      co_await pause.async_wait(nothrow);
      continue;
    }
    boost::system::error_code option_ec;
    socket.set_option(tcp::no_delay(true), option_ec);
    auto remote = socket.remote_endpoint(option_ec);
    if (option_ec) continue;
    auto lease = connections.admit(remote.address().to_string());
    if (!lease) {
      metrics.count_request("connection_limit", 503);
      socket.close(option_ec);
      continue;
    }
    auto executor = socket.get_executor();
    if (ssl)
      asio::co_spawn(executor, tls_session(std::move(socket), std::move(lease)), asio::detached);
    else
      asio::co_spawn(executor, plain_session(std::move(socket), std::move(lease)), asio::detached);
  }
}

Server::Server(ServerOptions options, const Router& router, Metrics& metrics, Log& log)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics, log)) {
  impl_->setup_tls();
  impl_->bind();
}

Server::~Server() = default;

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }
bool Server::tls() const { return impl_->ssl.has_value(); }
int Server::max_connections() const { return impl_->max_connections; }

void Server::stop_on_signals() {
  auto& s = *impl_;
  s.signals.add(SIGINT);
  s.signals.add(SIGTERM);
  s.signals.async_wait([this](boost::system::error_code ec, int) {
    if (!ec) stop();
  });
}

void Server::run() {
  auto& s = *impl_;
  asio::co_spawn(s.control, s.accept_loop(), asio::detached);
  std::vector<std::thread> threads;
  for (int i = 1; i < s.options.threads; ++i) threads.emplace_back([&s] { s.io.run(); });
  s.io.run();
  for (auto& t : threads) t.join();
}

void Server::stop() {
  asio::post(impl_->control, [this] {
    boost::system::error_code ec;
    impl_->acceptor.close(ec);
    impl_->signals.cancel(ec);
    // Open keep-alive sessions would otherwise hold run() until their idle deadline.
    impl_->io.stop();
  });
}

}  // namespace madoguchi::http
