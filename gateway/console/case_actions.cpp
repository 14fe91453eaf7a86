// The case operations that change a case: assignment, hand-over, urgency, case fields,
// manual contacts, close and reopen. Each writes its record entry (if any) and its audit
// event in one transaction.
#include <boost/json/serialize.hpp>

#include "gateway/console/case_rules.hpp"
#include "gateway/console/cases.hpp"
#include "gateway/console/labels.hpp"
#include "store/staff_store.hpp"
#include "store/transaction.hpp"

namespace madoguchi::console {
namespace json = boost::json;

namespace {

bool assignable(const store::StaffUser& u) { return u.role == "counselor" || u.role == "supervisor"; }

bool printable_short(const std::string& s, std::size_t max_chars) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return utf8::valid(s) && utf8::code_points(s) <= max_chars;
}

}  // namespace

result<json::object> Cases::claim(const Staff& staff, std::int64_t id) { return assign(staff, id, staff.username); }

result<json::object> Cases::assign(const Staff& staff, std::int64_t id, const std::string& username) {
  std::lock_guard lock(db_.mutex);
  auto c = visible(staff, id);
  if (!c) return c.error();
  auto user = store::StaffStore(db_.db).by_username(username);
  if (!user) return user.error();
  if (!*user || (*user)->tenant_id != staff.tenant_id || (*user)->disabled || !assignable(**user))
    return errc::invalid_input;
  // Only to a colleague who can see the case: a supervisor, or a counselor of its window
  // (whoever assigns; GET /api/staff tells the page which windows each one has).
  const bool target_sees = (*user)->role == "supervisor" ||
                           std::find((*user)->window_ids.begin(), (*user)->window_ids.end(), c->window_id) !=
                               (*user)->window_ids.end();
  if (!target_sees) return errc::assignee_ineligible;
  return add_entry(staff, *c, "assign", {{"assignee", username}}, "", username == staff.username ? "claim" : "assign",
                   [&](store::CaseStore& s) { return s.set_assignee(id, username, clock_.now_ms()); });
}

result<json::object> Cases::release(const Staff& staff, std::int64_t id) {
  std::lock_guard lock(db_.mutex);
  auto c = visible(staff, id);
  if (!c) return c.error();
  if (c->assignee.empty()) return errc::invalid_input;
  return add_entry(staff, *c, "assign", {{"assignee", ""}, {"previous", c->assignee}}, "", "release",
                   [&](store::CaseStore& s) { return s.set_assignee(id, "", clock_.now_ms()); });
}

result<json::object> Cases::transfer(const Staff& staff, std::int64_t id, std::int64_t window_id,
                                     const std::string& note) {
  if (auto r = check_text(note, limits_.max_note_chars, true); !r) return r.error();
  std::lock_guard lock(db_.mutex);
  auto c = visible(staff, id);
  if (!c) return c.error();
  auto windows = store::StaffStore(db_.db).windows(staff.tenant_id);
  if (!windows) return windows.error();
  auto target = std::find_if(windows->begin(), windows->end(), [&](const auto& w) { return w.id == window_id; });
  if (target == windows->end() || window_id == c->window_id) return errc::invalid_input;
  return add_entry(staff, *c, "transfer", {{"from", c->window_name}, {"to", target->name}}, note, "transfer",
                   [&](store::CaseStore& s) { return s.set_window(id, window_id, clock_.now_ms()); });
}

result<json::object> Cases::set_urgency(const Staff& staff, std::int64_t id, const std::string& urgency,
                                        const std::string& reason) {
  auto level = urgency_level(urgency);
  if (!level) return errc::invalid_input;
  if (auto r = check_text(reason, limits_.max_note_chars, true); !r) return r.error();
  std::lock_guard lock(db_.mutex);
  auto c = visible(staff, id);
  if (!c) return c.error();
  if (c->urgency == *level) return errc::invalid_input;
  return add_entry(staff, *c, "urgency", {{"from", urgency_code(c->urgency)}, {"to", urgency}}, reason, "urgency",
                   [&](store::CaseStore& s) { return s.set_urgency(id, *level, clock_.now_ms()); });
}

