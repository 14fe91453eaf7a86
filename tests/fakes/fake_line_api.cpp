#include "tests/fakes/fake_line_api.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "tests/fakes/openapi_validator.hpp"
#include "tests/fakes/wait.hpp"

namespace madoguchi::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

std::size_t utf16_units(const std::string& s) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    units += c >= 0xF0 ? 2 : 1;
  }
  return units;
}

std::string error_body(const std::string& message) {
  return boost::json::serialize(boost::json::object{{"message", message}});
}

}  // namespace

struct FakeLineApi::Impl {
  OpenApiSpec spec;
  std::string token;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  tcp::acceptor data_acceptor{io};
  std::thread thread;

  struct Content {
    std::string type, bytes;
    bool chunked = false;
  };
  std::map<std::string, Content> contents;            // message id → content
  std::map<std::string, std::deque<unsigned>> content_failures;
  std::map<std::string, int> content_counts;

  mutable std::mutex mutex;
  std::vector<LineRequest> requests;
  std::vector<LineAccepted> accepted;
  std::vector<std::string> problems;
  std::set<std::string> accepted_keys, used_tokens, expired_tokens;
  std::deque<std::pair<LineFault, int>> faults;  // fault, retry-after
  double fault_probability = 0;
  std::mt19937 random{1};
  int random_retry_after = 0;
  int hang_ms = 3000;
  int latency_ms = 0;
  std::function<void(SendPhase)> send_hook;
  bool quota_limited = true;
  std::int64_t quota_limit = 1000, quota_used = 0;

  Impl(const std::filesystem::path& spec_file, std::string t) : spec(spec_file), token(std::move(t)) {}

  struct Answer {
    unsigned status = 0;  // 0: hang, then close
    std::string body;
    int retry_after = 0;
    int delay_ms = 0;  // before answering (or, for a hang, before closing)
    std::string content_type = "application/json";
    bool chunked = false;
  };

  // "/v2/bot/message/123/content" → "123"; "" for any other target.
  static std::string content_id(const std::string& target) {
    const std::string prefix = "/v2/bot/message/", suffix = "/content";
    if (!target.starts_with(prefix) || !target.ends_with(suffix) || target.size() <= prefix.size() + suffix.size())
      return {};
    auto id = target.substr(prefix.size(), target.size() - prefix.size() - suffix.size());
    return id.find('/') == std::string::npos ? id : std::string();
  }

  // Under the lock.
  Answer content(const std::string& id) {
    ++content_counts[id];
    if (auto f = content_failures.find(id); f != content_failures.end() && !f->second.empty()) {
      const auto status = f->second.front();
      f->second.pop_front();
      return {status, error_body(status == 404 ? "Not found" : "Internal server error")};
    }
    auto it = contents.find(id);
    if (it == contents.end()) return {404, error_body("Not found")};
    Answer a{200, it->second.bytes};
    a.content_type = it->second.type;
    a.chunked = it->second.chunked;
    return a;
  }

  std::optional<std::pair<LineFault, int>> next_fault() {
    if (!faults.empty()) {
      auto f = faults.front();
      faults.pop_front();
      return f;
    }
    if (fault_probability > 0 && std::uniform_real_distribution<double>(0, 1)(random) < fault_probability) {
      static constexpr LineFault all[] = {LineFault::hang_before_accept, LineFault::hang_after_accept,
                                          LineFault::server_error, LineFault::rate_limited};
      return std::make_pair(all[random() % 4], random_retry_after);
    }
    return std::nullopt;
  }

  // Decides the answer under the lock; the request is recorded with it.
  Answer handle(const http::request<http::string_body>& req, bool data_host) {
    std::map<std::string, std::string> headers;
    for (const auto& f : req) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      headers[name] = std::string(f.value());
    }
    LineRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.authorization = headers["authorization"];
    r.retry_key = headers.count("x-line-retry-key") ? headers["x-line-retry-key"] : "";
    r.data_host = data_host;
    r.problems = spec.check_request(r.method, r.target, headers, req.body(),
                                    data_host ? "https://api-data.line.me" : "https://api.line.me");

