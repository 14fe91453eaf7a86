#include "store/outbox_store.hpp"

#include <sstream>

namespace madoguchi::store {
namespace {

std::string join_keys(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : " ") + k;
  return out;
}

std::vector<std::string> split_keys(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string k; in >> k;) out.push_back(k);
  return out;
}

constexpr const char* kRowColumns =
    "id, tenant_id, conversation_id, origin, author, coalesce(in_reply_to, ''), key_id, body, retry_keys, "
    "requests_done, reply_state, status, method, error_code, reason, attempts, created_at_ms, updated_at_ms, "
    "coalesce(delivered_at_ms, 0)";

OutboundRow read_row(const Statement& s) {
  OutboundRow r;
  r.id = s.column_text(0);
  r.tenant_id = s.column_text(1);
  r.conversation_id = s.column_int(2);
  r.origin = s.column_text(3);
  r.author = s.column_text(4);
  r.in_reply_to = s.column_text(5);
  r.key_id = s.column_text(6);
  r.body = s.column_blob(7);
  r.retry_keys = split_keys(s.column_text(8));
  r.requests_done = static_cast<int>(s.column_int(9));
  r.reply_state = static_cast<ReplyState>(s.column_int(10));
  r.status = s.column_text(11);
  r.method = s.column_text(12);
  r.error_code = s.column_text(13);
  r.reason = s.column_text(14);
  r.attempts = static_cast<int>(s.column_int(15));
  r.created_at_ms = s.column_int(16);
  r.updated_at_ms = s.column_int(17);
  r.delivered_at_ms = s.column_int(18);
  return r;
}

// Steps a single-row query: nullopt when there is no row.
template <class Read>
auto one_row(Statement& s, Read read) -> result<std::optional<decltype(read(s))>> {
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<decltype(read(s))>();
  auto value = read(s);
  s.reset();
  return std::optional<decltype(read(s))>(std::move(value));
}

}  // namespace

OutboxStore::OutboxStore(Database& db, const Clock& clock) : db_(db), clock_(clock) {}

result<void> OutboxStore::insert(const NewOutbound& m, const DataKeyRecord& key) {
  const auto now = clock_.now_ms();
  auto k = db_.prepare("INSERT INTO data_keys (key_id, tenant_id, sealed_key, created_at_ms) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (key_id) DO NOTHING");
  k.bind(1, key.key_id).bind(2, key.tenant_id).bind(3, key.sealed_key).bind(4, key.created_at_ms);
  if (auto r = k.run(); !r) return r;
  auto s = db_.prepare(
      "INSERT INTO outbound_messages (id, tenant_id, conversation_id, origin, author, in_reply_to, key_id, body, "
      "retry_keys, requests_total, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, m.id).bind(2, m.tenant_id).bind(3, m.conversation_id).bind(4, m.origin).bind(5, m.author);
  if (m.in_reply_to.empty()) s.bind_null(6); else s.bind(6, m.in_reply_to);
  s.bind(7, m.key_id).bind(8, m.body).bind(9, join_keys(m.retry_keys))
      .bind(10, static_cast<std::int64_t>(m.retry_keys.size())).bind(11, now).bind(12, now);
  if (auto r = s.run(); !r) return r;
  auto j = db_.prepare("INSERT INTO jobs (kind, conversation_id, message_id, max_attempts, run_at_ms, created_at_ms, "
                       "updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)");
  j.bind(1, std::string_view(kDeliverJob)).bind(2, m.conversation_id).bind(3, m.id)
      .bind(4, std::int64_t{m.max_attempts}).bind(5, now).bind(6, now).bind(7, now);
  return j.run();
}

result<std::optional<OutboundRow>> OutboxStore::find(const std::string& id) {
  auto s = db_.prepare(std::string("SELECT ") + kRowColumns + " FROM outbound_messages WHERE id = ?");
  s.bind(1, id);
  return one_row(s, read_row);
}

result<std::vector<OutboundRow>> OutboxStore::by_conversation(std::int64_t conversation_id) {
  auto s = db_.prepare(std::string("SELECT ") + kRowColumns +
                       " FROM outbound_messages WHERE conversation_id = ? ORDER BY created_at_ms, id");
  s.bind(1, conversation_id);
  std::vector<OutboundRow> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(read_row(s));
  }
  return out;
}

result<std::optional<DeliveryTarget>> OutboxStore::target(std::int64_t conversation_id) {
  auto s = db_.prepare(
      "SELECT c.tenant_id, c.account_id, a.channel, a.name, c.key_id, c.thread_pseudonym, c.sealed_thread_id, "
      "coalesce(k.reachable, 1) FROM conversations c JOIN channel_accounts a ON a.id = c.account_id "
      "LEFT JOIN contacts k ON k.id = c.contact_id WHERE c.id = ?");
  s.bind(1, conversation_id);
  return one_row(s, [](const Statement& q) {
    DeliveryTarget t;
    t.tenant_id = q.column_text(0);
    t.account_id = q.column_int(1);
    t.channel = q.column_text(2);
    t.account = q.column_text(3);
    t.key_id = q.column_text(4);
    t.thread_pseudonym = q.column_blob(5);
    t.sealed_thread_id = q.column_blob(6);
    t.reachable = q.column_int(7) != 0;
    return t;
  });
}

result<std::optional<InboundRef>> OutboxStore::inbound(const std::string& message_id) {
  auto s = db_.prepare("SELECT tenant_id, key_id, body, received_at_ms FROM messages WHERE id = ?");
  s.bind(1, message_id);
  return one_row(s, [](const Statement& q) {
    return InboundRef{q.column_text(0), q.column_text(1), q.column_blob(2), q.column_int(3)};
  });
}

