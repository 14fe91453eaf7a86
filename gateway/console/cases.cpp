#include "gateway/console/cases.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <ctime>

#include "crypto/envelope.hpp"
#include "gateway/console/case_rules.hpp"
#include "gateway/console/labels.hpp"
#include "gateway/core/delivery_feed.hpp"
#include "gateway/core/utf8.hpp"
#include "store/data_keys.hpp"
#include "store/media_store.hpp"
#include "store/outbox_store.hpp"
#include "store/staff_store.hpp"
#include "store/transaction.hpp"

namespace madoguchi::console {
namespace json = boost::json;

namespace {

// What a counselor is told beside a mail's text (the adapter's marks in the sealed body):
// a sender our MTA could not verify (SPF/DKIM/DMARC — shown, never a reason to drop the
// mail), bytes that could not be decoded, parts or attachments left out.
json::array mail_notes(const std::string& plaintext) {
  json::array notes;
  boost::system::error_code ec;
  auto v = json::parse(plaintext, ec);
  const auto* event = !ec && v.is_object() ? v.as_object().if_contains("event") : nullptr;
  if (!event || !event->is_object()) return notes;
  const auto& e = event->as_object();
  auto flag = [&](const char* key) {
    const auto* f = e.if_contains(key);
    return f && f->is_bool() && f->as_bool();
  };
  if (const auto* verdict = e.if_contains("verdict"); verdict && verdict->is_object()) {
    const auto* ok = verdict->as_object().if_contains("verified");
    if (ok && ok->is_bool() && !ok->as_bool())
      notes.emplace_back("送信元が確認できません（なりすましの可能性があります。個人情報の扱いに注意してください）");
  }
  if (flag("lossy")) notes.emplace_back("一部の文字を読み取れませんでした（〓で表示）");
  if (flag("parts_skipped")) notes.emplace_back("長すぎるため一部を省略しました");
  if (const auto* refused = e.if_contains("attachments_refused"); refused && refused->is_int64() && refused->as_int64() > 0)
    notes.emplace_back("添付ファイル " + std::to_string(refused->as_int64()) + " 件は受け取っていません（種類・大きさ・数の制限）");
  return notes;
}

}  // namespace


std::string iso_jst(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000) + 9 * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+09:00", &tm);
  return buf;
}

json::object conversation_json(const store::ConversationRow& c) {
  json::object o{{"id", c.id},
                 {"contact", c.contact_label.empty() ? std::string("相談者（グループ）") : "相談者 #" + c.contact_label},
                 {"channel", c.channel},
                 {"account", c.account},
                 {"window", json::object{{"id", c.window_id}, {"name", c.window_name}}},
                 {"urgency", urgency_code(c.urgency)},
                 {"urgency_label", urgency_label(c.urgency)},
                 {"status", c.state},
                 {"status_label", label(Field::status, c.state)},
                 {"assignee", c.assignee},
                 {"last_message_ms", c.last_message_ms},
                 {"created_at_ms", c.created_at_ms}};
  if (c.waiting_since_ms) o["waiting_since_ms"] = *c.waiting_since_ms;
  else o["waiting_since_ms"] = nullptr;
  boost::system::error_code ec;
  auto tags = json::parse(c.tags_json, ec);
  o["tags"] = !ec && tags.is_array() ? tags.as_array() : json::array{};
  return o;
}

Cases::Cases(ConsoleDb& db, crypto::Keyring& keys, outbox::Outbox& outbox, AuditLog& audit, CaseLimits limits,
             const Clock& clock)
    : db_(db), keys_(keys), outbox_(outbox), audit_(audit), limits_(limits), clock_(clock) {}

// Under db_.mutex.
result<store::ConversationRow> Cases::visible(const Staff& staff, std::int64_t id) {
  if (staff.role == "admin") return errc::admin_no_cases;
  auto row = store::CaseStore(db_.db).conversation(staff.tenant_id, id);
  if (!row) return row.error();
  if (!*row) return errc::not_found;
  if (staff.role != "supervisor" && !has_window(staff, (*row)->window_id)) {
    // A refused look is worth recording too; when the audit log cannot be written the
    // answer stays a refusal (access_denied wins over store_failed: nothing is shown).
    [[maybe_unused]] auto audited = store::in_transaction(db_.db, [&] { return audit(staff, "access_denied", id); });
    return errc::access_denied;
  }
  return std::move(**row);
}

