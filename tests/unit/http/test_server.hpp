#pragma once
// The listener on 127.0.0.1:0 with a small router, and a raw-bytes client: shared by the
// server, framing and overload tests.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <string>
#include <thread>

#include "gateway/http/server.hpp"

namespace madoguchi::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

class RunningServer {
 public:
  RunningServer(ServerOptions options, const Router& router)
      : log_(LogLevel::error), server_(std::move(options), router, metrics_, log_),
        thread_([this] { server_.run(); }) {}
  ~RunningServer() {
    server_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return server_.port(); }
  Metrics& metrics() { return metrics_; }

 private:
  Metrics metrics_;
  Log log_;
  Server server_;
  std::thread thread_;
};

inline Router test_router() {
  Router router;
  router.add("GET", "/healthz", [](Request&&, const RouteParams&, Respond respond) {
    respond({200, "application/json", R"({"status":"ok"})", {}});
  });
  router.add("POST", "/echo/{name}", [](Request&& request, const RouteParams& params, Respond respond) {
    respond({200, "text/plain", params.at("name") + ":" + std::to_string(request.body.size()) + ":" +
                                    std::string(request.header("x-test")), {}});
  });
  // Answers from another thread, as the store's writer thread does.
  router.add("GET", "/later", [](Request&&, const RouteParams&, Respond respond) {
    std::thread([respond = std::move(respond)] { respond({202, "text/plain", "later", {}}); }).detach();
  });
  return router;
}

inline ServerOptions small_options() {
  ServerOptions o;
  o.port = 0;
  o.threads = 2;
  return o;
}

struct Client {
  asio::io_context io;
  tcp::socket socket{io};
  beast::flat_buffer buffer;

  explicit Client(std::uint16_t port) { socket.connect({asio::ip::make_address("127.0.0.1"), port}); }

  void send(std::string_view bytes) { asio::write(socket, asio::buffer(bytes.data(), bytes.size())); }

  bhttp::response<bhttp::string_body> read() {
    bhttp::response<bhttp::string_body> res;
    bhttp::read(socket, buffer, res);
    return res;
  }

  // True when the server closed the connection (EOF or reset) before sending anything.
  bool closed_by_server() {
    char c;
    boost::system::error_code ec;
    socket.read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }
};


}  // namespace madoguchi::http
