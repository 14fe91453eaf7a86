// The listener against real sockets on 127.0.0.1:0: limits, deadlines, routing,
// keep-alive, the per-address cap and TLS.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "tests/unit/http/test_server.hpp"

namespace madoguchi::http {
namespace {

TEST(Server, AnswersAndKeepsConnectionAlive) {
  Router router = test_router();
  RunningServer server(small_options(), router);
  Client client(server.port());
  client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  auto first = client.read();
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_EQ(first.body(), R"({"status":"ok"})");
  EXPECT_EQ(first[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(first.count(bhttp::field::strict_transport_security), 0u);  // only under TLS
  client.send("POST /echo/abc HTTP/1.1\r\nHost: x\r\nX-Test: Value\r\nContent-Length: 5\r\n\r\nhello");
  auto second = client.read();
  EXPECT_EQ(second.result_int(), 200);
  EXPECT_EQ(second.body(), "abc:5:Value");  // params, raw body size, lower-cased header lookup
}

TEST(Server, HandlerMayAnswerFromAnotherThread) {
  Router router = test_router();
  RunningServer server(small_options(), router);
  Client client(server.port());
  client.send("GET /later HTTP/1.1\r\nHost: x\r\n\r\n");
  auto res = client.read();
  EXPECT_EQ(res.result_int(), 202);
  EXPECT_EQ(res.body(), "later");
}

TEST(Server, UnknownPathAndWrongMethod) {
  Router router = test_router();
  RunningServer server(small_options(), router);
  Client client(server.port());
  client.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.read().result_int(), 404);
  client.send("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(client.read().result_int(), 405);
}

TEST(Server, HeaderBlockOverLimitIs431) {
  Router router = test_router();
  RunningServer server(small_options(), router);
  Client client(server.port());
  client.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n");
  auto res = client.read();
  EXPECT_EQ(res.result_int(), 431);
  EXPECT_NE(res.body().find("headers_too_large"), std::string::npos);
  EXPECT_FALSE(res.keep_alive());
}

TEST(Server, HeaderBlockJustUnderLimitIsServed) {
  Router router = test_router();
  RunningServer server(small_options(), router);
  Client client(server.port());
  client.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(7000, 'a') + "\r\n\r\n");
  EXPECT_EQ(client.read().result_int(), 200);
}

TEST(Server, DeclaredBodyOverLimitIs413BeforeTheBodyIsSent) {
  Router router = test_router();
  RunningServer server(small_options(), router);
  Client client(server.port());
  client.send("POST /echo/a HTTP/1.1\r\nHost: x\r\nContent-Length: 1048577\r\n\r\n");
  auto res = client.read();
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_NE(res.body().find("body_too_large"), std::string::npos);
}

TEST(Server, ChunkedBodyOverLimitIs413) {
  Router router = test_router();
  RunningServer server(small_options(), router);
  Client client(server.port());
  client.send("POST /echo/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  const std::string chunk = "10000\r\n" + std::string(0x10000, 'z') + "\r\n";
  for (int i = 0; i < 17; ++i) client.send(chunk);  // 17 × 64 KiB > 1 MiB
  EXPECT_EQ(client.read().result_int(), 413);
}

TEST(Server, BodyExactlyAtLimitIsServed) {
  Router router = test_router();
  RunningServer server(small_options(), router);
  Client client(server.port());
  client.send("POST /echo/a HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n");
  client.send(std::string(1048576, 'b'));
  auto res = client.read();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "a:1048576:");
}

TEST(Server, MalformedRequestIs400) {
  Router router = test_router();
  RunningServer server(small_options(), router);
  Client client(server.port());
  client.send("GET /healthz HTTP/1.1\r\nHost x-without-colon\r\n\r\n");
  EXPECT_EQ(client.read().result_int(), 400);
}

TEST(Server, SilentConnectionIsClosedAtHeaderDeadline) {
  Router router = test_router();
  auto options = small_options();
  options.header_timeout = std::chrono::seconds(1);
  RunningServer server(options, router);
  Client client(server.port());
  client.send("GET /healthz HTTP/1.1\r\n");  // never finishes the header block
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

// Holds the answers of POST /hold until release(): a request whose handler runs is busy.
class Holder {
 public:
  void add_route(Router& router) {
    router.add("POST", "/hold", [this](Request&&, const RouteParams&, Respond respond) {
      std::lock_guard lock(mutex_);
      held_.push_back(std::move(respond));
      entered_.notify_all();
    });
  }
  bool wait_for(std::size_t n) {
    std::unique_lock lock(mutex_);
    return entered_.wait_for(lock, std::chrono::seconds(30), [&] { return held_.size() >= n; });
  }
  void release() {
    std::vector<Respond> held;
    {
      std::lock_guard lock(mutex_);
      held.swap(held_);
    }
    for (auto& r : held) r({200, "text/plain", "released", {}});
  }
  ~Holder() { release(); }

 private:
  std::mutex mutex_;
  std::condition_variable entered_;
  std::vector<Respond> held_;
};

// A request on a fresh connection: the status, or 0 when the server closed it unanswered.
int status_of_new_connection(std::uint16_t port) {
  Client c(port);
  boost::system::error_code ec;
  asio::write(c.socket, asio::buffer(std::string_view("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")), ec);
  bhttp::response<bhttp::string_body> res;
  bhttp::read(c.socket, c.buffer, res, ec);
  return ec ? 0 : res.result_int();
}

TEST(Server, AtTheAddressCapIdleConnectionsMakeRoomAndBusyOnesRefuse) {
  Router router = test_router();
  Holder holder;
  holder.add_route(router);
  auto options = small_options();
  options.max_connections_per_address = 2;
  RunningServer server(options, router);
  // Held answers are given while the server still runs, also when an assertion ends the test.
  struct ReleaseFirst {
    Holder& holder;
    ~ReleaseFirst() { holder.release(); }
  } release_first{holder};
  auto a = std::make_unique<Client>(server.port());
  auto b = std::make_unique<Client>(server.port());
  for (Client* c : {a.get(), b.get()}) {  // served, so certainly accepted; then idle
    c->send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(c->read().result_int(), 200);
  }
  // A third connection from the same address is served: the oldest idle one is closed.
  // (Retried, for up to 30 s on a loaded machine: a and b count as idle only once the server
  // is back to reading their next head.)
  int third = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (third != 200 && std::chrono::steady_clock::now() < give_up) third = status_of_new_connection(server.port());
  EXPECT_EQ(third, 200);
  EXPECT_TRUE(a->closed_by_server());
  a.reset();
  b.reset();
  // Two connections whose requests are being handled are never evicted: the next
  // connection is refused instead, and counted.
  // One after the other: a connection whose head has not arrived yet counts as idle.
  Client busy1(server.port());
  busy1.send("POST /hold HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(holder.wait_for(1));
  Client busy2(server.port());
  busy2.send("POST /hold HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(holder.wait_for(2));
  EXPECT_EQ(status_of_new_connection(server.port()), 0);
  EXPECT_NE(server.metrics().render_prometheus().find(R"(route="connection_limit",status="503")"),
            std::string::npos);
  // Both busy requests are still answered.
  holder.release();
  EXPECT_EQ(busy1.read().body(), "released");
  EXPECT_EQ(busy2.read().body(), "released");
}

TEST(Server, CountsRequestsByRouteAndStatus) {
  Router router = test_router();
  RunningServer server(small_options(), router);
  Client client(server.port());
  for (int i = 0; i < 3; ++i) {
    client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    client.read();
  }
  client.send("GET /missing HTTP/1.1\r\nHost: x\r\n\r\n");
  client.read();
  auto text = server.metrics().render_prometheus();
  EXPECT_NE(text.find(R"(madoguchi_http_requests_total{route="/healthz",status="200"} 3)"), std::string::npos);
  EXPECT_NE(text.find(R"(madoguchi_http_requests_total{route="unmatched",status="404"} 1)"), std::string::npos);
}

// A throwaway self-signed certificate for 127.0.0.1.
struct TempCertificate {
  std::filesystem::path dir, cert, key;
  TempCertificate() {
    char pattern[] = "/tmp/madoguchi-tls-XXXXXX";
    dir = mkdtemp(pattern);
    cert = dir / "cert.pem";
    key = dir / "key.pem";
    EVP_PKEY* pkey = EVP_EC_gen("P-256");
    X509* x509 = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(x509), 1);
    X509_gmtime_adj(X509_getm_notBefore(x509), 0);
    X509_gmtime_adj(X509_getm_notAfter(x509), 3600);
    X509_set_pubkey(x509, pkey);
    X509_NAME* name = X509_get_subject_name(x509);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(x509, name);
    X509_sign(x509, pkey, EVP_sha256());
    FILE* f = std::fopen(cert.c_str(), "w");
    PEM_write_X509(f, x509);
    std::fclose(f);
    f = std::fopen(key.c_str(), "w");
    PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(x509);
    EVP_PKEY_free(pkey);
  }
  ~TempCertificate() { std::filesystem::remove_all(dir); }
};

TEST(Server, ServesHttpsWithConfiguredCertificate) {
  TempCertificate certificate;
  Router router = test_router();
  auto options = small_options();
  options.tls = TlsFiles{certificate.cert, certificate.key};
  RunningServer server(options, router);

  asio::io_context io;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(certificate.cert.string());
  ctx.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<tcp::socket> stream(io, ctx);
  stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), server.port()});
  stream.handshake(asio::ssl::stream_base::client);
  bhttp::request<bhttp::string_body> req{bhttp::verb::get, "/healthz", 11};
  req.set(bhttp::field::host, "127.0.0.1");
  bhttp::write(stream, req);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buffer, res);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[bhttp::field::strict_transport_security], "max-age=31536000");

  // Plain HTTP to the TLS port gets no HTTP answer.
  Client plain(server.port());
  plain.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  bhttp::response<bhttp::string_body> plain_res;
  boost::system::error_code ec;
  bhttp::read(plain.socket, plain.buffer, plain_res, ec);
  EXPECT_TRUE(ec);
}

TEST(Server, MissingCertificateFailsAtStartup) {
  Router router = test_router();
  auto options = small_options();
  options.tls = TlsFiles{"/nonexistent/cert.pem", "/nonexistent/key.pem"};
  Metrics metrics;
  Log log(LogLevel::error);
  EXPECT_THROW(Server(options, router, metrics, log), std::runtime_error);
}

}  // namespace
}  // namespace madoguchi::http
