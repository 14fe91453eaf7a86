#include "adapters/email/lmtp_server.hpp"

#include <sodium.h>

#include <boost/asio.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <algorithm>
#include <atomic>
#include <deque>
#include <filesystem>
#include <map>
#include <thread>

#include "adapters/email/mail_intake.hpp"
#include "adapters/email/mail_reader.hpp"
#include "gateway/core/hex.hpp"
#include "gateway/core/log.hpp"

namespace madoguchi::adapters::email {
namespace asio = boost::asio;
using Protocol = asio::generic::stream_protocol;
using Clock = std::chrono::steady_clock;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool starts_with_ci(const std::string& line, std::string_view prefix) {
  return line.size() >= prefix.size() && lower(line.substr(0, prefix.size())) == prefix;
}

// The address between < and > of "MAIL FROM:<a@b> SIZE=123" / "RCPT TO:<a@b>"; nullopt when
// the brackets are missing. "" for the null sender.
std::optional<std::string> path_of(const std::string& line, std::size_t after) {
  const auto open = line.find('<', after);
  const auto close = line.find('>', open == std::string::npos ? after : open);
  if (open == std::string::npos || close == std::string::npos) return std::nullopt;
  return lower(line.substr(open + 1, close - open - 1));
}

std::optional<std::size_t> size_param(const std::string& line) {
  const auto l = lower(line);
  const auto at = l.find(" size=");
  if (at == std::string::npos) return std::nullopt;
  try {
    return static_cast<std::size_t>(std::stoull(l.substr(at + 6)));
  } catch (...) {
    return std::nullopt;
  }
}

std::string sha256_hex(const std::string& data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return to_hex(std::span<const unsigned char>(digest, sizeof digest));
}

struct Transaction {
  bool has_from = false;
  std::string mail_from;
  std::vector<Recipient> recipients;
  void reset() { *this = Transaction{}; }
};

}  // namespace

struct LmtpServer::Impl {
  std::string listen;
  std::vector<LmtpAccount> accounts;
  MessageSink& sink;
  Log& log;
  LmtpLimits limits;
  asio::io_context io;
  std::optional<asio::basic_socket_acceptor<Protocol>> acceptor;
  std::thread thread;
  unsigned short bound_port = 0;
  std::map<std::string, std::deque<Clock::time_point>> recent;  // sender → accepted mails (io thread only)
  // Mails handed to the sink whose commit has not answered yet: stop() waits for them, so no
  // answer arrives at a destroyed io_context and no committed mail goes unanswered.
  std::atomic<int> in_flight{0};

  Impl(std::string l, std::vector<LmtpAccount> a, MessageSink& s, Log& g, LmtpLimits lim)
      : listen(std::move(l)), accounts(std::move(a)), sink(s), log(g), limits(lim) {}

  const LmtpAccount* account_for(const std::string& local, const std::string& domain) const {
    for (const auto& a : accounts)
      if (a.settings->address == local + "@" + domain) return &a;
    return nullptr;
  }

  std::size_t max_message_bytes() const {
    std::size_t m = 0;
    for (const auto& a : accounts) m = std::max(m, a.settings->max_message_bytes);
    return m;
  }

  // The sender's allowance per hour (the tightest of the recipients' accounts); true = over.
  bool over_allowance(const std::string& sender, int per_hour, bool record) {
    auto& times = recent[sender];
    const auto now = Clock::now();
    while (!times.empty() && now - times.front() > std::chrono::hours(1)) times.pop_front();
    if (static_cast<int>(times.size()) >= per_hour) return true;
    if (record) times.push_back(now);
    if (recent.size() > 10000)  // bounded: forget senders that have been quiet for an hour
      for (auto it = recent.begin(); it != recent.end();)
        it = (it->second.empty() || now - it->second.back() > std::chrono::hours(1)) ? recent.erase(it) : std::next(it);
    return false;
  }

