#pragma once
// What counselors and supervisors do with cases, with the access rule applied first:
// a counselor reaches only the conversations of their windows, a supervisor every window
// of the tenant, an administrator no consultation content. Content is opened here (and
// every opening is an audit event); staff-written text is sealed before it is stored.
// Thread-safe: store work runs under the console's mutex; replies go through the outbox.
#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <string>

#include "gateway/console/audit.hpp"
#include "gateway/console/auth.hpp"
#include "gateway/console/request_bodies.hpp"  // CaseUpdate, ContactRecord
#include "gateway/outbox/outbox.hpp"
#include "store/case_store.hpp"

namespace madoguchi::console {

struct CaseLimits {
  std::size_t max_note_chars = 10000;
  std::size_t max_reply_chars = 20000;
  std::size_t max_household_chars = 32;
};

struct QueueQuery {
  std::optional<std::int64_t> window_id;
  std::string status = "open";  // open | closed | all
  std::optional<int> urgency;
  bool mine = false;
  // Search (audited): a pseudonym's beginning, a tag, days (YYYY-MM-DD, Japan time) the
  // conversation was active between, both included.
  std::string contact, tag, from, to;
};

// A stored media content, opened for one download.
struct MediaFile {
  std::string content_type;
  std::string filename;
  std::string content;  // (sensitive)
};

class Cases {
 public:
  Cases(ConsoleDb& db, crypto::Keyring& keys, outbox::Outbox& outbox, AuditLog& audit, CaseLimits limits,
        const Clock& clock);

  // Errors: not_found (no such conversation in the tenant), access_denied, invalid_input,
  // text_empty / text_too_long, store_busy / store_failed; admin_no_cases for administrators.
  // The queue shows only conversations `staff` may read, each with the first line of its
  // newest message (gateway/console/queue.cpp); a search is an audit event.
  [[nodiscard]] result<boost::json::object> queue(const Staff& staff, const QueueQuery& query);
  [[nodiscard]] result<boost::json::object> conversation(const Staff& staff, std::int64_t id);
  [[nodiscard]] result<boost::json::object> messages(const Staff& staff, std::int64_t id);
  // The content of media message `message_id` of conversation `id`, decrypted; the download
  // is an audit event (download_media). not_found also for a message of another
  // conversation, one not fetched (too large, refused type, failed, pending) or unsent.
  [[nodiscard]] result<MediaFile> media(const Staff& staff, std::int64_t id, const std::string& message_id);
  [[nodiscard]] result<boost::json::object> reply(const Staff& staff, std::int64_t id, const std::string& text);
  [[nodiscard]] result<boost::json::object> note(const Staff& staff, std::int64_t id, const std::string& text);
  [[nodiscard]] result<boost::json::object> claim(const Staff& staff, std::int64_t id);
  [[nodiscard]] result<boost::json::object> assign(const Staff& staff, std::int64_t id, const std::string& username);
  [[nodiscard]] result<boost::json::object> release(const Staff& staff, std::int64_t id);
  [[nodiscard]] result<boost::json::object> transfer(const Staff& staff, std::int64_t id, std::int64_t window_id,
                                       const std::string& note);
  [[nodiscard]] result<boost::json::object> set_urgency(const Staff& staff, std::int64_t id, const std::string& urgency,
                                          const std::string& reason);
  [[nodiscard]] result<boost::json::object> update_case(const Staff& staff, std::int64_t id, const CaseUpdate& update);
  [[nodiscard]] result<boost::json::object> record_contact(const Staff& staff, std::int64_t id, const ContactRecord& contact);
  [[nodiscard]] result<boost::json::object> set_status(const Staff& staff, std::int64_t id, const std::string& status);
  [[nodiscard]] result<boost::json::object> windows(const Staff& staff);
  [[nodiscard]] result<boost::json::object> staff_list(const Staff& staff);
  // The window of conversation `id` ({id, name}), under the same access rule as reading it.
  [[nodiscard]] result<std::pair<std::int64_t, std::string>> window_of(const Staff& staff, std::int64_t id);

  // The longest reply accepted, in code points (CaseLimits::max_reply_chars).
  std::size_t reply_max_chars() const { return limits_.max_reply_chars; }

  // Whether `staff` may see conversation `id` (for live delivery events). No audit.
  bool can_see(const Staff& staff, std::int64_t id);

  // Seals household numbers still in clear (written before migration 6) and replaces them
  // with their link. At start-up, once the keys are loaded; returns how many.
  [[nodiscard]] result<std::size_t> seal_clear_households();

 private:
  [[nodiscard]] result<store::ConversationRow> visible(const Staff& staff, std::int64_t id);
  [[nodiscard]] result<boost::json::object> add_entry(const Staff& staff, const store::ConversationRow& c, const std::string& kind,
                                        boost::json::object detail, const std::string& text, const char* action,
                                        const std::function<result<void>(store::CaseStore&)>& change = {});
  [[nodiscard]] result<boost::json::object> entry_json(const store::CaseEntryRow& e);
  // The household number of `c`, opened ("" when none). Under db_.mutex.
  [[nodiscard]] result<std::string> household_text(const store::ConversationRow& c);
  [[nodiscard]] result<void> audit(const Staff& staff, const char* action, std::int64_t id, boost::json::object detail = {});
  // The queue item with its preview and 未読 mark. Under db_.mutex, `c` visible to `staff`.
  [[nodiscard]] result<boost::json::object> queue_item(const Staff& staff, const store::ConversationRow& c);

  ConsoleDb& db_;
  crypto::Keyring& keys_;
  outbox::Outbox& outbox_;
  AuditLog& audit_;
  CaseLimits limits_;
  const Clock& clock_;
};

// The record id a conversation's household number is sealed for (its associated data).
std::string household_record(std::int64_t conversation_id);

// The queue item shape of the API (no content: pseudonym, window, urgency, times).
boost::json::object conversation_json(const store::ConversationRow& c);
// ISO 8601 in Japan time: 2026-12-01T21:05:00+09:00.
std::string iso_jst(std::int64_t ms);

}  // namespace madoguchi::console