result<std::pair<std::int64_t, std::string>> Cases::window_of(const Staff& staff, std::int64_t id) {
  std::lock_guard lock(db_.mutex);
  auto c = visible(staff, id);
  if (!c) return c.error();
  return std::pair{c->window_id, c->window_name};
}

bool Cases::can_see(const Staff& staff, std::int64_t id) {
  if (staff.role == "admin") return false;
  std::lock_guard lock(db_.mutex);
  auto row = store::CaseStore(db_.db).conversation(staff.tenant_id, id);
  return row && *row && (staff.role == "supervisor" || has_window(staff, (*row)->window_id));
}

result<void> Cases::audit(const Staff& staff, const char* action, std::int64_t id, json::object detail) {
  return audit_.append({staff.tenant_id, staff.username, action, "conversation:" + std::to_string(id),
                        json::serialize(detail)});
}

std::string household_record(std::int64_t conversation_id) { return "household:" + std::to_string(conversation_id); }

result<std::string> Cases::household_text(const store::ConversationRow& c) {
  if (c.fields.household_key_id.empty()) return std::string();
  store::DataKeys data_keys(db_.db);
  return keys_.open(data_keys, c.tenant_id, c.fields.household_key_id, household_record(c.id), c.fields.household_sealed);
}

result<std::size_t> Cases::seal_clear_households() {
  std::lock_guard lock(db_.mutex);
  store::CaseStore store(db_.db);
  auto clear = store.clear_households();
  if (!clear) return clear.error();
  for (const auto& row : *clear) {
    auto link = keys_.household_link(row.tenant_id, row.household);
    if (!link) return link.error();
    auto sealed = keys_.seal(row.tenant_id, household_record(row.id), row.household);
    if (!sealed) return sealed.error();
    auto done = store::in_transaction(db_.db, [&]() -> result<void> {
      auto s = db_.db.prepare("INSERT INTO data_keys (key_id, tenant_id, sealed_key, created_at_ms) VALUES (?, ?, ?, ?) "
                              "ON CONFLICT (key_id) DO NOTHING");
      if (auto r = s.bind(1, sealed->key.key_id).bind(2, sealed->key.tenant_id).bind(3, sealed->key.sealed_key)
                       .bind(4, sealed->key.created_at_ms).run(); !r)
        return r;
      return db_.db.prepare("UPDATE conversations SET household = ?2, household_key_id = ?3, household_sealed = ?4 "
                            "WHERE id = ?1 AND household = ?5")
          .bind(1, row.id).bind(2, *link).bind(3, sealed->key.key_id).bind(4, sealed->body).bind(5, row.household).run();
    });
    if (!done) return done.error();
  }
  return clear->size();
}

result<json::object> Cases::entry_json(const store::CaseEntryRow& e) {
  std::string text;
  if (!e.key_id.empty()) {
    store::DataKeys data_keys(db_.db);
    auto plain = keys_.open(data_keys, e.tenant_id, e.key_id, e.id, e.body);
    if (!plain) return plain.error();
    auto t = crypto::body_text(*plain);
    if (!t) return t.error();
    text = std::move(*t);
  }
  boost::system::error_code ec;
  json::value detail = json::parse(e.detail, ec);
  if (ec) detail = json::object{};
  if (e.kind == "contact" && detail.is_object())
    if (const auto* m = detail.as_object().if_contains("method"); m && m->is_string())
      detail.as_object()["method_label"] = label(Field::contact_method, m->as_string());
  return json::object{{"id", e.id},         {"kind", e.kind},     {"author", e.author},
                      {"text", text},       {"detail", detail},   {"created_at_ms", e.created_at_ms}};
}

