#pragma once
// A server-side WebSocket session over an upgraded HTTP stream (plain or TLS). Included by
// server.cpp only: Beast-heavy. Shape of Beast's websocket chat-multi example: one reader
// (this coroutine) and one writer (spawned on the same strand) draining a capped queue;
// other threads hand frames over with send(), which posts a wake-up to the strand.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <memory>
#include <mutex>

#include "gateway/http/router.hpp"

namespace madoguchi::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

constexpr std::size_t kWsQueueCap = 256;              // frames waiting for a slow reader
constexpr std::size_t kWsReadLimit = 64 * 1024;       // clients send little or nothing

template <class Stream>
class WsState final : public WsConnection, public std::enable_shared_from_this<WsState<Stream>> {
 public:
  explicit WsState(Stream&& stream) : ws(std::move(stream)), signal(ws.get_executor()) {}

  void send(std::string text) override {
    {
      std::lock_guard lock(mutex_);
      if (finished_ || closing_) return;
      if (queue_.size() >= kWsQueueCap) closing_ = true;  // too slow: drop the connection
      else queue_.push_back(std::move(text));
    }
    wake();
  }
  void close() override {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    wake();
  }
  void finish() {
    {
      std::lock_guard lock(mutex_);
      finished_ = true;
    }
    wake();
  }

  asio::awaitable<void> write_loop() {
    auto self = this->shared_from_this();
    constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
    for (;;) {
      std::optional<std::string> next;
      bool closing = false, finished = false;
      {
        std::lock_guard lock(mutex_);
        if (!queue_.empty() && !closing_) {
          next = std::move(queue_.front());
          queue_.pop_front();
        }
        closing = closing_;
        finished = finished_;
      }
      if (finished) co_return;
      if (next) {
        ws.text(true);
        auto [ec, n] = co_await ws.async_write(asio::buffer(*next), nothrow);
        if (ec) co_return;
        continue;
      }
      if (closing) {
        co_await ws.async_close(websocket::close_code::normal, nothrow);
        co_return;
      }
      // Woken by send(), close() or finish(): all post signal.cancel() to this strand.
      signal.expires_at(asio::steady_timer::time_point::max());
      co_await signal.async_wait(nothrow);
    }
  }

  websocket::stream<Stream> ws;
  asio::steady_timer signal;

 private:
  void wake() {
    asio::post(ws.get_executor(), [self = this->shared_from_this()] { self->signal.cancel(); });
  }
  std::mutex mutex_;
  std::deque<std::string> queue_;
  bool closing_ = false, finished_ = false;
};

// Runs an accepted WebSocket session to its end. `stream` is moved into the session.
template <class Stream>
asio::awaitable<void> run_websocket(Stream& stream, beast::http::request<beast::http::string_body> upgrade,
                                    const WsHandler& handler, const Request& request) {
  constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
  auto state = std::make_shared<WsState<Stream>>(std::move(stream));
  auto outcome = handler(request, state);
  if (auto* refusal = std::get_if<Response>(&outcome)) {
    beast::http::response<beast::http::string_body> res{static_cast<beast::http::status>(refusal->status),
                                                        upgrade.version()};
    res.set(beast::http::field::content_type, refusal->content_type);
    res.body() = refusal->body;
    res.keep_alive(false);
    res.prepare_payload();
    co_await beast::http::async_write(state->ws.next_layer(), res, nothrow);
    co_return;
  }
  auto session = std::get<WsSession>(std::move(outcome));
  beast::get_lowest_layer(state->ws).expires_never();
  state->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  state->ws.read_message_max(kWsReadLimit);
  auto [ec] = co_await state->ws.async_accept(upgrade, nothrow);
  if (!ec) {
    asio::co_spawn(state->ws.get_executor(), state->write_loop(), asio::detached);
    for (;;) {
      beast::flat_buffer buffer;
      auto [read_ec, n] = co_await state->ws.async_read(buffer, nothrow);
      if (read_ec) break;
      if (session.on_text) session.on_text(beast::buffers_to_string(buffer.data()));
    }
  }
  state->finish();
  if (session.on_close) session.on_close();
}

}  // namespace madoguchi::http::detail
