#include "gateway/outbox/outbox.hpp"

#include "gateway/core/delivery_feed.hpp"
#include "gateway/core/utf8.hpp"
#include "gateway/outbox/compose.hpp"
#include "gateway/outbox/split.hpp"
#include "store/transaction.hpp"

namespace madoguchi::outbox {

OutboundStatus to_status(const store::OutboundRow& r) {
  return {r.id, r.origin, r.author, r.status, status_label_ja(r.status), r.error_code, r.reason, r.method,
          r.conversation_id, r.attempts, r.created_at_ms, r.updated_at_ms, r.delivered_at_ms};
}

Outbox::Outbox(const store::DatabaseOptions& db, crypto::Keyring& keys, const Senders& senders, OutboxLimits limits,
               std::function<void()> on_enqueued, const Clock& clock)
    : db_(db), store_(db_, clock), keys_(keys), senders_(senders), limits_(limits),
      on_enqueued_(std::move(on_enqueued)) {}

namespace {

bool blank(std::string_view text) {
  for (char c : text)
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return false;
  return true;
}

// Blank also when it holds only full-width spaces (U+3000), common in Japanese input.
bool only_spaces(const std::string& text) {
  std::string rest = text;
  for (std::size_t p; (p = rest.find("　")) != std::string::npos;) rest.erase(p, 3);
  return blank(rest);
}

}  // namespace

result<std::string> Outbox::enqueue_reply(const ReplyRequest& request) {
  if (only_spaces(request.text)) return errc::text_empty;
  if (!utf8::valid(request.text) || utf8::code_points(request.text) > limits_.max_text_chars) return errc::text_too_long;
  std::string id;
  {
    std::lock_guard lock(mutex_);
    auto target = store_.target(request.conversation_id);
    if (!target) return target.error();
    if (!*target || (*target)->tenant_id != request.tenant_id) return errc::not_found;
    const auto* sender = senders_.find((*target)->account_id);
    if (!sender) return errc::channel_unsupported;
    std::string in_reply_to;
    if (sender->caps.thread_counselor_replies) {
      auto latest = store_.latest_inbound(request.conversation_id);
      if (!latest) return latest.error();
      in_reply_to = *latest;
    }
    auto composed = compose(keys_, {request.tenant_id, request.conversation_id, request.text, "counselor",
                                    request.author, in_reply_to, limits_.max_attempts},
                            sender->caps);
    if (!composed) return composed.error();
    auto written = store::in_transaction(db_, [&] { return store_.insert(composed->row, composed->key); });
    if (!written) return written.error();
    id = composed->row.id;
  }
  if (on_enqueued_) on_enqueued_();
  return id;
}

result<std::optional<OutboundStatus>> Outbox::status(const std::string& outbound_id) {
  std::lock_guard lock(mutex_);
  auto row = store_.find(outbound_id);
  if (!row) return row.error();
  if (!*row) return std::optional<OutboundStatus>();
  return std::optional<OutboundStatus>(to_status(**row));
}

result<std::vector<OutboundStatus>> Outbox::conversation_statuses(std::int64_t conversation_id) {
  std::lock_guard lock(mutex_);
  auto rows = store_.by_conversation(conversation_id);
  if (!rows) return rows.error();
  std::vector<OutboundStatus> out;
  for (const auto& r : *rows) out.push_back(to_status(r));
  return out;
}

}  // namespace madoguchi::outbox