result<json::object> Cases::conversation(const Staff& staff, std::int64_t id) {
  std::lock_guard lock(db_.mutex);
  auto c = visible(staff, id);
  if (!c) return c.error();
  store::CaseStore store(db_.db);
  auto entries = store.entries(id);
  if (!entries) return entries.error();
  json::array entry_items;
  for (const auto& e : *entries) {
    auto item = entry_json(e);
    if (!item) return item.error();
    entry_items.push_back(std::move(*item));
  }
  json::array household;
  if (!c->fields.household.empty()) {
    auto linked = store.household(staff.tenant_id, c->fields.household);
    if (!linked) return linked.error();
    for (const auto& h : *linked)
      if (h.id != id && (staff.role == "supervisor" || has_window(staff, h.window_id)))
        household.push_back(json::object{{"id", h.id}, {"contact", conversation_json(h)["contact"]}, {"status", h.state}});
  }
  if (auto r = store::in_transaction(db_.db, [&] { return audit(staff, "read_case", id); }); !r) return r.error();
  auto household_number = household_text(*c);
  if (!household_number) return household_number.error();
  auto out = conversation_json(*c);
  const auto& f = c->fields;
  out["case"] = json::object{{"writer", f.writer},       {"writer_label", label(Field::writer, f.writer)},
                             {"age_band", f.age_band},   {"age_band_label", label(Field::age_band, f.age_band)},
                             {"household", *household_number}, {"consent", f.consent},
                             {"consent_label", label(Field::consent, f.consent)}};
  return json::object{{"conversation", std::move(out)}, {"household_cases", std::move(household)},
                      {"entries", std::move(entry_items)}};
}

namespace {

// A media message's state for the console: a download link only for stored content.
json::object media_json(std::int64_t conversation_id, const store::InboundRow& m,
                        const std::map<std::string, store::MediaRecord>& recorded) {
  auto it = recorded.find(m.id);
  std::string state = it != recorded.end() ? it->second.state : m.has_media ? "pending" : "external";
  const std::string reason = it != recorded.end() ? it->second.reason : "";
  json::object o{{"state", state}, {"label", media_label(state, m.message_type, reason)},
                 {"reason", state == "failed" ? json::value(reason) : json::value(nullptr)},
                 {"content_type", it != recorded.end() && !it->second.content_type.empty()
                                      ? json::value(it->second.content_type) : json::value(nullptr)},
                 {"size_bytes", it != recorded.end() && state == "fetched" ? json::value(it->second.size_bytes)
                                                                           : json::value(nullptr)}};
  o["download_url"] = state == "fetched" ? json::value("/api/conversations/" + std::to_string(conversation_id) +
                                                       "/messages/" + m.id + "/media")
                                         : json::value(nullptr);
  return o;
}

}  // namespace

result<MediaFile> Cases::media(const Staff& staff, std::int64_t id, const std::string& message_id) {
  std::lock_guard lock(db_.mutex);
  auto c = visible(staff, id);
  if (!c) return c.error();
  auto row = store::MediaStore(db_.db).content(id, message_id);
  if (!row) return row.error();
  if (!*row || (*row)->tenant_id != staff.tenant_id) return errc::not_found;
  const auto& r = **row;
  store::DataKeys data_keys(db_.db);
  auto content = keys_.open(data_keys, staff.tenant_id, r.key_id, "media:" + r.message_id, r.body);
  if (!content) return content.error();
  // No download without its audit entry.
  if (auto a = store::in_transaction(db_.db, [&] {
        return audit(staff, "download_media", id,
                     {{"message", r.message_id}, {"content_type", r.content_type}, {"bytes", r.size_bytes}});
      });
      !a)
    return a.error();
  return MediaFile{r.content_type, media_filename(r.message_id, r.content_type), std::move(*content)};
}

