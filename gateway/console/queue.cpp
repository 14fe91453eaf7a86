// The queue: the conversations a staff member may read, most urgent and longest waiting
// first, each with the first line of its newest message and whether anyone has opened it
// since. Listing them is not audited (it shows no more than opening would, to those who may
// open them); a search is, with its criteria (never any content).
#include <boost/json/serialize.hpp>

#include "crypto/envelope.hpp"
#include "gateway/console/case_rules.hpp"
#include "gateway/console/cases.hpp"
#include "gateway/console/labels.hpp"
#include "store/data_keys.hpp"
#include "store/transaction.hpp"

namespace madoguchi::console {
namespace json = boost::json;

namespace {

constexpr std::size_t kPreviewChars = 40;

// The first line with any text, at most kPreviewChars code points ("…" when cut).
std::string first_line(std::string_view text) {
  std::size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  text.remove_prefix(begin);
  text = text.substr(0, text.find_first_of("\r\n"));
  std::size_t i = 0, count = 0;
  while (i < text.size() && count < kPreviewChars) {
    utf8::next(text, i);
    ++count;
  }
  return std::string(text.substr(0, i)) + (i < text.size() ? "…" : "");
}

}  // namespace

result<json::object> Cases::queue_item(const Staff& staff, const store::ConversationRow& c) {
  auto item = conversation_json(c);
  auto last = store::CaseStore(db_.db).last_inbound(c.id);
  if (!last) return last.error();
  std::string preview;
  bool unread = false;
  if (*last) {
    const auto& m = **last;
    unread = m.received_at_ms > c.read_at_ms;
    if (m.hidden) {
      preview = "（送信取り消し）";
    } else {
      store::DataKeys data_keys(db_.db);
      auto plain = keys_.open(data_keys, staff.tenant_id, m.key_id, m.id, m.body);
      if (!plain) return plain.error();
      auto text = crypto::body_text(*plain);
      preview = text && !text->empty() ? first_line(*text) : media_placeholder(m.message_type);
      if (preview.empty()) preview = first_line(crypto::body_subject(*plain));
    }
  }
  item["preview"] = preview;
  item["unread"] = unread;
  return item;
}

result<json::object> Cases::queue(const Staff& staff, const QueueQuery& q) {
  if (staff.role == "admin") return errc::admin_no_cases;
  store::QueueFilter filter;
  filter.tenant_id = staff.tenant_id;
  if (q.window_id) {
    if (staff.role != "supervisor" && !has_window(staff, *q.window_id)) return errc::access_denied;
    filter.window_ids = {*q.window_id};
  } else if (staff.role != "supervisor") {
    filter.window_ids = staff.window_ids;
    if (filter.window_ids.empty()) return json::object{{"conversations", json::array{}}};
  }
  if (q.status == "open" || q.status == "closed") filter.state = q.status;
  else if (q.status != "all") return errc::invalid_input;
  filter.urgency = q.urgency;
  if (q.mine) filter.assignee = staff.username;

  json::object search;
  if (!q.contact.empty()) {
    filter.contact_prefix = contact_prefix(q.contact);
    if (filter.contact_prefix.empty()) return errc::invalid_input;
    search["contact"] = filter.contact_prefix;
  }
  if (!q.tag.empty()) {
    if (auto r = check_text(q.tag, 32, true); !r) return errc::invalid_input;
    filter.tag = q.tag;
    search["tag"] = q.tag;
  }
  for (const auto* day : {&q.from, &q.to})
    if (!day->empty() && !valid_date(*day)) return errc::invalid_input;
  if (!q.from.empty()) {
    filter.active_from_ms = jst_day_start_ms(q.from);
    search["from"] = q.from;
  }
  if (!q.to.empty()) {
    filter.active_until_ms = jst_day_start_ms(q.to) + 24 * 3600 * 1000;  // the whole last day
    search["to"] = q.to;
  }
  if (filter.active_from_ms && filter.active_until_ms && *filter.active_from_ms >= *filter.active_until_ms)
    return errc::invalid_input;

  std::lock_guard lock(db_.mutex);
  auto rows = store::CaseStore(db_.db).queue(filter);
  if (!rows) return rows.error();
  json::array items;
  for (const auto& c : *rows) {
    auto item = queue_item(staff, c);
    if (!item) return item.error();
    items.push_back(std::move(*item));
  }
  if (!search.empty()) {
    if (q.urgency) search["urgency"] = urgency_code(*q.urgency);
    if (q.window_id) search["window"] = *q.window_id;
    search["status"] = q.status;
    search["found"] = items.size();
    auto audited = store::in_transaction(db_.db, [&] {
      return audit_.append({staff.tenant_id, staff.username, "search", "queue", json::serialize(search)});
    });
    if (!audited) return audited.error();
  }
  return json::object{{"conversations", std::move(items)}};
}

}  // namespace madoguchi::console
