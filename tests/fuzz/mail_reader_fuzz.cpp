// libFuzzer: the email MIME reader on arbitrary mails. Each input is read twice, with tight
// limits (so every limit path is taken) and with the defaults (so no cut hides bad text), and
// the result must keep what mail_reader.hpp and mail_text.hpp promise, else abort.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "adapters/email/mail_reader.hpp"
#include "gateway/core/utf8.hpp"

using namespace madoguchi;
namespace email = madoguchi::adapters::email;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

// mail_text.hpp: private-use code points (carrier emoji) are replaced by a visible mark.
bool is_private_use(int c) { return (c >= 0xE000 && c <= 0xF8FF) || (c >= 0xF0000 && c <= 0x10FFFF); }

// Valid UTF-8 without private-use code points, NUL, DEL or C0 controls; a multi-line field
// may hold line feeds and tabs.
void require_clean(std::string_view text, bool multi_line) {
  require(utf8::valid(text));
  for (std::size_t i = 0; i < text.size();) {
    const int c = utf8::next(text, i);
    const bool allowed_control = multi_line && (c == '\n' || c == '\t');
    require(allowed_control || (c >= 0x20 && c != 0x7F));
    require(!is_private_use(c));
  }
}

// What mail_reader.cpp's plausible_id lets through.
void require_id(std::string_view id, bool may_be_empty) {
  if (id.empty()) return require(may_be_empty);
  require(id.size() <= 250);
  require(std::all_of(id.begin(), id.end(), [](unsigned char c) { return c > 0x20 && c < 0x7F && c != '<' && c != '>'; }));
}

// A lower-case addr-spec with an @ and no space, "" when missing; the sender's also has no
// control characters (read_from refuses them).
void require_address(std::string_view addr, bool no_controls) {
  if (addr.empty()) return;
  require(addr.size() <= 254 && addr.find('@') != std::string_view::npos);
  require(std::none_of(addr.begin(), addr.end(), [&](unsigned char c) {
    return c == ' ' || std::isupper(c) || (no_controls && (c < 0x20 || c == 0x7F));
  }));
}

void check(const email::ParsedMail& mail, const email::MailLimits& limits) {
  require_id(mail.message_id, true);
  require_id(mail.in_reply_to, true);
  for (const auto& id : mail.references) require_id(id, false);
  require(mail.references.size() <= 21);

  require_address(mail.from_address, true);
  require_clean(mail.from_name, false);
  require(mail.from_name.size() <= 200);
  require_clean(mail.subject, false);
  require(mail.subject.size() <= 2000);

  require_clean(mail.text, true);
  require(mail.text.size() <= limits.max_text_bytes);

  require(mail.attachments_refused >= 0);
  require(mail.attachments.size() <= static_cast<std::size_t>(limits.max_attachments));
  for (const auto& a : mail.attachments) {
    require_clean(a.filename, false);
    require(a.filename.size() <= 200);
    require(std::find(limits.attachment_types.begin(), limits.attachment_types.end(), a.content_type) !=
            limits.attachment_types.end());
    require(!a.content.empty() && a.content.size() <= limits.max_attachment_bytes);
  }

  // Only a delivery status notification carries a report, and it is never answered.
  const auto& r = mail.report;
  if (!mail.is_report)
    require(r.original_message_id.empty() && r.recipient.empty() && r.action.empty() && r.status.empty() &&
            r.diagnostic.empty());
  else
    require(!mail.automated.empty());
  require_id(r.original_message_id, true);
  require_address(r.recipient, false);
  require(r.status.size() <= 16);
  require_clean(r.diagnostic, false);
  require(r.diagnostic.size() <= 300);
}

email::MailLimits tight_limits() {
  email::MailLimits limits;
  limits.max_parts = 8;
  limits.max_depth = 3;
  limits.max_attachments = 2;
  limits.max_attachment_bytes = 64;
  limits.max_text_bytes = 200;
  return limits;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  email::init_mime();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const email::MailLimits tight = tight_limits();
  static const email::MailLimits defaults;
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  check(email::read_mail(raw, tight, "mx.town.example"), tight);
  check(email::read_mail(raw, defaults, "mx.town.example"), defaults);
  return 0;
}
