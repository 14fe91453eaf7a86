#include "bench/load.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <fstream>

namespace madoguchi::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

std::string sign(const std::string& secret, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(len));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string webhook(const std::string& prefix, std::uint64_t seq, int events) {
  std::string body = R"({"destination":"Ubench","events":[)";
  for (int e = 0; e < events; ++e) {
    char id[64];
    std::snprintf(id, sizeof id, "%s%016llX%02d", prefix.c_str(), static_cast<unsigned long long>(seq), e);
    char user[40];
    std::snprintf(user, sizeof user, "U%032llx", static_cast<unsigned long long>(seq % 5000));
    if (e) body += ",";
    body += R"({"type":"message","mode":"active","timestamp":1700000000000,"source":{"type":"user","userId":")";
    body += user;
    body += R"("},"webhookEventId":")";
    body += id;
    body += R"(","deliveryContext":{"isRedelivery":false},"replyToken":"b60d432864f44d079f6d8efe86cf404b",)";
    body += R"("message":{"id":"325708","type":"text","quoteToken":"q3Plxr4AgKd","text":")";
    body += "夜分に失礼します。三十代の息子が五年ほど部屋から出てこなくなり、家族だけではどうしたらよいか分からず相談させていただきました。";
    body += R"("}})";
  }
  return body + "]}";
}

struct Shared {
  const LoadOptions& options;
  Clock::time_point measure_from, until;
  std::uint64_t seq = 0;
  LoadResult result;
};

asio::awaitable<void> connection(Shared& s) {
  auto ex = co_await asio::this_coro::executor;
  beast::tcp_stream stream(ex);
  auto [cec] = co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), s.options.port), nothrow);
  if (cec) {
    ++s.result.errors;
    co_return;
  }
  stream.socket().set_option(tcp::no_delay(true));
  beast::flat_buffer buffer;
  while (Clock::now() < s.until) {
    http::request<http::string_body> req{http::verb::post, s.options.path, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    req.body() = webhook(s.options.id_prefix, s.seq++, s.options.events_per_webhook);
    req.set("x-line-signature", sign(s.options.channel_secret, req.body()));
    req.prepare_payload();
    const auto start = Clock::now();
    auto [wec, wn] = co_await http::async_write(stream, req, nothrow);
    http::response<http::string_body> res;
    auto [rec, rn] = wec ? std::tuple(wec, std::size_t{0}) : co_await http::async_read(stream, buffer, res, nothrow);
    const auto end = Clock::now();
    if (wec || rec) {
      ++s.result.errors;
      co_return;
    }
    const bool ok = res.result_int() == 200;
    if (ok) s.result.acknowledged_all += static_cast<std::uint64_t>(s.options.events_per_webhook);
    if (start < s.measure_from) continue;
    if (ok) {
      ++s.result.acknowledged;
      s.result.latencies_ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    } else {
      ++s.result.errors;
    }
  }
}

}  // namespace

std::string fetch(std::uint16_t port, const std::string& path) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  boost::system::error_code ec;
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return {};
  http::request<http::empty_body> req{http::verb::get, path, 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(stream, req, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (!ec) http::read(stream, buffer, res, ec);
  return ec ? std::string() : res.body();
}

double status_mb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / 1024.0;  // kB
  return 0;
}

LoadResult run_load(const LoadOptions& options) {
  asio::io_context io(1);
  Shared shared{options, {}, {}, 0, {}};
  const auto now = Clock::now();
  shared.measure_from = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.warmup_s));
  shared.until = shared.measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.seconds));
  for (int i = 0; i < options.connections; ++i) asio::co_spawn(io, connection(shared), asio::detached);
  io.run();
  shared.result.seconds = options.seconds;
  return std::move(shared.result);
}

}  // namespace madoguchi::bench
