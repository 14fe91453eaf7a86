#include "adapters/email/smtp_sender.hpp"

#include <curl/curl.h>
#include <sodium.h>

#include <boost/asio.hpp>
#include <boost/json/parse.hpp>
#include <chrono>
#include <cstring>
#include <mutex>

#include "adapters/email/mail_compose.hpp"

namespace madoguchi::adapters::email {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

struct Upload {
  const std::string& data;
  std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* u = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, u->data.size() - u->offset);
  std::memcpy(buffer, u->data.data() + u->offset, n);
  u->offset += n;
  return n;
}

DeliveryResult outcome(DeliveryKind kind, std::string code, std::string reason, bool maybe_sent = false) {
  DeliveryResult r;
  r.kind = kind;
  r.code = std::move(code);
  r.reason_ja = std::move(reason);
  r.maybe_sent = maybe_sent;
  return r;
}

// What the reply handle of the inbound mail says about its thread.
struct Thread {
  std::string in_reply_to, subject;
  std::vector<std::string> references;
};

Thread thread_of(const std::string& handle) {
  Thread t;
  boost::system::error_code ec;
  auto v = json::parse(handle, ec);
  if (ec || !v.is_object()) return t;
  const auto& o = v.as_object();
  if (const auto* id = o.if_contains("id"); id && id->is_string()) t.in_reply_to = id->as_string().c_str();
  if (const auto* s = o.if_contains("subject"); s && s->is_string()) t.subject = s->as_string().c_str();
  if (const auto* refs = o.if_contains("refs"); refs && refs->is_array())
    for (const auto& r : refs->as_array())
      if (r.is_string()) t.references.emplace_back(r.as_string().c_str());
  return t;
}

}  // namespace

std::string reply_message_id(const std::string& retry_key, const std::string& token, const std::string& domain) {
  return retry_key + "." + token + "@" + domain;
}

struct SmtpSender::Impl {
  std::string address, display_name, domain, local, charset;
  std::string url;
  RelaySecurity security;
  std::string username;
  Secret password;
  std::string ca_file;
  long timeout_s;
  asio::thread_pool pool{2};

  DeliveryResult perform(const std::string& envelope_from, const std::string& to, const std::string& data) {
    CURL* curl = curl_easy_init();
    if (!curl) return outcome(DeliveryKind::retriable, "curl_init", "送信の準備ができませんでした。再送します。");
    char error[CURL_ERROR_SIZE] = {0};
    Upload upload{data};
    curl_slist* rcpt = curl_slist_append(nullptr, ("<" + to + ">").c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_USE_SSL, security == RelaySecurity::none ? CURLUSESSL_NONE : CURLUSESSL_ALL);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
    std::string secret(password.view());
    if (!username.empty()) {
      curl_easy_setopt(curl, CURLOPT_USERNAME, username.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, secret.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, ("<" + envelope_from + ">").c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, std::min(timeout_s, 15L));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_s);
    const CURLcode rc = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    sodium_memzero(secret.data(), secret.size());

    const std::string smtp = "smtp_" + std::to_string(code);
    if (rc == CURLE_OK) return outcome(DeliveryKind::delivered, smtp, "");
    if (code >= 500 && code < 600)
      return outcome(DeliveryKind::permanent, smtp,
                     "メールサーバーが受け付けませんでした（" + std::to_string(code) +
                         "）。宛先のアドレスが正しいか確認してください。");
    if (code >= 400 && code < 500)
      return outcome(DeliveryKind::retriable, smtp, "メールサーバーが一時的に受け付けませんでした（" + std::to_string(code) + "）。");
    switch (rc) {
      case CURLE_COULDNT_CONNECT:
      case CURLE_COULDNT_RESOLVE_HOST:
        return outcome(DeliveryKind::retriable, "connect_failed", "メールサーバーに接続できません。");
      case CURLE_LOGIN_DENIED:
        return outcome(DeliveryKind::retriable, "auth_failed", "メールサーバーの認証に失敗しました。管理者に連絡してください。");
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_USE_SSL_FAILED:
        return outcome(DeliveryKind::retriable, "tls_failed", "メールサーバーとの暗号化通信を確立できません。管理者に連絡してください。");
      default:
        // No answer after the data may have been accepted: the next attempt sends the same
        // Message-ID.
        return outcome(DeliveryKind::retriable, "smtp_" + std::string(curl_easy_strerror(rc)).substr(0, 40),
                       "メールサーバーから応答がありません。", true);
    }
  }
};

// A plain coroutine with its arguments by value (GCC 12 mishandles a capturing coroutine
// lambda handed to co_spawn: its captures were destroyed twice).
asio::awaitable<DeliveryResult> SmtpSender::perform_on(Impl* impl, std::string envelope_from, std::string to,
                                                      std::string data) {
  co_return impl->perform(envelope_from, to, data);
}

SmtpSender::SmtpSender(const EmailSettings& s) : impl_(std::make_unique<Impl>()) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  auto& d = *impl_;
  d.address = s.address;
  d.display_name = s.display_name;
  d.local = s.address.substr(0, s.address.find('@'));
  d.domain = s.address.substr(s.address.find('@') + 1);
  d.charset = s.charset;
  d.security = s.relay_security;
  const std::string scheme = s.relay_security == RelaySecurity::tls ? "smtps://" : "smtp://";
  // The path is the name we greet with (EHLO).
  d.url = scheme + s.relay_host + ":" + std::to_string(s.relay_port) + "/" + d.domain;
  d.username = s.relay_username;
  d.password = s.relay_password.clone();
  d.ca_file = s.relay_ca_file;
  d.timeout_s = s.send_timeout_s;
}

SmtpSender::~SmtpSender() { impl_->pool.join(); }

OutboundCapabilities SmtpSender::capabilities() const {
  OutboundCapabilities caps;
  caps.max_text_units = 1'000'000;  // one mail, however long the reply
  caps.max_messages = 1;
  caps.reply_window_ms = std::int64_t{365} * 24 * 3600 * 1000;  // a mail can be answered in its thread any time
  caps.thread_counselor_replies = true;
  return caps;
}

asio::awaitable<DeliveryResult> SmtpSender::send(const OutboundRequest& request) {
  // The conversation's thread id: "<token> <the writer's address>".
  const auto space = request.to.find(' ');
  if (space == std::string::npos || request.texts.empty())
    co_return outcome(DeliveryKind::permanent, "bad_target", "宛先のメールアドレスがありません。");
  const std::string token = request.to.substr(0, space);
  const std::string to = request.to.substr(space + 1);
  const auto thread = thread_of(request.reply_handle);
  ReplyMail mail;
  mail.from_address = impl_->address;
  mail.from_name = impl_->display_name;
  mail.reply_to = impl_->local + "+" + token + "@" + impl_->domain;
  mail.to = to;
  mail.message_id = reply_message_id(request.retry_key, token, impl_->domain);
  mail.in_reply_to = thread.in_reply_to;
  mail.references = thread.references;
  mail.subject = reply_subject(thread.subject);
  mail.text = request.texts.front();
  mail.charset = impl_->charset;
  mail.automatic = request.automatic;
  mail.date_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch()).count();
  // Bounces come back to the conversation's own address (envelope from = Reply-To).
  // libcurl blocks: the call runs on the sender's own pool, not the worker's thread.
  co_return co_await asio::co_spawn(impl_->pool, perform_on(impl_.get(), mail.reply_to, to, compose_mail(mail)),
                                    asio::use_awaitable);
}

}  // namespace madoguchi::adapters::email