result<json::object> Cases::messages(const Staff& staff, std::int64_t id) {
  std::lock_guard lock(db_.mutex);
  auto c = visible(staff, id);
  if (!c) return c.error();
  store::CaseStore store(db_.db);
  store::OutboxStore outbound_store(db_.db, clock_);
  store::DataKeys data_keys(db_.db);
  auto inbound = store.inbound(id);
  if (!inbound) return inbound.error();
  auto outbound = outbound_store.by_conversation(id);
  if (!outbound) return outbound.error();
  auto media = store::MediaStore(db_.db).by_conversation(id);
  if (!media) return media.error();

  std::vector<std::pair<std::int64_t, json::object>> items;
  for (const auto& m : *inbound) {
    std::string text;
    json::value subject = nullptr;
    json::array notes;
    if (m.hidden) {
      text = "（相談者が送信を取り消しました）";
    } else {
      auto plain = keys_.open(data_keys, staff.tenant_id, m.key_id, m.id, m.body);
      if (!plain) return plain.error();
      auto t = crypto::body_text(*plain);
      text = t && !t->empty() ? std::move(*t) : media_placeholder(m.message_type);
      if (auto s = crypto::body_subject(*plain); !s.empty()) subject = s;
      notes = mail_notes(*plain);
    }
    json::object item{{"id", m.id}, {"direction", "in"}, {"channel", m.channel},
                      {"type", m.message_type}, {"text", text}, {"subject", subject}, {"notes", std::move(notes)},
                      {"received_at", iso_jst(m.received_at_ms)}, {"received_at_ms", m.received_at_ms},
                      {"author", ""}, {"delivery_status", nullptr}, {"delivery_label", nullptr},
                      {"delivery_reason", nullptr}};
    if (is_media_type(m.message_type) && !m.hidden) item["media"] = media_json(id, m, *media);
    items.emplace_back(m.received_at_ms, std::move(item));
  }
  for (const auto& o : *outbound) {
    auto plain = keys_.open(data_keys, staff.tenant_id, o.key_id, o.id, o.body);
    if (!plain) return plain.error();
    auto t = crypto::body_text(*plain);
    if (!t) return t.error();
    items.emplace_back(o.created_at_ms,
                       json::object{{"id", o.id}, {"direction", "out"}, {"channel", c->channel}, {"type", "text"},
                                    {"text", *t}, {"subject", nullptr}, {"received_at", iso_jst(o.created_at_ms)},
                                    {"received_at_ms", o.created_at_ms},
                                    {"author", o.origin == "auto" ? std::string("自動返信") : o.author},
                                    {"delivery_status", o.status}, {"delivery_label", status_label_ja(o.status)},
                                    {"delivery_reason", o.reason}});
  }
  std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  json::array out;
  for (auto& [at, item] : items) out.push_back(std::move(item));
  auto read = store::in_transaction(db_.db, [&]() -> result<void> {
    if (auto r = store.mark_read(id, clock_.now_ms()); !r) return r;
    return audit(staff, "read_messages", id);
  });
  if (!read) return read.error();
  return json::object{{"messages", std::move(out)}};
}

result<json::object> Cases::reply(const Staff& staff, std::int64_t id, const std::string& text) {
  if (auto r = check_text(text, limits_.max_reply_chars, true); !r) return r.error();
  {
    std::lock_guard lock(db_.mutex);
    if (auto c = visible(staff, id); !c) return c.error();
  }
  auto outbound_id = outbox_.enqueue_reply({staff.tenant_id, id, text, staff.username});
  if (!outbound_id) return outbound_id.error();
  std::lock_guard lock(db_.mutex);
  auto done = store::in_transaction(db_.db, [&]() -> result<void> {
    if (auto r = store::CaseStore(db_.db).mark_answered(id, clock_.now_ms()); !r) return r;
    return audit(staff, "reply", id, {{"outbound", *outbound_id}});
  });
  if (!done) return done.error();
  return json::object{{"id", *outbound_id}, {"delivery_status", "queued"},
                      {"delivery_label", status_label_ja("queued")}};
}

// Under db_.mutex, with `c` visible to `staff`.
result<json::object> Cases::add_entry(const Staff& staff, const store::ConversationRow& c, const std::string& kind,
                                      json::object detail, const std::string& text, const char* action,
                                      const std::function<result<void>(store::CaseStore&)>& change) {
  store::CaseEntryRow e;
  e.id = crypto::random_id();
  e.tenant_id = staff.tenant_id;
  e.conversation_id = c.id;
  e.kind = kind;
  e.author = staff.username;
  e.detail = json::serialize(detail);
  e.created_at_ms = clock_.now_ms();
  std::optional<crypto::SealedText> sealed;
  if (!text.empty()) {
    auto s = keys_.seal_text(staff.tenant_id, e.id, text);
    if (!s) return s.error();
    sealed = std::move(*s);
    e.key_id = sealed->key.key_id;
    e.body = sealed->body;
  }
  auto done = store::in_transaction(db_.db, [&]() -> result<void> {
    store::CaseStore store(db_.db);
    if (auto r = store.add_entry(e, sealed ? &sealed->key : nullptr); !r) return r;
    if (change)
      if (auto r = change(store); !r) return r;
    detail["entry"] = e.id;
    return audit(staff, action, c.id, detail);
  });
  if (!done) return done.error();
  auto item = entry_json(e);
  if (!item) return item.error();
  return json::object{{"entry", std::move(*item)}};
}

result<json::object> Cases::note(const Staff& staff, std::int64_t id, const std::string& text) {
  if (auto r = check_text(text, limits_.max_note_chars, true); !r) return r.error();
  std::lock_guard lock(db_.mutex);
  auto c = visible(staff, id);
  if (!c) return c.error();
  return add_entry(staff, *c, "note", {}, text, "note");
}

}  // namespace madoguchi::console
