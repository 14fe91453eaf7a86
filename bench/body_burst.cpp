#include "bench/body_burst.hpp"

#include "bench/load.hpp"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <thread>
#include <vector>

namespace madoguchi::bench {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

// One connection: the head, the whole body in 64 KiB writes, then the answer's status (0 when
// the gateway closed or reset the connection without one).
asio::awaitable<unsigned> one(const BurstOptions& o, asio::ip::address from, std::string_view body) {
  auto executor = co_await asio::this_coro::executor;
  tcp::socket socket(executor);
  boost::system::error_code ec;
  socket.open(tcp::v4(), ec);
  if (!ec) socket.bind({from, 0}, ec);
  if (ec) co_return 0;
  auto [connect_ec] = co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), o.port}, nothrow);
  if (connect_ec) co_return 0;
  const std::string head = "POST " + o.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
                           "X-Line-Signature: bm90IGEgc2lnbmF0dXJl\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n";
  auto [head_ec, h] = co_await asio::async_write(socket, asio::buffer(head), nothrow);
  if (head_ec) co_return 0;
  for (std::size_t at = 0; at < body.size();) {
    const auto n = std::min<std::size_t>(64 * 1024, body.size() - at);
    auto [write_ec, w] = co_await asio::async_write(socket, asio::buffer(body.data() + at, n), nothrow);
    if (write_ec) break;  // refused early: the answer may already be waiting
    at += n;
  }
  boost::beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  auto [read_ec, r] = co_await bhttp::async_read(socket, buffer, res, nothrow);
  co_return read_ec ? 0u : res.result_int();
}

}  // namespace

BurstResult run_body_burst(const BurstOptions& o, pid_t gateway) {
  BurstResult result;
  result.rss_before_mb = status_mb(gateway, "VmRSS");
  std::atomic<bool> sampling{true};
  std::atomic<double> peak{result.rss_before_mb};
  std::thread sampler([&] {
    while (sampling) {
      const double now = status_mb(gateway, "VmRSS");
      if (now > peak) peak = now;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  const std::string body(o.body_bytes, 'x');
  asio::io_context io;
  std::vector<unsigned> statuses(static_cast<std::size_t>(o.connections), 0);
  for (int i = 0; i < o.connections; ++i) {
    const auto from = asio::ip::make_address_v4(0x7f000002u + static_cast<unsigned>(i % std::max(o.addresses, 1)));
    asio::co_spawn(io, one(o, from, body), [&statuses, i](std::exception_ptr e, unsigned status) {
      statuses[static_cast<std::size_t>(i)] = e ? 0 : status;
    });
  }
  const auto start = std::chrono::steady_clock::now();
  io.run();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (auto s : statuses) ++result.statuses[s];
  std::this_thread::sleep_for(std::chrono::duration<double>(o.settle_s));
  sampling = false;
  sampler.join();
  result.rss_peak_mb = peak;
  result.rss_after_mb = status_mb(gateway, "VmRSS");
  return result;
}

}  // namespace madoguchi::bench
