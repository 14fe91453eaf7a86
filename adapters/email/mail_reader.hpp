#pragma once
// Reads one received mail (RFC 5322 + MIME, as the MTA handed it over) with GMime 3 into
// what the gateway keeps of it. Never throws, never fails: malformed MIME yields what could
// be read, with marks; every limit below is enforced while walking the parts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::adapters::email {

struct MailLimits {
  int max_parts = 100;                   // MIME parts walked; the rest are skipped (marked)
  int max_depth = 10;                    // multipart nesting
  int max_attachments = 10;              // kept; more are dropped (marked)
  std::size_t max_attachment_bytes = 10 * 1024 * 1024;  // each, decoded
  std::size_t max_text_bytes = 512 * 1024;              // the body text, UTF-8
  std::vector<std::string> attachment_types = {"image/jpeg", "image/png", "image/gif", "image/heic",
                                               "application/pdf", "text/plain"};
};

struct MailAttachment {
  std::string filename;      // decoded, "" when none
  std::string content_type;  // lower-case type/subtype
  std::string content;       // decoded bytes
};

// Sender verification by the receiving MTA (RFC 8601 Authentication-Results), read only
// from the header our own MTA added (its authserv-id is configured).
struct SenderVerdict {
  std::string spf, dkim, dmarc;  // "pass", "fail", "none", ... ; "" when not reported
  bool verified() const { return dmarc == "pass" || dkim == "pass" || spf == "pass"; }
};

// A delivery status notification (RFC 3464) about a mail we sent.
struct DeliveryReport {
  std::string original_message_id;  // of our mail, without <>
  std::string recipient;            // Final-Recipient, lower-case addr-spec
  std::string action;               // "failed", "delayed", ...
  std::string status;               // "5.1.1"
  std::string diagnostic;           // the remote server's words
};

struct ParsedMail {
  std::string message_id;               // without <>, "" when missing
  std::string in_reply_to;              // the first id, without <>
  std::vector<std::string> references;  // oldest first, without <>
  std::string from_address;             // lower-case addr-spec, "" when missing
  std::string from_name;
  std::string subject;                  // decoded UTF-8
  std::string text;                     // the readable body (text/plain, else text of the HTML)
  std::int64_t date_ms = 0;             // the Date header, 0 when missing or unreadable
  bool lossy = false;                   // some bytes could not be decoded (〓)
  bool parts_skipped = false;           // over max_parts / max_depth, or text over max_text_bytes
  int attachments_refused = 0;          // over the count or size limit, or a type not allowed
  std::vector<MailAttachment> attachments;
  // Why no automatic reply may answer it (RFC 3834): "auto-submitted", "precedence",
  // "list", "mailer-daemon", "report"; "" for mail written by a person.
  std::string automated;
  SenderVerdict verdict;
  bool is_report = false;  // a DSN; `report` says about what
  DeliveryReport report;
};

// Once per process before the first read (thread-safe, idempotent).
void init_mime();

// `authserv_id`: the name our MTA writes into Authentication-Results ("" = trust none).
ParsedMail read_mail(std::string_view raw, const MailLimits& limits, const std::string& authserv_id);

}  // namespace madoguchi::adapters::email