result<json::object> Cases::update_case(const Staff& staff, std::int64_t id, const CaseUpdate& u) {
  if ((u.writer && !valid_code(Field::writer, *u.writer)) || (u.age_band && !valid_code(Field::age_band, *u.age_band)) ||
      (u.consent && !valid_code(Field::consent, *u.consent)) ||
      (u.household && !printable_short(*u.household, limits_.max_household_chars)))
    return errc::invalid_input;
  std::lock_guard lock(db_.mutex);
  auto c = visible(staff, id);
  if (!c) return c.error();
  auto f = c->fields;
  json::object changed;
  auto apply = [&](const std::optional<std::string>& value, std::string& field, const char* name) {
    if (value && *value != field) {
      field = *value;
      changed[name] = *value;
    }
  };
  apply(u.writer, f.writer, "writer");
  apply(u.age_band, f.age_band, "age_band");
  apply(u.consent, f.consent, "consent");
  // The household number: a keyed link in the row, the number itself sealed; the audit
  // entry says that it changed, never what it is.
  std::optional<crypto::SealedText> sealed;
  auto current = household_text(*c);
  if (!current) return current.error();
  std::string household = std::move(*current);
  if (u.household && *u.household != household) {
    household = *u.household;
    f.household.clear();
    f.household_key_id.clear();
    f.household_sealed.clear();
    if (!household.empty()) {
      auto link = keys_.household_link(staff.tenant_id, household);
      if (!link) return link.error();
      auto s = keys_.seal(staff.tenant_id, household_record(id), household);
      if (!s) return s.error();
      sealed = std::move(*s);
      f.household = std::move(*link);
      f.household_key_id = sealed->key.key_id;
      f.household_sealed = sealed->body;
    }
    changed["household"] = household.empty() ? "cleared" : "set";
  }
  auto done = store::in_transaction(db_.db, [&]() -> result<void> {
    if (changed.empty()) return {};
    if (auto r = store::CaseStore(db_.db).set_fields(id, f, clock_.now_ms(), sealed ? &sealed->key : nullptr); !r) return r;
    return audit(staff, "case_update", id, changed);
  });
  if (!done) return done.error();
  return json::object{{"case", json::object{{"writer", f.writer},       {"writer_label", label(Field::writer, f.writer)},
                                            {"age_band", f.age_band},   {"age_band_label", label(Field::age_band, f.age_band)},
                                            {"household", household}, {"consent", f.consent},
                                            {"consent_label", label(Field::consent, f.consent)}}}};
}

result<json::object> Cases::record_contact(const Staff& staff, std::int64_t id, const ContactRecord& k) {
  if (!valid_code(Field::contact_method, k.method) || !valid_date(k.date) || k.duration_minutes < 0 ||
      k.duration_minutes > 24 * 60)
    return errc::invalid_input;
  if (auto r = check_text(k.note, limits_.max_note_chars, false); !r) return r.error();
  std::lock_guard lock(db_.mutex);
  auto c = visible(staff, id);
  if (!c) return c.error();
  return add_entry(staff, *c, "contact", {{"method", k.method}, {"date", k.date}, {"duration_minutes", k.duration_minutes}},
                   blank(k.note) ? std::string() : k.note, "contact");
}

result<json::object> Cases::set_status(const Staff& staff, std::int64_t id, const std::string& status) {
  std::lock_guard lock(db_.mutex);
  auto c = visible(staff, id);
  if (!c) return c.error();
  if (c->state == status) return errc::invalid_input;
  return add_entry(staff, *c, "status", {{"status", status}}, "", status == "closed" ? "close" : "reopen",
                   [&](store::CaseStore& s) { return s.set_state(id, status, clock_.now_ms()); });
}

result<json::object> Cases::windows(const Staff& staff) {
  std::lock_guard lock(db_.mutex);
  auto rows = store::StaffStore(db_.db).windows(staff.tenant_id);
  if (!rows) return rows.error();
  json::array out;
  for (const auto& w : *rows) out.push_back(json::object{{"id", w.id}, {"name", w.name}});
  return json::object{{"windows", std::move(out)}};
}

result<json::object> Cases::staff_list(const Staff& staff) {
  if (staff.role == "admin") return errc::admin_no_cases;
  std::lock_guard lock(db_.mutex);
  auto rows = store::StaffStore(db_.db).users(staff.tenant_id);
  if (!rows) return rows.error();
  json::array out;
  for (const auto& u : *rows) {
    if (!assignable(u)) continue;
    json::array windows;
    for (auto w : u.window_ids) windows.push_back(w);
    out.push_back(json::object{{"username", u.username}, {"role", u.role}, {"windows", std::move(windows)}});
  }
  return json::object{{"staff", std::move(out)}};
}

}  // namespace madoguchi::console