    const bool push = r.target == "/v2/bot/message/push";
    const bool reply = r.target == "/v2/bot/message/reply";
    if (push || reply) {
      boost::system::error_code ec;
      auto body = boost::json::parse(req.body(), ec);
      if (!ec && body.is_object()) {
        const auto& o = body.as_object();
        if (auto* v = o.if_contains("to"); v && v->is_string()) r.to = std::string(v->as_string());
        if (auto* v = o.if_contains("replyToken"); v && v->is_string()) r.reply_token = std::string(v->as_string());
        if (auto* m = o.if_contains("messages"); m && m->is_array())
          for (const auto& msg : m->as_array())
            if (auto* t = msg.is_object() ? msg.as_object().if_contains("text") : nullptr; t && t->is_string()) {
              r.texts.emplace_back(t->as_string());
              if (utf16_units(r.texts.back()) > 5000) r.problems.push_back("text longer than 5000 characters");
            }
      }
      // Our own rule, stricter than LINE's: every push carries a retry key.
      if (push && r.retry_key.empty()) r.problems.push_back("push without X-Line-Retry-Key");
    }

    std::lock_guard lock(mutex);
    Answer a;
    if (r.authorization != "Bearer " + token) {
      a = {401, error_body("Authentication failed. Confirm that the access token in the authorization header is valid.")};
    } else if (!r.problems.empty()) {
      a = {400, error_body("The request body has " + std::to_string(r.problems.size()) + " error(s)")};
      for (const auto& p : r.problems) problems.push_back(r.method + " " + r.target + ": " + p);
    } else if (r.target == "/v2/bot/message/quota") {
      a = {200, quota_limited ? boost::json::serialize(boost::json::object{{"type", "limited"}, {"value", quota_limit}})
                              : std::string(R"({"type":"none"})")};
    } else if (r.target == "/v2/bot/message/quota/consumption") {
      a = {200, boost::json::serialize(boost::json::object{{"totalUsage", quota_used}})};
    } else if (push || reply) {
      a = send(r, push);
    } else if (auto id = content_id(r.target); !id.empty()) {
      a = content(id);
    } else {
      a = {404, error_body("Not found")};
    }
    r.status = a.status;
    a.delay_ms = a.status == 0 ? hang_ms : latency_ms;
    requests.push_back(std::move(r));
    return a;
  }

  Answer send(const LineRequest& r, bool push) {
    const std::string key = push ? r.retry_key : r.reply_token;
    if (push && accepted_keys.count(key))
      return {409, boost::json::serialize(boost::json::object{
                       {"message", "The retry key is already accepted"},
                       {"sentMessages", boost::json::array{boost::json::object{{"id", "1"}}}}})};
    if (!push && (used_tokens.count(key) || expired_tokens.count(key))) return {400, error_body("Invalid reply token")};
    auto fault = next_fault();
    if (fault && fault->first == LineFault::hang_before_accept) return {0, ""};
    if (fault && fault->first == LineFault::server_error) return {500, error_body("Internal server error")};
    if (fault && fault->first == LineFault::rate_limited)
      return {429, error_body("The API rate limit has been exceeded. Try again later."), fault->second};
    (push ? accepted_keys : used_tokens).insert(key);
    accepted.push_back({push ? "push" : "reply", key, r.to, r.reply_token, r.texts});
    ++quota_used;
    if (fault && fault->first == LineFault::hang_after_accept) return {0, ""};
    boost::json::array sent;
    for (std::size_t i = 0; i < r.texts.size(); ++i) sent.push_back(boost::json::object{{"id", std::to_string(accepted.size() * 10 + i)}});
    return {200, boost::json::serialize(boost::json::object{{"sentMessages", std::move(sent)}})};
  }

  // Outside the lock: the hook may block until the test has done what it waits for.
  void call_hook(SendPhase phase) {
    std::function<void(SendPhase)> hook;
    {
      std::lock_guard lock(mutex);
      hook = send_hook;
    }
    if (hook) hook(phase);
  }

  asio::awaitable<void> session(tcp::socket socket, bool data_host) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(2 * 1024 * 1024);
      auto [ec, n] = co_await http::async_read(stream, buffer, parser, nothrow);
      if (ec) co_return;
      auto req = parser.release();
      const bool sends = !data_host && (req.target() == "/v2/bot/message/push" || req.target() == "/v2/bot/message/reply");
      if (sends) call_hook(SendPhase::received);
      auto answer = handle(req, data_host);
      if (answer.delay_ms > 0) {
        asio::steady_timer timer(stream.get_executor(), std::chrono::milliseconds(answer.delay_ms));
        co_await timer.async_wait(nothrow);
      }
      if (answer.status == 0) co_return;  // closes without an answer
      http::response<http::string_body> res{static_cast<http::status>(answer.status), req.version()};
      res.set(http::field::content_type, answer.content_type);
      if (answer.retry_after > 0) res.set(http::field::retry_after, std::to_string(answer.retry_after));
      res.body() = std::move(answer.body);
      res.keep_alive(req.keep_alive());
      if (answer.chunked) res.chunked(true);
      else res.prepare_payload();
      auto [wec, wn] = co_await http::async_write(stream, res, nothrow);
      if (sends && !wec) call_hook(SendPhase::answered);
      if (wec || !req.keep_alive()) co_return;
    }
  }

  asio::awaitable<void> accept_loop(tcp::acceptor& from, bool data_host) {
    for (;;) {
      auto [ec, socket] = co_await from.async_accept(nothrow);
      if (ec) co_return;
      asio::co_spawn(io, session(std::move(socket), data_host), asio::detached);
    }
  }
};

