#include "gateway/console/templates.hpp"

#include <algorithm>

#include "gateway/console/case_rules.hpp"
#include "store/staff_store.hpp"
#include "store/template_store.hpp"
#include "store/transaction.hpp"

namespace madoguchi::console {
namespace json = boost::json;

namespace {

bool manages(const Staff& s) { return s.role == "supervisor" || s.role == "admin"; }

json::object template_json(const store::TemplateRow& t) {
  json::object o{{"id", t.id}, {"title", t.title}, {"body", t.body}, {"updated_by", t.updated_by},
                 {"updated_at_ms", t.updated_at_ms}};
  if (t.window_id) o["window"] = json::object{{"id", *t.window_id}, {"name", t.window_name}};
  else o["window"] = nullptr;
  return o;
}

void replace_all(std::string& text, std::string_view from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

}  // namespace

const std::vector<std::string>& template_placeholders() {
  static const std::vector<std::string> names{"{窓口名}", "{受付時間}", "{次の開所}", "{緊急連絡先}"};
  return names;
}

std::string fill_template(const std::string& body, const std::string& window_name, const WindowFacts& facts) {
  std::string out = body;
  replace_all(out, "{窓口名}", window_name);
  replace_all(out, "{受付時間}", facts.hours.empty() ? std::string("受付時間") : facts.hours);
  replace_all(out, "{次の開所}", facts.next_opening.empty() ? std::string("次の開所日") : facts.next_opening);
  replace_all(out, "{緊急連絡先}", facts.hotlines);
  return out;
}

std::string unknown_placeholder(const std::string& body) {
  const auto& known = template_placeholders();
  for (std::size_t open = body.find('{'); open != std::string::npos; open = body.find('{', open + 1)) {
    const auto close = body.find('}', open);
    if (close == std::string::npos) return body.substr(open);
    const auto name = body.substr(open, close - open + 1);
    if (std::find(known.begin(), known.end(), name) == known.end()) return name;
    open = close;
  }
  return {};
}

Templates::Templates(ConsoleDb& db, AuditLog& audit, WindowFactsSource facts, TemplateLimits limits, const Clock& clock)
    : db_(db), audit_(audit), facts_(std::move(facts)), limits_(limits), clock_(clock) {}

result<json::object> Templates::list(const Staff& staff) {
  std::lock_guard lock(db_.mutex);
  auto rows = store::TemplateStore(db_.db).list(staff.tenant_id);
  if (!rows) return rows.error();
  json::array out;
  for (const auto& t : *rows)
    if (manages(staff) || !t.window_id || has_window(staff, *t.window_id)) out.push_back(template_json(t));
  json::array names;
  for (const auto& p : template_placeholders()) names.emplace_back(p);
  return json::object{{"templates", std::move(out)}, {"placeholders", std::move(names)},
                      {"can_manage", manages(staff)}};
}

result<json::object> Templates::for_window(const Staff& staff, std::int64_t window_id, const std::string& window_name) {
  std::vector<store::TemplateRow> rows;
  {
    std::lock_guard lock(db_.mutex);
    auto all = store::TemplateStore(db_.db).list(staff.tenant_id);
    if (!all) return all.error();
    rows = std::move(*all);
  }
  const auto facts = facts_ ? facts_(staff.tenant_id, window_name, clock_.now_ms()) : WindowFacts{};
  json::array out;
  for (const auto& t : rows) {
    if (t.window_id && *t.window_id != window_id) continue;
    auto o = template_json(t);
    o["filled"] = fill_template(t.body, window_name, facts);
    out.push_back(std::move(o));
  }
  return json::object{{"templates", std::move(out)}};
}

// Under db_.mutex.
result<void> Templates::check(const Staff& staff, const TemplateInput& in) {
  if (!manages(staff)) return errc::managers_only;
  if (auto r = check_text(in.title, limits_.max_title_chars, true); !r) return r.error();
  if (auto r = check_text(in.body, limits_.max_body_chars, true); !r) return r.error();
  if (!unknown_placeholder(in.body).empty()) return errc::placeholder_unknown;
  if (in.window_id) {
    auto windows = store::StaffStore(db_.db).windows(staff.tenant_id);
    if (!windows) return windows.error();
    if (std::none_of(windows->begin(), windows->end(), [&](const auto& w) { return w.id == *in.window_id; }))
      return errc::invalid_input;
  }
  return {};
}

result<json::object> Templates::create(const Staff& staff, const TemplateInput& in) {
  std::lock_guard lock(db_.mutex);
  if (auto ok = check(staff, in); !ok) return ok.error();
  store::TemplateStore store(db_.db);
  auto count = store.count(staff.tenant_id);
  if (!count) return count.error();
  if (*count >= static_cast<std::int64_t>(limits_.max_per_tenant)) return errc::limit_reached;
  store::TemplateRow row{0, staff.tenant_id, in.window_id, "", in.title, in.body, staff.username, clock_.now_ms()};
  std::int64_t id = 0;
  auto done = store::in_transaction(db_.db, [&]() -> result<void> {
    auto inserted = store.insert(row);
    if (!inserted) return inserted.error();
    id = *inserted;
    return audit_.append({staff.tenant_id, staff.username, "template_create", "template:" + std::to_string(id), "{}"});
  });
  if (!done) return done.error();
  auto saved = store.get(staff.tenant_id, id);
  if (!saved) return saved.error();
  if (!*saved) return errc::not_found;
  return template_json(**saved);
}

result<json::object> Templates::update(const Staff& staff, std::int64_t id, const TemplateInput& in) {
  std::lock_guard lock(db_.mutex);
  if (auto ok = check(staff, in); !ok) return ok.error();
  store::TemplateStore store(db_.db);
  auto existing = store.get(staff.tenant_id, id);
  if (!existing) return existing.error();
  if (!*existing) return errc::not_found;
  store::TemplateRow row{id, staff.tenant_id, in.window_id, "", in.title, in.body, staff.username, clock_.now_ms()};
  auto done = store::in_transaction(db_.db, [&]() -> result<void> {
    if (auto r = store.update(row); !r) return r;
    return audit_.append({staff.tenant_id, staff.username, "template_update", "template:" + std::to_string(id), "{}"});
  });
  if (!done) return done.error();
  auto saved = store.get(staff.tenant_id, id);
  if (!saved) return saved.error();
  if (!*saved) return errc::not_found;
  return template_json(**saved);
}

result<json::object> Templates::remove(const Staff& staff, std::int64_t id) {
  if (!manages(staff)) return errc::managers_only;
  std::lock_guard lock(db_.mutex);
  store::TemplateStore store(db_.db);
  auto existing = store.get(staff.tenant_id, id);
  if (!existing) return existing.error();
  if (!*existing) return errc::not_found;
  auto done = store::in_transaction(db_.db, [&]() -> result<void> {
    if (auto r = store.remove(staff.tenant_id, id); !r) return r;
    return audit_.append({staff.tenant_id, staff.username, "template_delete", "template:" + std::to_string(id), "{}"});
  });
  if (!done) return done.error();
  return json::object{{"deleted", id}};
}

}  // namespace madoguchi::console