  Protocol::endpoint endpoint_of() {
    if (listen.rfind("unix:", 0) == 0) {
      const std::string path = listen.substr(5);
      std::error_code ec;
      std::filesystem::remove(path, ec);  // a socket left by a killed process
      return asio::local::stream_protocol::endpoint(path);
    }
    const auto colon = listen.rfind(':');
    auto host = listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    const auto port = static_cast<unsigned short>(std::stoi(listen.substr(colon + 1)));
    return asio::ip::tcp::endpoint(asio::ip::make_address(host), port);
  }

  void bind() {
    auto ep = endpoint_of();
    acceptor.emplace(io, ep.protocol());
    if (ep.protocol().family() != AF_UNIX) acceptor->set_option(asio::socket_base::reuse_address(true));
    acceptor->bind(ep);
    acceptor->listen();
    if (ep.protocol().family() != AF_UNIX) {
      asio::ip::tcp::endpoint tcp;
      auto local = acceptor->local_endpoint();
      std::memcpy(tcp.data(), local.data(), std::min<std::size_t>(local.size(), sizeof(sockaddr_in6)));
      bound_port = tcp.port();
    } else {
      std::filesystem::permissions(listen.substr(5), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                                         std::filesystem::perms::group_read | std::filesystem::perms::group_write);
    }
  }