FakeLineApi::FakeLineApi(const std::filesystem::path& spec_file, std::string access_token)
    : impl_(std::make_shared<Impl>(spec_file, std::move(access_token))) {
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  for (auto* a : {&impl_->acceptor, &impl_->data_acceptor}) {
    a->open(endpoint.protocol());
    a->set_option(tcp::acceptor::reuse_address(true));
    a->bind(endpoint);
    a->listen();
  }
  asio::co_spawn(impl_->io, impl_->accept_loop(impl_->acceptor, false), asio::detached);
  asio::co_spawn(impl_->io, impl_->accept_loop(impl_->data_acceptor, true), asio::detached);
  impl_->thread = std::thread([d = impl_.get()] { d->io.run(); });
}

FakeLineApi::~FakeLineApi() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t FakeLineApi::port() const { return impl_->acceptor.local_endpoint().port(); }
std::string FakeLineApi::base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }

std::string FakeLineApi::data_base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->data_acceptor.local_endpoint().port());
}

void FakeLineApi::add_content(const std::string& message_id, std::string content_type, std::string bytes, bool chunked) {
  std::lock_guard lock(impl_->mutex);
  impl_->contents[message_id] = {std::move(content_type), std::move(bytes), chunked};
}

void FakeLineApi::fail_content(const std::string& message_id, unsigned status, int times) {
  std::lock_guard lock(impl_->mutex);
  for (int i = 0; i < times; ++i) impl_->content_failures[message_id].push_back(status);
}

int FakeLineApi::content_requests(const std::string& message_id) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->content_counts.find(message_id);
  return it == impl_->content_counts.end() ? 0 : it->second;
}

void FakeLineApi::inject(LineFault fault, int times, int retry_after_s) {
  std::lock_guard lock(impl_->mutex);
  for (int i = 0; i < times; ++i) impl_->faults.emplace_back(fault, retry_after_s);
}

void FakeLineApi::random_faults(double probability, std::uint32_t seed, int retry_after_s) {
  std::lock_guard lock(impl_->mutex);
  impl_->fault_probability = probability;
  impl_->random.seed(seed);
  impl_->random_retry_after = retry_after_s;
}

void FakeLineApi::set_hang_ms(int ms) {
  std::lock_guard lock(impl_->mutex);
  impl_->hang_ms = ms;
}

void FakeLineApi::set_latency_ms(int ms) {
  std::lock_guard lock(impl_->mutex);
  impl_->latency_ms = ms;
}

void FakeLineApi::on_send(std::function<void(SendPhase)> hook) {
  std::lock_guard lock(impl_->mutex);
  impl_->send_hook = std::move(hook);
}

void FakeLineApi::expire_reply_token(const std::string& token) {
  std::lock_guard lock(impl_->mutex);
  impl_->expired_tokens.insert(token);
}

void FakeLineApi::set_quota(bool limited, std::int64_t limit, std::int64_t used) {
  std::lock_guard lock(impl_->mutex);
  impl_->quota_limited = limited;
  impl_->quota_limit = limit;
  impl_->quota_used = used;
}

std::vector<LineRequest> FakeLineApi::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

std::vector<LineAccepted> FakeLineApi::accepted() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->accepted;
}

std::size_t FakeLineApi::accepted_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->accepted.size();
}

std::vector<std::string> FakeLineApi::problems() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->problems;
}

bool FakeLineApi::wait_until(const std::function<bool()>& done, int timeout_ms) const {
  return madoguchi::testing::wait_until(done, timeout_ms);
}

}  // namespace madoguchi::testing
