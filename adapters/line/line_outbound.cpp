#include "adapters/line/line_outbound.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>

#include "adapters/common/json.hpp"
#include "gateway/core/errc.hpp"

namespace madoguchi::adapters::line {
namespace {

namespace asio = boost::asio;

boost::json::array text_messages(const std::vector<std::string>& texts) {
  boost::json::array messages;
  for (const auto& t : texts) messages.push_back({{"type", "text"}, {"text", t}});
  return messages;
}

// The provider's own error message ("Invalid reply token"), for classification only.
std::string error_message(const std::string& body) {
  auto parsed = parse_untrusted_json(body, JsonLimits{8});
  if (!parsed || !parsed->is_object()) return {};
  const auto* m = parsed->as_object().if_contains("message");
  return m && m->is_string() ? std::string(m->as_string()) : std::string();
}

bool contains(const std::string& haystack, std::string_view needle) {
  auto lower = [](std::string s) {
    for (auto& c : s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
  };
  return lower(haystack).find(needle) != std::string::npos;
}

DeliveryResult result(DeliveryKind kind, std::string code, std::string reason) {
  DeliveryResult r;
  r.kind = kind;
  r.code = std::move(code);
  r.reason_ja = std::move(reason);
  return r;
}

}  // namespace

std::int64_t retry_after_ms(const std::string& header) {
  std::int64_t seconds = 0;
  auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), seconds);
  if (ec != std::errc() || end != header.data() + header.size() || seconds < 0) return 0;
  return std::min<std::int64_t>(seconds, 3600) * 1000;
}

std::string push_body(const std::string& to, const std::vector<std::string>& texts) {
  return boost::json::serialize(boost::json::object{{"to", to}, {"messages", text_messages(texts)}});
}

std::string reply_body(const std::string& reply_token, const std::vector<std::string>& texts) {
  return boost::json::serialize(boost::json::object{{"replyToken", reply_token}, {"messages", text_messages(texts)}});
}

DeliveryResult classify_answer(bool is_reply, const HttpExchange& x) {
  using K = DeliveryKind;
  if (x.error) {
    DeliveryResult r;
    if (x.error == errc::upstream_connect_failed) {
      r = result(K::retriable, "connect_failed", "LINEに接続できません。時間をおいて再送します。");
    } else if (x.error == errc::upstream_timeout) {
      r = result(K::retriable, "timeout", "LINEから応答がありません。時間をおいて再送します。");
    } else {
      r = result(K::retriable, "transport", "LINEとの通信が途中で切れました。時間をおいて再送します。");
    }
    r.maybe_sent = x.request_written;
    return r;
  }
  const auto s = x.status;
  if (s >= 200 && s < 300) return result(K::delivered, "ok", "");
  if (s == 409 && !is_reply) return result(K::delivered, "already_accepted", "");
  if (s == 429) {
    if (contains(error_message(x.body), "monthly limit"))
      return result(K::permanent, "monthly_limit", "今月のLINE送信数の上限に達したため送信できません。管理者に連絡してください。");
    auto r = result(K::retriable, "http_429", "LINEの送信が混み合っています。時間をおいて再送します。");
    r.retry_after_ms = retry_after_ms(x.retry_after);
    return r;
  }
  if (s >= 500) {
    auto r = result(K::retriable, "http_" + std::to_string(s), "LINE側で一時的な障害が起きています。時間をおいて再送します。");
    r.maybe_sent = true;
    return r;
  }
  if (s == 400 && is_reply && contains(error_message(x.body), "reply token")) {
    auto spent = result(K::permanent, "reply_token_invalid", "返信用トークンが使えません。");
    spent.reply_handle_spent = true;
    return spent;
  }
  if (s == 400) return result(K::permanent, "http_400", "LINEが送信内容を受け付けませんでした（内容または宛先に誤りがあります）。");
  if (s == 401) return result(K::permanent, "http_401", "LINEのチャネルアクセストークンが無効です。管理者に連絡してください。");
  if (s == 403) return result(K::permanent, "http_403", "このLINE公式アカウントには送信の権限がありません。管理者に連絡してください。");
  return result(K::permanent, "http_" + std::to_string(s), "LINEが送信を拒否しました（" + std::to_string(s) + "）。");
}

LineOutbound::LineOutbound(Secret access_token, std::unique_ptr<HttpClient> client, std::int64_t reply_window_ms)
    : token_(std::move(access_token)), client_(std::move(client)), reply_window_ms_(reply_window_ms) {}

OutboundCapabilities LineOutbound::capabilities() const {
  return {kMaxTextUnits, kMaxMessages, reply_window_ms_};
}

asio::awaitable<DeliveryResult> LineOutbound::send(const OutboundRequest& request) {
  const bool is_reply = !request.reply_handle.empty();
  HttpClient::Headers headers{{"Authorization", "Bearer " + std::string(token_.view())},
                              {"Content-Type", "application/json"}};
  std::string body;
  std::string target;
  if (is_reply) {
    target = "/v2/bot/message/reply";
    body = reply_body(request.reply_handle, request.texts);
  } else {
    target = "/v2/bot/message/push";
    headers.emplace_back("X-Line-Retry-Key", request.retry_key);
    body = push_body(request.to, request.texts);
  }
  // Locals, not temporaries, in the co_await expression (GCC 12 miscompiles those).
  std::string method = "POST";
  auto exchange = co_await client_->request(std::move(method), std::move(target), std::move(headers), std::move(body));
  co_return classify_answer(is_reply, exchange);
}

asio::awaitable<std::optional<LineQuota>> LineOutbound::quota() {
  HttpClient::Headers headers{{"Authorization", "Bearer " + std::string(token_.view())}};
  std::string get = "GET", quota_target = "/v2/bot/message/quota", usage_target = "/v2/bot/message/quota/consumption",
              empty;
  auto limit = co_await client_->request(get, quota_target, headers, empty);
  auto usage = co_await client_->request(get, usage_target, headers, empty);
  if (limit.error || usage.error || limit.status != 200 || usage.status != 200) co_return std::nullopt;
  auto l = parse_untrusted_json(limit.body, JsonLimits{8});
  auto u = parse_untrusted_json(usage.body, JsonLimits{8});
  if (!l || !u || !l->is_object() || !u->is_object()) co_return std::nullopt;
  LineQuota q;
  const auto* type = l->as_object().if_contains("type");
  const auto* value = l->as_object().if_contains("value");
  const auto* total = u->as_object().if_contains("totalUsage");
  if (!type || !type->is_string() || !total || !total->is_int64()) co_return std::nullopt;
  q.limited = type->as_string() == "limited";
  if (q.limited) {
    if (!value || !value->is_int64()) co_return std::nullopt;
    q.limit = value->as_int64();
  }
  q.used = total->as_int64();
  co_return q;
}

}  // namespace madoguchi::adapters::line