  asio::awaitable<void> accept_loop() {
    while (acceptor && acceptor->is_open()) {
      auto [ec, socket] = co_await acceptor->async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted) co_return;
        continue;
      }
      // Replies are small writes answered by the next command: without TCP_NODELAY, Nagle's
      // algorithm and delayed ACKs hold each 250 back (19 instead of 141 mails/s on one connection).
      boost::system::error_code ignored;
      if (socket.local_endpoint(ignored).protocol().family() != AF_UNIX)
        socket.set_option(asio::ip::tcp::no_delay(true), ignored);
      asio::co_spawn(io, session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<result<IntakeOutcome>> submit(const std::string& account, std::vector<NormalizedMessage> messages) {
    auto executor = co_await asio::this_coro::executor;
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(result<IntakeOutcome>)>(
        [this, &account, &messages, executor](auto handler) {
          auto h = std::make_shared<decltype(handler)>(std::move(handler));
          ++in_flight;
          sink.submit("email", account, std::move(messages), [this, h, executor](result<IntakeOutcome> r) {
            asio::post(executor, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
            --in_flight;
          });
        },
        asio::use_awaitable);
  }

  const LmtpAccount& named(const std::string& name) const {
    return *std::find_if(accounts.begin(), accounts.end(), [&](const auto& a) { return a.name == name; });
  }

  // One recipient's answer for the mail `raw` (read once per recipient: their accounts may
  // have other limits; nearly every mail has one recipient).
  asio::awaitable<std::string> deliver(const Transaction& tx, const Recipient& to, const std::string& raw) {
    const auto& account = named(to.account);
    const auto& s = *account.settings;
    MailLimits mail_limits;
    mail_limits.max_attachments = s.max_attachments;
    mail_limits.max_attachment_bytes = s.max_attachment_bytes;
    const auto mail = read_mail(raw, mail_limits, s.authserv_id);
    const std::string sender = to.account + "/" + (mail.from_address.empty() ? tx.mail_from : mail.from_address);
    if (over_allowance(sender, s.sender_mails_per_hour, false)) {
      log.warn("lmtp_sender_over_allowance", {{"account", to.account}});
      co_return "451 4.7.1 too many mails from this sender, try again later\r\n";
    }
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    auto messages = to_messages(mail, Envelope{tx.mail_from}, to, s.thread_secret, sha256_hex(raw), now_ms);
    auto outcome = co_await submit(to.account, std::move(messages));
    if (!outcome) {
      log.warn("lmtp_store_unavailable", {{"account", to.account}, {"reason", outcome.error().message()}});
      co_return "451 4.3.0 cannot store the mail now, try again later\r\n";
    }
    if (outcome->stored > 0) over_allowance(sender, s.sender_mails_per_hour, true);
    log.info("lmtp_delivered", {{"account", to.account}, {"stored", outcome->stored}, {"duplicates", outcome->duplicates},
                                {"bytes", raw.size()}, {"attachments", mail.attachments.size()}});
    co_return "250 2.0.0 stored\r\n";
  }

  asio::awaitable<void> session(Protocol::socket socket);
};

asio::awaitable<void> LmtpServer::Impl::session(Protocol::socket socket) {
  asio::steady_timer deadline(io);
  bool timed_out = false;
  auto arm = [&](int seconds) {
    deadline.expires_after(std::chrono::seconds(seconds));
    deadline.async_wait([&socket, &timed_out](boost::system::error_code ec) {
      if (ec) return;
      timed_out = true;
      boost::system::error_code ignored;
      socket.shutdown(asio::socket_base::shutdown_both, ignored);  // the pending read ends
    });
  };
  std::string buffer;
  auto write = [&](std::string text) -> asio::awaitable<bool> {
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(text), asio::as_tuple(asio::use_awaitable));
    (void)n;
    co_return !ec;
  };
  // One line without its CRLF; nullopt on a closed, timed-out or over-long line.
  auto read_line = [&](std::size_t max) -> asio::awaitable<std::optional<std::string>> {
    auto [ec, n] = co_await asio::async_read_until(socket, asio::dynamic_buffer(buffer, max + 2), "\n",
                                                   asio::as_tuple(asio::use_awaitable));
    if (ec) co_return std::nullopt;
    std::string line = buffer.substr(0, n - 1);
    buffer.erase(0, n);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    co_return line;
  };

  if (!co_await write("220 madoguchi LMTP ready\r\n")) co_return;
  Transaction tx;
  const std::size_t max_bytes = max_message_bytes();
  while (true) {
    arm(limits.idle_timeout_s);
    auto line = co_await read_line(limits.max_command_bytes);
    if (!line) {
      if (timed_out) co_await write("421 4.4.2 timeout\r\n");
      else if (buffer.size() > limits.max_command_bytes) co_await write("500 5.5.2 line too long\r\n");
      co_return;
    }
    const auto& cmd = *line;
    if (starts_with_ci(cmd, "lhlo")) {
      tx.reset();
      co_await write("250-madoguchi\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-SIZE " +
                     std::to_string(max_bytes) + "\r\n250 CHUNKING-NOT-OFFERED\r\n");
    } else if (starts_with_ci(cmd, "helo") || starts_with_ci(cmd, "ehlo")) {
      co_await write("500 5.5.1 this is LMTP: use LHLO\r\n");
    } else if (starts_with_ci(cmd, "mail from:")) {
      auto path = path_of(cmd, 10);
      if (tx.has_from) co_await write("503 5.5.1 nested MAIL command\r\n");
      else if (!path) co_await write("501 5.5.4 syntax: MAIL FROM:<address>\r\n");
      else if (auto size = size_param(cmd); size && *size > max_bytes)
        co_await write("552 5.3.4 message too big for this system\r\n");
      else {
        tx.has_from = true;
        tx.mail_from = *path;
        co_await write("250 2.1.0 ok\r\n");
      }
    } else if (starts_with_ci(cmd, "rcpt to:")) {
      auto path = path_of(cmd, 8);
      if (!tx.has_from) {
        co_await write("503 5.5.1 need MAIL first\r\n");
        continue;
      }
      if (!path || path->find('@') == std::string::npos) {
        co_await write("501 5.5.4 syntax: RCPT TO:<address>\r\n");
        continue;
      }
      if (static_cast<int>(tx.recipients.size()) >= limits.max_recipients) {
        co_await write("452 4.5.3 too many recipients\r\n");
        continue;
      }
      const auto at = path->rfind('@');
      auto local = path->substr(0, at);
      const auto domain = path->substr(at + 1);
      std::string token;
      if (auto plus = local.find('+'); plus != std::string::npos) {
        token = local.substr(plus + 1);
        local = local.substr(0, plus);
      }
      const auto* account = account_for(local, domain);
      if (!account) {
        co_await write("550 5.1.1 no such mailbox here\r\n");
        continue;
      }
      tx.recipients.push_back({account->name, domain, token});
      co_await write("250 2.1.5 ok\r\n");
    } else if (starts_with_ci(cmd, "data")) {
      if (tx.recipients.empty()) {
        co_await write(tx.has_from ? "503 5.5.1 no valid recipients\r\n" : "503 5.5.1 need MAIL first\r\n");
        continue;
      }
      if (!co_await write("354 go ahead, end with <CRLF>.<CRLF>\r\n")) co_return;
      arm(limits.data_timeout_s);
      std::string raw;
      bool too_big = false, headers_too_big = false, in_headers = true;
      std::size_t header_bytes = 0;
      int header_fields = 0;
      while (true) {
        auto data = co_await read_line(limits.max_line_bytes);
        if (!data) {
          if (timed_out) co_await write("421 4.4.2 timeout during DATA\r\n");
          else if (buffer.size() > limits.max_line_bytes) co_await write("500 5.5.2 line too long\r\n");
          co_return;  // nothing of it was stored: the MTA delivers again
        }
        if (*data == ".") break;
        std::string_view content(*data);
        if (!content.empty() && content.front() == '.') content.remove_prefix(1);  // dot-unstuffing
        if (in_headers) {
          if (content.empty()) in_headers = false;
          else {
            header_bytes += content.size() + 2;
            if (content.front() != ' ' && content.front() != '\t') ++header_fields;
            if (header_bytes > limits.max_header_bytes || header_fields > limits.max_header_fields) headers_too_big = true;
          }
        }
        if (raw.size() + content.size() + 2 > max_bytes) too_big = true;
        if (!too_big) raw.append(content).append("\r\n");
      }
      arm(limits.idle_timeout_s);
      std::string replies;
      if (too_big || headers_too_big) {
        for (std::size_t i = 0; i < tx.recipients.size(); ++i)
          replies += too_big ? "552 5.3.4 message too big for this system\r\n" : "552 5.3.4 header section too large\r\n";
      } else {
        for (const auto& r : tx.recipients) replies += co_await deliver(tx, r, raw);
      }
      if (!co_await write(replies)) co_return;
      tx.reset();
    } else if (starts_with_ci(cmd, "rset")) {
      tx.reset();
      co_await write("250 2.0.0 ok\r\n");
    } else if (starts_with_ci(cmd, "noop")) {
      co_await write("250 2.0.0 ok\r\n");
    } else if (starts_with_ci(cmd, "vrfy")) {
      co_await write("252 2.5.2 cannot verify\r\n");
    } else if (starts_with_ci(cmd, "quit")) {
      co_await write("221 2.0.0 bye\r\n");
      co_return;
    } else {
      co_await write("500 5.5.1 command not recognized\r\n");
    }
  }
}

}  // namespace madoguchi::adapters::email

