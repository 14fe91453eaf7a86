#include "bench/lmtp_load.hpp"

#include <iconv.h>

#include <boost/asio.hpp>
#include <chrono>
#include <stdexcept>

namespace madoguchi::bench {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

// Japanese mailers and carrier phones still send ISO-2022-JP: the gateway decodes it per mail.
std::string to_jis(const std::string& utf8) {
  iconv_t cd = iconv_open("ISO-2022-JP", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) throw std::runtime_error("iconv ISO-2022-JP");
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size(), out_left = out.size();
  char* o = out.data();
  const bool ok = iconv(cd, &in, &in_left, &o, &out_left) != static_cast<std::size_t>(-1) &&
                  iconv(cd, nullptr, nullptr, &o, &out_left) != static_cast<std::size_t>(-1);
  iconv_close(cd);
  if (!ok) throw std::runtime_error("iconv ISO-2022-JP");
  out.resize(out.size() - out_left);
  return out;
}

const std::string& jis_body() {
  static const std::string body = [] {
    std::string text;
    const char* lines[] = {
        "突然のメールで失礼いたします。",
        "三十代の息子のことでご相談させてください。五年ほど前に仕事を辞めてから、",
        "ほとんど部屋から出てこなくなりました。食事は夜中に一人でとっているようです。",
        "親として何ができるのか分からず、主人とも話し合いましたが答えが出ません。",
        "平日の昼間は仕事があるため、メールでのやり取りができればありがたいです。",
        "どうぞよろしくお願いいたします。"};
    for (int repeat = 0; repeat < 2; ++repeat)
      for (const char* line : lines) text += to_jis(line) + "\r\n";
    return text;
  }();
  return body;
}

std::string mail(const std::string& from, const std::string& to, const std::string& id) {
  return "From: " + from + "\r\nTo: " + to + "\r\nSubject: =?ISO-2022-JP?B?GyRCO1I2ISROJDMkSCRHQWpDTBsoQg==?=\r\n"
         "Date: Mon, 7 Dec 2026 21:40:00 +0900\r\nMessage-ID: <" + id + "@example.jp>\r\nMIME-Version: 1.0\r\n"
         "Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" +
         jis_body() + ".\r\n";
}

struct Shared {
  const LmtpLoadOptions& options;
  Clock::time_point measure_from, until;
  std::uint64_t seq = 0;
  LoadResult result;
};

// One reply (multi-line replies end with "NNN "); its code, or 0 when the connection broke.
asio::awaitable<int> reply(tcp::socket& socket, std::string& buffer) {
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer), "\r\n", nothrow);
    if (ec) co_return 0;
    const std::string line = buffer.substr(0, n);
    buffer.erase(0, n);
    if (line.size() >= 4 && line[3] == ' ') co_return std::stoi(line.substr(0, 3));
  }
}

asio::awaitable<void> connection(Shared& s, int index) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket socket(ex);
  auto [cec] = co_await socket.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), s.options.port), nothrow);
  std::string buffer;
  const auto fail = [&s] { ++s.result.errors; };
  if (cec) co_return fail();
  socket.set_option(tcp::no_delay(true));
  if (co_await reply(socket, buffer) != 220) co_return fail();
  auto [hec, hn] = co_await asio::async_write(socket, asio::buffer(s.options.greeting + " bench.example\r\n"), nothrow);
  if (hec || co_await reply(socket, buffer) != 250) co_return fail();
  while (Clock::now() < s.until) {
    const auto seq = s.seq++;
    const std::string id = s.options.id_prefix + std::to_string(index) + "-" + std::to_string(seq);
    const std::string from = "family-" + id + "@example.jp";
    const std::string envelope = "MAIL FROM:<" + from + ">\r\nRCPT TO:<" + s.options.recipient + ">\r\nDATA\r\n";
    const std::string message = mail(from, s.options.recipient, id);
    const auto start = Clock::now();
    auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(envelope), nothrow);
    if (wec) co_return fail();
    const int mail_from = co_await reply(socket, buffer), rcpt = co_await reply(socket, buffer);
    const int data = co_await reply(socket, buffer);
    if (mail_from != 250 || rcpt != 250 || data != 354) co_return fail();
    auto [mec, mn] = co_await asio::async_write(socket, asio::buffer(message), nothrow);
    const int stored = mec ? 0 : co_await reply(socket, buffer);
    const auto end = Clock::now();
    if (stored == 0) co_return fail();
    if (stored == 250) ++s.result.acknowledged_all;
    if (start < s.measure_from) continue;
    if (stored == 250) {
      ++s.result.acknowledged;
      s.result.latencies_ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    } else {
      fail();
    }
  }
  co_await asio::async_write(socket, asio::buffer(std::string("QUIT\r\n")), nothrow);
}

}  // namespace

LoadResult run_lmtp_load(const LmtpLoadOptions& options) {
  asio::io_context io(1);
  Shared shared{options, {}, {}, 0, {}};
  const auto now = Clock::now();
  shared.measure_from = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.warmup_s));
  shared.until = shared.measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.seconds));
  for (int i = 0; i < options.connections; ++i) asio::co_spawn(io, connection(shared, i), asio::detached);
  io.run();
  shared.result.seconds = options.seconds;
  return std::move(shared.result);
}

}  // namespace madoguchi::bench
