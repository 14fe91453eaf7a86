#include "adapters/line/line_media.hpp"

#include <algorithm>
#include "adapters/line/line_outbound.hpp"

#include "gateway/core/errc.hpp"

namespace madoguchi::adapters::line {
namespace {

namespace asio = boost::asio;

MediaResult outcome(MediaKind kind, std::string code, std::string reason) {
  MediaResult r;
  r.kind = kind;
  r.code = std::move(code);
  r.reason_ja = std::move(reason);
  return r;
}

// "Image/JPEG; charset=binary" → "image/jpeg".
std::string media_type(const std::string& header) {
  std::string t = header.substr(0, header.find(';'));
  t.erase(t.find_last_not_of(" \t") + 1);
  t.erase(0, std::min(t.find_first_not_of(" \t"), t.size()));
  for (auto& c : t)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return t;
}

}  // namespace

std::string content_target(const std::string& message_id) {
  if (message_id.empty() || message_id.size() > 32 ||
      !std::all_of(message_id.begin(), message_id.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return {};
  return "/v2/bot/message/" + message_id + "/content";
}

MediaResult classify_media_answer(HttpExchange& x) {
  using K = MediaKind;
  if (x.error) {
    if (x.error == errc::upstream_too_large)
      return outcome(K::too_large, "too_large", "ファイルが大きすぎるため保存していません。");
    if (x.error == errc::upstream_connect_failed)
      return outcome(K::retriable, "connect_failed", "LINEに接続できません。時間をおいて再取得します。");
    if (x.error == errc::upstream_timeout)
      return outcome(K::retriable, "timeout", "LINEから応答がありません。時間をおいて再取得します。");
    return outcome(K::retriable, "transport", "LINEとの通信が途中で切れました。時間をおいて再取得します。");
  }
  const auto s = x.status;
  if (s == 200) {
    auto r = outcome(K::fetched, "ok", "");
    r.content = std::move(x.body);
    r.content_type = media_type(x.content_type);
    return r;
  }
  if (s == 429) {
    auto r = outcome(K::retriable, "http_429", "LINEが混み合っています。時間をおいて再取得します。");
    r.retry_after_ms = retry_after_ms(x.retry_after);
    return r;
  }
  if (s >= 500) return outcome(K::retriable, "http_" + std::to_string(s), "LINE側で一時的な障害が起きています。時間をおいて再取得します。");
  if (s == 404 || s == 410)
    return outcome(K::permanent, "http_" + std::to_string(s), "LINEの保存期間が過ぎたため、取得できませんでした。");
  if (s == 401) return outcome(K::permanent, "http_401", "LINEのチャネルアクセストークンが無効です。管理者に連絡してください。");
  if (s == 403) return outcome(K::permanent, "http_403", "このLINE公式アカウントには取得の権限がありません。管理者に連絡してください。");
  return outcome(K::permanent, "http_" + std::to_string(s), "LINEが取得を拒否しました（" + std::to_string(s) + "）。");
}

LineMediaSource::LineMediaSource(Secret access_token, std::unique_ptr<HttpClient> client, std::chrono::milliseconds timeout)
    : token_(std::move(access_token)), client_(std::move(client)), timeout_(timeout) {}

asio::awaitable<MediaResult> LineMediaSource::fetch(const std::string& media_handle, std::size_t max_bytes) {
  auto target = content_target(media_handle);
  if (target.empty()) co_return outcome(MediaKind::permanent, "bad_handle", "取得に必要な情報がありません。");
  HttpClient::Headers headers{{"Authorization", "Bearer " + std::string(token_.view())}};
  // Locals, not temporaries, in the co_await expression (GCC 12 miscompiles those).
  std::string method = "GET", body;
  RequestLimits limits{max_bytes, timeout_};
  auto exchange = co_await client_->request(std::move(method), std::move(target), std::move(headers), std::move(body), limits);
  co_return classify_media_answer(exchange);
}

}  // namespace madoguchi::adapters::line
