#include "gateway/ingest/webhook_handler.hpp"

#include <boost/json/serialize.hpp>

namespace madoguchi::ingest {
namespace {

std::string errc_name(const boost::system::error_code& ec) {
  if (ec.category() != madoguchi_category()) return "internal";
  switch (static_cast<errc>(ec.value())) {
    case errc::signature_missing: return "signature_missing";
    case errc::signature_invalid: return "signature_invalid";
    case errc::json_malformed: return "json_malformed";
    case errc::json_too_deep: return "json_too_deep";
    case errc::json_invalid_utf8: return "json_invalid_utf8";
    case errc::json_duplicate_key: return "json_duplicate_key";
    case errc::json_unexpected_shape: return "json_unexpected_shape";
    case errc::store_busy: return "store_busy";
    case errc::store_failed: return "store_failed";
    default: return "error_" + std::to_string(ec.value());
  }
}

// Japanese first: operators read these in the provider's console (LINE shows the body
// of a failed webhook verification).
std::string japanese_reason(const boost::system::error_code& ec) {
  if (ec == errc::signature_missing) return "署名ヘッダーがありません / signature header missing";
  if (ec == errc::signature_invalid) return "署名が一致しません / signature does not match";
  if (ec == errc::json_too_deep) return "JSON の入れ子が深すぎます / JSON nested too deeply";
  if (ec == errc::json_invalid_utf8) return "JSON に不正な UTF-8 があります / invalid UTF-8 in JSON";
  if (ec == errc::json_duplicate_key) return "JSON のキーが重複しています / duplicate key in JSON";
  if (ec == errc::json_unexpected_shape) return "イベントの形式が不正です / unexpected event structure";
  if (ec == errc::store_busy || ec == errc::store_failed)
    return "一時的に保存できません。再送してください / store unavailable, retry later";
  return "JSON を解析できません / malformed JSON";
}

}  // namespace

WebhookHandler::WebhookHandler(const AdapterRegistry& adapters,
                               std::map<std::string, std::unique_ptr<TenantIngest>>& tenants,
                               store::GroupCommitter& committer, Metrics& metrics, Log& log,
                               const Clock& clock)
    : adapters_(adapters), tenants_(tenants), committer_(committer), metrics_(metrics), log_(log), clock_(clock) {}

void WebhookHandler::add_routes(http::Router& router) {
  router.add("POST", "/webhooks/{channel}/{account}",
             [this](http::Request&& request, const http::RouteParams& params, http::Respond respond) {
               handle(std::move(request), params, std::move(respond));
             });
  router.add("GET", "/webhooks/{channel}/{account}",
             [this](http::Request&& request, const http::RouteParams& params, http::Respond respond) {
               handle_challenge(std::move(request), params, std::move(respond));
             });
}

// The configured account the URL names, or nullptr after answering 404.
const AccountBinding* WebhookHandler::find_or_refuse(const std::string& channel, const std::string& account,
                                                     http::Respond& respond) const {
  const AccountBinding* binding = adapters_.find(channel, account);
  if (binding && !binding->inbound) binding = nullptr;  // a channel without webhooks (email)
  if (!binding)
    respond(http::error_response(404, "unknown_account", "この受付口は設定されていません / unknown channel account"));
  return binding;
}

void WebhookHandler::handle_challenge(http::Request&& request, const http::RouteParams& params,
                                      http::Respond respond) {
  const auto& channel = params.find("channel")->second;
  const auto& account = params.find("account")->second;
  const AccountBinding* binding = find_or_refuse(channel, account, respond);
  if (!binding) return;
  WebhookRequest webhook{account, std::move(request.headers), {}, std::move(request.query)};
  auto answer = binding->inbound->challenge(webhook);
  if (answer) {
    log_.info("webhook_challenge_answered", {{"channel", channel}, {"account", account}});
    respond({200, "text/plain; charset=utf-8", std::move(*answer), {}});
    return;
  }
  if (answer.error() == errc::channel_unsupported) {
    auto response = http::error_response(405, "method_not_allowed",
                                         "このチャネルの受付口は POST だけを受け付けます / this webhook accepts POST only");
    response.headers.emplace_back("allow", "POST");
    respond(std::move(response));
    return;
  }
  log_.warn("webhook_challenge_refused", {{"channel", channel}, {"account", account}, {"reason", errc_name(answer.error())}});
  respond(http::error_response(403, "challenge_refused", "確認トークンが一致しません / verification refused"));
}

void WebhookHandler::note_matched_secret(const AccountBinding& binding, int index) {
  const auto key = binding.channel + "/" + binding.account;
  std::lock_guard lock(matched_mutex_);
  auto [it, inserted] = last_matched_.try_emplace(key, index);
  if (!inserted && it->second == index) return;
  it->second = index;
  // Logged on change only: during a rotation this shows when LINE switched secrets.
  log_.info("webhook_secret_matched", {{"channel", binding.channel}, {"account", binding.account},
                                       {"secret_index", index}});
}

void WebhookHandler::handle(http::Request&& request, const http::RouteParams& params, http::Respond respond) {
  const auto& channel = params.find("channel")->second;
  const auto& account = params.find("account")->second;
  const AccountBinding* binding = find_or_refuse(channel, account, respond);
  if (!binding) return;
  WebhookRequest webhook{account, std::move(request.headers), std::move(request.body), std::move(request.query)};

  auto verified = binding->inbound->verify(webhook);
  if (!verified) {
    metrics_.count_signature_failure(channel, account);
    committer_.add_counter("signature_failures", 1);
    log_.warn("webhook_signature_failed", {{"channel", channel}, {"account", account},
                                           {"reason", errc_name(verified.error())},
                                           {"body_bytes", webhook.body.size()}});
    respond(http::error_response(401, errc_name(verified.error()), japanese_reason(verified.error())));
    return;
  }
  note_matched_secret(*binding, verified->matched_secret);

  auto messages = binding->inbound->parse(webhook);
  if (!messages) {
    log_.warn("webhook_rejected", {{"channel", channel}, {"account", account},
                                   {"reason", errc_name(messages.error())}});
    respond(http::error_response(400, errc_name(messages.error()), japanese_reason(messages.error())));
    return;
  }
  if (messages->empty()) {  // LINE's "Verify" button, or a webhook with no events
    respond({200, "application/json", R"({"stored":0,"duplicates":0})", {}});
    return;
  }

  auto tenant = tenants_.find(binding->tenant_id);
  if (tenant == tenants_.end()) {  // main builds both from one config: a wiring bug
    respond(http::error_response(500, "internal", "内部エラー / internal error"));
    return;
  }
  auto batch = build_batch(*tenant->second, binding->account_row_id, *messages, clock_);
  committer_.submit(std::move(batch), [this, channel, account, respond = std::move(respond)](
                                          result<store::IngestOutcome> outcome) {
    if (!outcome) {
      log_.warn("webhook_store_unavailable", {{"channel", channel}, {"account", account},
                                              {"reason", errc_name(outcome.error())}});
      auto response = http::error_response(503, errc_name(outcome.error()), japanese_reason(outcome.error()));
      response.headers.emplace_back("retry-after", "1");
      respond(std::move(response));
      return;
    }
    metrics_.count_events(channel, static_cast<std::uint64_t>(outcome->stored));
    metrics_.count_duplicates(channel, static_cast<std::uint64_t>(outcome->duplicates));
    boost::json::object body{{"stored", outcome->stored}, {"duplicates", outcome->duplicates}};
    respond({200, "application/json", boost::json::serialize(body), {}});
  });
}

}  // namespace madoguchi::ingest
