#pragma once
// Outbound HTTP/1.1 client for provider APIs (LINE, Meta), as Asio coroutines.
// One client per provider base URL; keeps a few idle keep-alive connections and opens
// more when several requests run at once. https:// checks the certificate chain against
// the system store and the host name (SNI set); http:// is for tests on 127.0.0.1.
// Every request has one deadline covering connect, write and read; the answer body is
// size-limited while it is read (a Content-Length over the limit is refused before the body
// is read; a chunked body as soon as it passes the limit). Not thread-safe: use it from one thread (the outbox worker's).
// Beast stays inside http_client.cpp.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace madoguchi::adapters {

struct HttpClientOptions {
  std::string base_url;  // scheme://host[:port][/prefix]; requests append their target
  std::chrono::milliseconds timeout{10000};
  std::size_t max_response_bytes = 1024 * 1024;
  std::size_t max_idle_connections = 16;
};

struct HttpExchange {
  // Transport outcome: success, errc::upstream_connect_failed (nothing sent),
  // errc::upstream_timeout, errc::upstream_too_large (the body passed the limit),
  // errc::upstream_protocol, or an Asio error.
  boost::system::error_code error;
  // True once the request was handed to the connection: a failure after this point may
  // still have reached the provider.
  bool request_written = false;
  unsigned status = 0;
  std::string body;
  std::string retry_after;   // the Retry-After header, when present
  std::string content_type;  // the Content-Type header as sent, when present
};

struct RequestLimits {
  std::size_t max_response_bytes = 0;  // 0: the client's HttpClientOptions::max_response_bytes
  std::chrono::milliseconds timeout{0};  // 0: the client's HttpClientOptions::timeout
};

class HttpClient {
 public:
  // Throws std::invalid_argument for a malformed base URL (a start-up error).
  HttpClient(boost::asio::any_io_executor executor, HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  using Headers = std::vector<std::pair<std::string, std::string>>;
  // method: "GET" or "POST"; target: "/v2/bot/message/push" (appended to the prefix).
  boost::asio::awaitable<HttpExchange> request(std::string method, std::string target,
                                               Headers headers, std::string body, RequestLimits limits = {});

  // Idle connections kept open (for tests).
  std::size_t idle_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace madoguchi::adapters
