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

#include "gateway/http/websocket_session.hpp"

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
  // slots and TLS streams still use these.
  std::mutex slots_mutex;
  std::map<std::string, int> connections_by_address;
  std::optional<asio::ssl::context> ssl;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  asio::signal_set signals{io};

  Impl(ServerOptions o, const Router& r, Metrics& m, Log& l)
      : options(std::move(o)), router(r), metrics(m), log(l), io(options.threads) {}

  // Counts one connection of `address` for as long as it lives.
  class Slot {
   public:
    Slot(Impl* impl, std::string address) : impl_(impl), address_(std::move(address)) {}
    Slot(Slot&& o) noexcept : impl_(std::exchange(o.impl_, nullptr)), address_(std::move(o.address_)) {}
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (!impl_) return;
      std::lock_guard lock(impl_->slots_mutex);
      if (--impl_->connections_by_address[address_] <= 0) impl_->connections_by_address.erase(address_);
    }

   private:
    Impl* impl_;
    std::string address_;
  };

  std::optional<Slot> acquire(const std::string& address) {
    std::lock_guard lock(slots_mutex);
    int& count = connections_by_address[address];
    if (count >= options.max_connections_per_address) return std::nullopt;
    ++count;
    return Slot(this, address);
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
  asio::awaitable<bool> serve(Stream& stream);
  template <class Stream>
  asio::awaitable<void> write(Stream& stream, Response response, unsigned version, bool keep_alive,
                              const std::string& route);
  template <class Stream>
  asio::awaitable<void> drain(Stream& stream);
  asio::awaitable<void> plain_session(tcp::socket socket, Slot slot);
  asio::awaitable<void> tls_session(tcp::socket socket, Slot slot);
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
asio::awaitable<bool> Server::Impl::serve(Stream& stream) {
  beast::flat_buffer buffer;
  auto& lowest = beast::get_lowest_layer(stream);
  for (;;) {
    const auto deadline = Clock::now() + options.request_timeout;
    lowest.expires_after(options.header_timeout);
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.header_bytes));
    parser.body_limit(options.body_bytes);

    auto [ec, bytes] = co_await bhttp::async_read_header(stream, buffer, parser, nothrow);
    (void)bytes;
    if (!ec && !parser.is_done()) {
      lowest.expires_at(deadline);
      std::tie(ec, bytes) = co_await bhttp::async_read(stream, buffer, parser, nothrow);
    }
    if (ec == bhttp::error::header_limit || ec == bhttp::error::body_limit) {
      // Built outside the co_await: GCC 12 destroys temporaries of a conditional
      // expression inside a co_await argument twice.
      Response refusal = ec == bhttp::error::header_limit
                             ? error_response(431, "headers_too_large",
                                              "ヘッダーが大きすぎます / request header block over the limit")
                             : error_response(413, "body_too_large", "本文が大きすぎます / request body over the limit");
      co_await write(stream, std::move(refusal), 11, false, "invalid");
      co_await drain(stream);
      co_return false;
    }
    if (ec && ec.category() == bhttp::make_error_code(bhttp::error::header_limit).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      co_await write(stream, error_response(400, "bad_request", "HTTP リクエストが不正です / malformed HTTP request"),
                     11, false, "invalid");
      co_return false;
    }
    if (ec) co_return false;  // closed, reset or timed out: nothing to answer

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
    lowest.expires_at(deadline);
    co_await write(stream, std::move(response), version, keep_alive, match.route);
    if (!keep_alive) co_return false;
  }
}

asio::awaitable<void> Server::Impl::plain_session(tcp::socket socket, [[maybe_unused]] Slot slot) {
  beast::tcp_stream stream(std::move(socket));
  if (co_await serve(stream)) co_return;
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> Server::Impl::tls_session(tcp::socket socket, [[maybe_unused]] Slot slot) {
  beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *ssl);
  beast::get_lowest_layer(stream).expires_after(options.header_timeout);
  auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, nothrow);
  if (ec) co_return;
  if (co_await serve(stream)) co_return;
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
  co_await stream.async_shutdown(nothrow);
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
    auto slot = acquire(remote.address().to_string());
    if (!slot) {
      metrics.count_request("connection_limit", 503);
      socket.close(option_ec);
      continue;
    }
    auto executor = socket.get_executor();
    if (ssl)
      asio::co_spawn(executor, tls_session(std::move(socket), std::move(*slot)), asio::detached);
    else
      asio::co_spawn(executor, plain_session(std::move(socket), std::move(*slot)), asio::detached);
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
  asio::co_spawn(s.io, s.accept_loop(), asio::detached);
  std::vector<std::thread> threads;
  for (int i = 1; i < s.options.threads; ++i) threads.emplace_back([&s] { s.io.run(); });
  s.io.run();
  for (auto& t : threads) t.join();
}

void Server::stop() {
  asio::post(impl_->io, [this] {
    boost::system::error_code ec;
    impl_->acceptor.close(ec);
    impl_->signals.cancel(ec);
    // Open keep-alive sessions would otherwise hold run() until their idle deadline.
    impl_->io.stop();
  });
}

}  // namespace madoguchi::http
