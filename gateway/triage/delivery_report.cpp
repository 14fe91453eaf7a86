#include "gateway/triage/delivery_report.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace madoguchi::triage {
namespace json = boost::json;

namespace {

std::string member(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

std::string bounce_reason_ja(const std::string& status) {
  if (status.starts_with("5.1."))
    return "宛先のメールアドレスが見つかりませんでした（" + status + "）。アドレスが変わった可能性があります。";
  if (status.starts_with("5.2."))
    return "相手のメールボックスが一杯か、受け取れない状態でした（" + status + "）。";
  if (status.starts_with("5.7."))
    return "相手のメールサーバーに受信を拒否されました（" + status + "）。迷惑メール対策の設定かもしれません。";
  return "相手のメールサーバーから配送エラーが返ってきました" + (status.empty() ? std::string("。") : "（" + status + "）。");
}

DeliveryReportReading read_delivery_report(const std::string& body_plaintext) {
  DeliveryReportReading out;
  boost::system::error_code ec;
  auto v = json::parse(body_plaintext, ec);
  if (ec || !v.is_object()) return out;
  const auto* event = v.as_object().if_contains("event");
  const auto* report = event && event->is_object() ? event->as_object().if_contains("report") : nullptr;
  if (!report || !report->is_object()) return out;
  out.is_report = true;
  const auto& r = report->as_object();
  const auto action = member(r, "action");
  const auto status = member(r, "status");
  // "delayed", "relayed", "delivered", "expanded" are news, not a failure; a report without
  // an action counts as failed only with a permanent (5.x.x) status.
  const bool failed = action == "failed" || (action.empty() && status.starts_with("5."));
  const auto id = member(r, "original_message_id");
  const auto at = id.rfind('@');
  const auto dot = at == std::string::npos ? std::string::npos : id.rfind('.', at);
  if (!failed || dot == std::string::npos || dot == 0) return out;
  out.failure = ReportedFailure{id.substr(0, dot), "bounce_" + (status.empty() ? std::string("unknown") : status),
                                bounce_reason_ja(status)};
  return out;
}

}  // namespace madoguchi::triage