result<std::string> OutboxStore::latest_inbound(std::int64_t conversation_id) {
  auto s = db_.prepare(
      "SELECT id FROM messages WHERE conversation_id = ? AND direction = 'in' AND event_type = 'message' "
      "ORDER BY received_at_ms DESC, rowid DESC LIMIT 1");
  s.bind(1, conversation_id);
  auto row = one_row(s, [](const Statement& q) { return q.column_text(0); });
  if (!row) return row.error();
  return row->value_or("");
}

result<void> OutboxStore::set_status(const std::string& id, const std::string& status, const std::string& method,
                                     const std::string& code, const std::string& reason, bool count_attempt) {
  const auto now = clock_.now_ms();
  auto s = db_.prepare(
      "UPDATE outbound_messages SET status = ?, method = ?, error_code = ?, reason = ?, "
      "attempts = attempts + ?, updated_at_ms = ?, delivered_at_ms = CASE WHEN ? = 'delivered' THEN ? "
      "ELSE delivered_at_ms END WHERE id = ?");
  s.bind(1, status).bind(2, method).bind(3, code).bind(4, reason).bind(5, std::int64_t{count_attempt})
      .bind(6, now).bind(7, status).bind(8, now).bind(9, id);
  return s.run();
}

result<void> OutboxStore::set_reply_state(const std::string& id, ReplyState state) {
  auto s = db_.prepare("UPDATE outbound_messages SET reply_state = ?, updated_at_ms = ? WHERE id = ?");
  s.bind(1, static_cast<std::int64_t>(state)).bind(2, clock_.now_ms()).bind(3, id);
  return s.run();
}

result<void> OutboxStore::set_requests_done(const std::string& id, int done) {
  auto s = db_.prepare("UPDATE outbound_messages SET requests_done = ?, updated_at_ms = ? WHERE id = ?");
  s.bind(1, std::int64_t{done}).bind(2, clock_.now_ms()).bind(3, id);
  return s.run();
}

result<std::vector<OutboxJobRow>> OutboxStore::list(const std::string& job_state) {
  auto s = db_.prepare(
      "SELECT j.id, j.kind, j.state, j.message_id, coalesce(o.status, ''), coalesce(j.last_error, ''), "
      "j.conversation_id, j.attempts, j.max_attempts, j.run_at_ms, j.updated_at_ms FROM jobs j "
      "LEFT JOIN outbound_messages o ON o.id = j.message_id AND j.kind = 'deliver' "
      "WHERE j.kind = 'deliver' AND "
      "(? = '' AND j.state IN ('ready', 'leased', 'dead') OR j.state = ?) ORDER BY j.id");
  s.bind(1, job_state).bind(2, job_state);
  std::vector<OutboxJobRow> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    OutboxJobRow r;
    r.job_id = s.column_int(0);
    r.kind = s.column_text(1);
    r.job_state = s.column_text(2);
    r.message_id = s.column_text(3);
    r.status = s.column_text(4);
    r.last_error = s.column_text(5);
    r.conversation_id = s.column_int(6);
    r.attempts = static_cast<int>(s.column_int(7));
    r.max_attempts = static_cast<int>(s.column_int(8));
    r.run_at_ms = s.column_int(9);
    r.updated_at_ms = s.column_int(10);
    out.push_back(std::move(r));
  }
  return out;
}

result<bool> OutboxStore::retry(std::int64_t job_id) {
  const auto now = clock_.now_ms();
  auto s = db_.prepare("UPDATE jobs SET state = 'ready', attempts = 0, run_at_ms = ?, lease_token = NULL, "
                       "updated_at_ms = ? WHERE id = ? AND kind = 'deliver' "
                       "AND state IN ('dead', 'ready')");
  s.bind(1, now).bind(2, now).bind(3, job_id);
  if (auto r = s.run(); !r) return result<bool>(boost::system::in_place_error, r.error());
  if (db_.changes() == 0) return false;
  auto o = db_.prepare("UPDATE outbound_messages SET status = 'queued', error_code = '', reason = '', "
                       "updated_at_ms = ? WHERE id = (SELECT message_id FROM jobs WHERE id = ? AND kind = 'deliver') "
                       "AND status <> 'delivered'");
  o.bind(1, now).bind(2, job_id);
  if (auto r = o.run(); !r) return result<bool>(boost::system::in_place_error, r.error());
  return true;
}

result<bool> OutboxStore::cancel(std::int64_t job_id) {
  const auto now = clock_.now_ms();
  // A leased job is in flight: it may be accepted by the provider at this moment.
  auto s = db_.prepare("UPDATE jobs SET state = 'cancelled', lease_token = NULL, last_error = 'cancelled by an "
                       "administrator', updated_at_ms = ? WHERE id = ? AND kind = 'deliver' "
                       "AND state IN ('dead', 'ready')");
  s.bind(1, now).bind(2, job_id);
  if (auto r = s.run(); !r) return result<bool>(boost::system::in_place_error, r.error());
  if (db_.changes() == 0) return false;
  auto o = db_.prepare("UPDATE outbound_messages SET status = 'failed', error_code = 'cancelled', "
                       "reason = '管理者が送信を取り消しました。', updated_at_ms = ? WHERE id = "
                       "(SELECT message_id FROM jobs WHERE id = ? AND kind = 'deliver') AND status <> 'delivered'");
  o.bind(1, now).bind(2, job_id);
  if (auto r = o.run(); !r) return result<bool>(boost::system::in_place_error, r.error());
  return true;
}

}  // namespace madoguchi::store