namespace madoguchi::adapters::email {

LmtpServer::LmtpServer(std::string listen, std::vector<LmtpAccount> accounts, MessageSink& sink, Log& log,
                       LmtpLimits limits)
    : impl_(std::make_unique<Impl>(std::move(listen), std::move(accounts), sink, log, limits)) {}

LmtpServer::~LmtpServer() { stop(); }

void LmtpServer::start() {
  init_mime();
  impl_->bind();
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([d = impl_.get()] { d->io.run(); });
}

void LmtpServer::stop() {
  if (!impl_->thread.joinable()) return;
  asio::post(impl_->io, [d = impl_.get()] {
    boost::system::error_code ignored;
    if (d->acceptor) d->acceptor->close(ignored);
  });
  // Commits under way get their 250 (or 451) written; a session cut off before that was never
  // answered 250: the MTA keeps the mail and delivers again.
  for (int i = 0; i < 3000 && impl_->in_flight.load() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the posted answers are written
  impl_->io.stop();
  impl_->thread.join();
}

std::string LmtpServer::endpoint() const {
  if (impl_->listen.rfind("unix:", 0) == 0) return "lmtp:" + impl_->listen;
  return "lmtp:inet:" + impl_->listen.substr(0, impl_->listen.rfind(':')) + ":" + std::to_string(impl_->bound_port);
}

unsigned short LmtpServer::port() const { return impl_->bound_port; }

}  // namespace madoguchi::adapters::email
