#pragma once
// The HTTP(S) listener: Beast sessions as Asio coroutines, one strand per connection.
// Plain HTTP or TLS (one session template for both), TCP_NODELAY, and the limits of
// SECURITY.md: header block → 431, body → 413, framing RFC 9112 refuses → 400 and close
// (framing.hpp), header/idle and whole-request deadlines, a minimum body transfer rate,
// a global budget of body bytes in flight (503), connection caps that evict idle
// connections before refusing (connection_table.hpp). HSTS under TLS. Requests are
// dispatched through a Router; handlers may answer from any thread. Heavy headers stay in
// server.cpp.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "gateway/core/log.hpp"
#include "gateway/core/metrics.hpp"
#include "gateway/http/router.hpp"

namespace madoguchi::http {

struct TlsFiles {
  std::filesystem::path certificate_chain;  // PEM
  std::filesystem::path private_key;        // PEM
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0 = any free port
  int threads = 2;
  std::optional<TlsFiles> tls;
  std::size_t header_bytes = 8 * 1024;
  std::size_t body_bytes = 1024 * 1024;
  std::chrono::seconds header_timeout{10};   // also the idle keep-alive limit
  std::chrono::seconds request_timeout{30};  // whole request: read, handle, write
  int max_connections_per_address = 256;
  // All connections; 0 = derived from the descriptor limit (RLIMIT_NOFILE less a reserve
  // for the store, the outbound clients and the log), and never above it.
  int max_connections = 0;
  std::size_t body_budget_bytes = 64 * 1024 * 1024;  // all request bodies being read or handled
  // A body must keep arriving at this rate (after a grace of header_timeout), so a slow
  // sender cannot hold a slot and its reservation for the whole request_timeout.
  std::size_t min_body_bytes_per_second = 16 * 1024;
};

class Server {
 public:
  // Binds and listens (throws std::runtime_error at start-up on bind or TLS errors).
  // `router`, `metrics` and `log` must outlive the server.
  Server(ServerOptions options, const Router& router, Metrics& metrics, Log& log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const;  // the bound port (useful with port 0)
  bool tls() const;
  int max_connections() const;  // the global cap in force

  // Installs SIGINT/SIGTERM handlers that stop the server. Call before announcing that
  // the server is ready, so a signal sent right after the announcement is not fatal.
  void stop_on_signals();
  // Serves on `threads` threads (the caller's included) until stop(). Returns after the
  // accept loop closed and the threads joined.
  void run();
  // Thread-safe; stops accepting and ends run().
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace madoguchi::http
