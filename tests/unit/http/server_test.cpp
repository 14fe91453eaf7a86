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
#include <cstdio>
#include <filesystem>
#include <thread>

#include "gateway/http/server.hpp"

namespace madoguchi::http {
namespace {

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

Router test_router() {
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

ServerOptions small_options() {
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

TEST(Server, AnswersAndKeepsConnectionAlive) {
  Router router = test_router();
  RunningServer server(small_options(), router);
  Client client(server.port());
  client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  auto first = client.read();
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_EQ(first.body(), R"({"status":"ok"})");
  EXPECT_EQ(first[bhttp::field::cache_control], "no-store");
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

TEST(Server, ConnectionsPerAddressAreCapped) {
  Router router = test_router();
  auto options = small_options();
  options.max_connections_per_address = 2;
  RunningServer server(options, router);
  auto a = std::make_unique<Client>(server.port());
  Client b(server.port());
  for (Client* c : {a.get(), &b}) {  // served, so certainly accepted
    c->send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(c->read().result_int(), 200);
  }
  Client refused(server.port());
  EXPECT_TRUE(refused.closed_by_server());
  EXPECT_NE(server.metrics().render_prometheus().find(R"(route="connection_limit",status="503")"),
            std::string::npos);
  a.reset();  // frees a slot once the server sees the close
  bool served = false;
  for (int attempt = 0; attempt < 200 && !served; ++attempt) {
    Client again(server.port());
    boost::system::error_code ec;
    asio::write(again.socket, asio::buffer(std::string_view("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")), ec);
    bhttp::response<bhttp::string_body> res;
    bhttp::read(again.socket, again.buffer, res, ec);
    served = !ec && res.result_int() == 200;
  }
  EXPECT_TRUE(served);
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
