#pragma once
// A blocking HTTP/1.1 client for integration tests, one keep-alive connection to
// 127.0.0.1:<port>, every step bounded by a timeout. Transport failures come back as
// errors (a gateway killed mid-request is expected in crash tests), never as exceptions.
// Beast stays inside http_client.cpp. Not thread-safe: one client per thread.
#include <boost/system/result.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace madoguchi::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  unsigned status = 0;
  std::string body;
  Headers headers;  // names lower-cased
  std::string header(std::string_view name) const;  // "" when absent
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(15));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Connects when not connected; after a transport error or `connection: close` the next
  // call opens a new connection. Requests are never retried.
  boost::system::result<HttpResponse> request(std::string_view method, std::string_view target,
                                              std::string body = {}, const Headers& headers = {});
  boost::system::result<HttpResponse> get(std::string_view target) { return request("GET", target); }
  boost::system::result<HttpResponse> post(std::string_view target, std::string body, const Headers& headers = {}) {
    return request("POST", target, std::move(body), headers);
  }

  // The Origin a console page served by this server sends: http://127.0.0.1:PORT.
  std::string origin() const;

  // TCP connections opened so far: shows whether keep-alive was used.
  int connections_opened() const { return connections_opened_; }
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int connections_opened_ = 0;
};

}  // namespace madoguchi::testing
