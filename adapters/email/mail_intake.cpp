#include "adapters/email/mail_intake.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

#include "adapters/common/hmac.hpp"
#include "gateway/core/hex.hpp"

namespace madoguchi::adapters::email {
namespace json = boost::json;

namespace {

bool is_token(std::string_view t) {
  return t.size() == 20 && std::all_of(t.begin(), t.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string conversation_token(const ParsedMail& mail, const Recipient& to, const Secret& secret,
                               const std::string& own_id) {
  if (is_token(to.token)) return to.token;
  std::vector<std::string> ids = mail.references;
  if (!mail.in_reply_to.empty()) ids.push_back(mail.in_reply_to);
  for (auto it = ids.rbegin(); it != ids.rend(); ++it)
    if (auto t = token_in_our_id(*it, to.domain); !t.empty()) return t;
  if (!mail.references.empty()) return thread_token(secret, mail.references.front());
  if (!mail.in_reply_to.empty()) return thread_token(secret, mail.in_reply_to);
  return thread_token(secret, own_id);
}

json::object verdict_json(const SenderVerdict& v) {
  return {{"spf", v.spf}, {"dkim", v.dkim}, {"dmarc", v.dmarc}, {"verified", v.verified()}};
}

// What our outbound side needs to answer this mail in its thread.
std::string reply_handle(const ParsedMail& mail) {
  json::array refs;
  for (const auto& r : mail.references) refs.emplace_back(r);
  if (!mail.message_id.empty()) refs.emplace_back(mail.message_id);
  return json::serialize(json::object{{"id", mail.message_id}, {"refs", std::move(refs)}, {"subject", mail.subject}});
}

std::string bounce_text(const DeliveryReport& r) {
  std::string text = "【配送エラー】返信メールが相手に届きませんでした。";
  if (!r.status.empty()) text += "（" + r.status + "）";
  if (!r.diagnostic.empty()) text += "\n" + r.diagnostic;
  return text;
}

}  // namespace

std::string thread_token(const Secret& thread_secret, const std::string& root_id) {
  const auto mac = hmac_sha256(thread_secret, "thread:" + root_id);
  return to_hex(std::span<const unsigned char>(mac.data(), 10));
}

std::string token_in_our_id(const std::string& message_id, const std::string& domain) {
  const auto at = message_id.rfind('@');
  if (at == std::string::npos || domain.empty()) return "";
  std::string host = message_id.substr(at + 1);
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
  if (host != domain) return "";
  const auto dot = message_id.rfind('.', at);
  if (dot == std::string::npos) return "";
  auto token = message_id.substr(dot + 1, at - dot - 1);
  return is_token(token) ? token : "";
}

std::vector<NormalizedMessage> to_messages(const ParsedMail& mail, const Envelope& envelope, const Recipient& to,
                                           const Secret& thread_secret, const std::string& raw_hash,
                                           std::int64_t now_ms) {
  std::vector<NormalizedMessage> out;
  const std::string own_id = mail.message_id.empty() ? "sha256:" + raw_hash : mail.message_id;
  std::string writer = mail.from_address.empty() ? envelope.mail_from : mail.from_address;
  // A bounce is about the resident our reply went to: it belongs to their conversation.
  if (mail.is_report && !mail.report.recipient.empty()) writer = mail.report.recipient;
  NormalizedMessage m;
  m.channel = "email";
  m.account = to.account;
  m.external_id = "mid:" + own_id;
  m.external_id_private = true;
  m.event_type = mail.is_report ? "delivery_report" : "message";
  m.message_type = "text";
  m.provider_timestamp_ms = mail.date_ms > 0 ? mail.date_ms : now_ms;
  m.source_kind = "user";
  const std::string token = conversation_token(mail, to, thread_secret, own_id);
  if (mail.is_report) {
    m.text = bounce_text(mail.report);
  } else {
    m.text = mail.text;
    m.subject = mail.subject;
    m.reply_handle = reply_handle(mail);
  }
  if (writer.empty()) writer = "unknown@invalid";
  m.sender_id = writer;
  m.thread_id = token + " " + writer;
  m.provider_message_id = own_id;
  m.no_auto_reply = !mail.automated.empty() || envelope.mail_from.empty();
  json::object payload{{"from_name", mail.from_name},
                       {"verdict", verdict_json(mail.verdict)},
                       {"automated", mail.automated},
                       {"lossy", mail.lossy},
                       {"parts_skipped", mail.parts_skipped},
                       {"attachments", mail.attachments.size()},
                       {"attachments_refused", mail.attachments_refused}};
  if (mail.is_report)
    payload["report"] = json::object{{"original_message_id", mail.report.original_message_id},
                                     {"action", mail.report.action}, {"status", mail.report.status}};
  m.payload_json = json::serialize(payload);
  out.push_back(m);

  for (std::size_t i = 0; i < mail.attachments.size(); ++i) {
    const auto& a = mail.attachments[i];
    NormalizedMessage f;
    f.channel = m.channel;
    f.account = m.account;
    f.external_id = m.external_id + "#" + std::to_string(i + 1);
    f.external_id_private = true;
    f.event_type = "message";
    f.message_type = a.content_type.rfind("image/", 0) == 0 ? "image" : "file";
    // The counselor sees the name the writer gave the file (sealed like the text).
    f.text = "添付ファイル：" + (a.filename.empty() ? std::string("（名前なし）") : a.filename);
    f.provider_timestamp_ms = m.provider_timestamp_ms;
    f.source_kind = m.source_kind;
    f.sender_id = m.sender_id;
    f.thread_id = m.thread_id;
    f.reply_handle = m.reply_handle;  // a reply to the conversation answers the mail whichever row is last
    f.no_auto_reply = true;  // the mail itself gets the answer, not each attachment
    f.payload_json = json::serialize(json::object{{"file_name", a.filename}, {"content_type", a.content_type},
                                                  {"bytes", a.content.size()}});
    // The content travels sealed in the message until the media stage re-seals it for staff.
    f.media_handle = json::serialize(json::object{{"type", a.content_type}, {"data", base64_encode(std::span<const unsigned char>(
                                                      reinterpret_cast<const unsigned char*>(a.content.data()), a.content.size()))}});
    f.has_media = true;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace madoguchi::adapters::email
