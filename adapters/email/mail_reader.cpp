#include "adapters/email/mail_reader.hpp"

#include <gmime/gmime.h>
#include <libxml/HTMLparser.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

#include "adapters/email/html_text.hpp"
#include "adapters/email/mail_text.hpp"
#include "gateway/core/utf8.hpp"

namespace madoguchi::adapters::email {
namespace {

struct Unref {
  void operator()(gpointer p) const {
    if (p) g_object_unref(p);
  }
};
template <class T>
using Owned = std::unique_ptr<T, Unref>;

struct GFree {
  void operator()(gpointer p) const { g_free(p); }
};
using GString_ = std::unique_ptr<char, GFree>;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Decoded header text GMime gives back is UTF-8 by contract; a header is still untrusted
// input, so it is cleaned like body text (and kept on one line).
std::string clean_line(const char* value) {
  if (!value) return "";
  auto decoded = decode_text(value, "UTF-8").text;
  std::replace(decoded.begin(), decoded.end(), '\n', ' ');
  std::replace(decoded.begin(), decoded.end(), '\t', ' ');
  return trim(decoded);
}

// An unstructured header, decoded by decode_header (GMime decodes each encoded word on its
// own, which breaks words split inside a character).
std::string header_text(GMimeObject* object, const char* name, ParsedMail& mail) {
  GMimeHeaderList* headers = g_mime_object_get_header_list(object);
  GMimeHeader* header = headers ? g_mime_header_list_get_header(headers, name) : nullptr;
  const char* raw = header ? g_mime_header_get_raw_value(header) : nullptr;
  if (!raw) return "";
  auto decoded = decode_header(raw);
  mail.lossy = mail.lossy || decoded.lossy;
  return trim(decoded.text);
}

// At most `bytes`, cut at a character boundary.
std::string cut(std::string text, std::size_t bytes) {
  if (text.size() > bytes) text.resize(utf8::sequence_start(text, bytes));
  return text;
}

// A message id fit to be kept and matched: printable ASCII, no brackets, bounded.
bool plausible_id(std::string_view id) {
  if (id.empty() || id.size() > 250) return false;
  return std::all_of(id.begin(), id.end(), [](unsigned char c) { return c > 0x20 && c < 0x7F && c != '<' && c != '>'; });
}

std::vector<std::string> references_of(GMimeParserOptions* options, const char* header) {
  std::vector<std::string> out;
  if (!header) return out;
  GMimeReferences* refs = g_mime_references_parse(options, header);
  if (!refs) return out;
  const int n = g_mime_references_length(refs);
  for (int i = 0; i < n; ++i)
    if (const char* id = g_mime_references_get_message_id(refs, i); id && plausible_id(id)) out.emplace_back(id);
  g_mime_references_free(refs);
  // The root and the most recent ones are what threading reads; a long chain is cut in between.
  constexpr std::size_t kKeep = 20;
  if (out.size() > kKeep + 1) out.erase(out.begin() + 1, out.end() - static_cast<std::ptrdiff_t>(kKeep));
  return out;
}

std::string bytes_of(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (!content) return "";
  Owned<GMimeStream> mem(g_mime_stream_mem_new());
  if (g_mime_data_wrapper_write_to_stream(content, mem.get()) < 0) return "";
  GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
  return array ? std::string(reinterpret_cast<const char*>(array->data), array->len) : std::string();
}

std::string mime_type(GMimeObject* object) {
  GMimeContentType* type = g_mime_object_get_content_type(object);
  if (!type) return "text/plain";
  GString_ name(g_mime_content_type_get_mime_type(type));
  return name ? lower(name.get()) : "application/octet-stream";
}

std::string param(GMimeObject* object, const char* name) {
  const char* value = g_mime_object_get_content_type_parameter(object, name);
  return value ? std::string(value) : std::string();
}

// RFC 3676: soft line breaks (a line ending in a space) join the next line of the same
// quote depth; space-stuffing is undone; with DelSp=yes the joining space is removed too.
std::string unflow(const std::string& text, bool delsp) {
  std::string out;
  std::size_t start = 0;
  bool joining = false;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    std::size_t depth = 0;
    while (depth < line.size() && line[depth] == '>') ++depth;
    std::string_view content = line.substr(depth);
    if (!content.empty() && content.front() == ' ') content.remove_prefix(1);
    const bool soft = !content.empty() && content.back() == ' ' && content != "-- ";
    if (soft && delsp) content.remove_suffix(1);
    if (!joining) out.append(std::string(depth, '>')).append(depth ? " " : "");
    out.append(content);
    joining = soft;
    if (!soft && end < text.size()) out += '\n';
    if (end == text.size()) break;
    start = end + 1;
  }
  return out;
}

// "authserv-id; spf=pass smtp.mailfrom=…; dkim=pass header.d=…; dmarc=fail …"
bool read_verdict(const std::string& value, const std::string& authserv_id, SenderVerdict& verdict) {
  auto semi = value.find(';');
  auto id = trim(value.substr(0, semi));
  id = id.substr(0, id.find_first_of(" \t"));
  if (lower(id) != lower(authserv_id) || semi == std::string::npos) return false;
  std::size_t at = semi + 1;
  while (at < value.size()) {
    auto next = value.find(';', at);
    auto item = trim(value.substr(at, next == std::string::npos ? std::string::npos : next - at));
    auto eq = item.find('=');
    if (eq != std::string::npos) {
      const auto method = lower(trim(item.substr(0, eq)));
      auto result = lower(item.substr(eq + 1));
      result = result.substr(0, result.find_first_of(" \t(;"));
      if (method == "spf" && verdict.spf.empty()) verdict.spf = result;
      if (method == "dkim" && (verdict.dkim.empty() || result == "pass")) verdict.dkim = result;
      if (method == "dmarc" && verdict.dmarc.empty()) verdict.dmarc = result;
    }
    if (next == std::string::npos) break;
    at = next + 1;
  }
  return true;
}

// The fields of message/delivery-status (RFC 3464): the first recipient's. `text` is
// decoded; each field is one line, a tab in it a space (as in headers).
void read_delivery_status(std::string text, DeliveryReport& report) {
  std::replace(text.begin(), text.end(), '\t', ' ');
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const auto name = lower(trim(line.substr(0, colon)));
    auto value = trim(line.substr(colon + 1));
    if (name == "final-recipient" && report.recipient.empty()) {
      auto semi = value.find(';');  // "rfc822; hanako@example.jp"
      auto addr = lower(trim(semi == std::string::npos ? value : value.substr(semi + 1)));
      if (addr.size() <= 254 && addr.find('@') != std::string::npos && addr.find(' ') == std::string::npos)
        report.recipient = addr;
    }
    if (name == "action" && report.action.empty()) report.action = lower(value);
    if (name == "status" && report.status.empty()) report.status = cut(value, 16);
    if (name == "diagnostic-code" && report.diagnostic.empty()) {
      auto semi = value.find(';');  // "smtp; 550 5.1.1 user unknown"
      report.diagnostic = cut(trim(semi == std::string::npos ? value : value.substr(semi + 1)), 300);
    }
  }
}

GMimeParserOptions* parser_options() {
  GMimeParserOptions* options = g_mime_parser_options_new();
  g_mime_parser_options_set_rfc2047_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_address_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_parameter_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
  // Unencoded 8-bit headers from Japanese mailers: tried in this order.
  static const char* fallback[] = {"UTF-8", "CP932", "EUC-JP-MS", "ISO-8859-1", nullptr};
  g_mime_parser_options_set_fallback_charsets(options, fallback);
  return options;
}

struct OptionsDeleter {
  void operator()(GMimeParserOptions* o) const { g_mime_parser_options_free(o); }
};

GMimeMessage* parse(std::string_view raw, GMimeParserOptions* options) {
  Owned<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  Owned<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  return g_mime_parser_construct_message(parser.get(), options);
}

class Walker {
 public:
  Walker(const MailLimits& limits, GMimeParserOptions* options, ParsedMail& mail)
      : limits_(limits), options_(options), mail_(mail) {}

  void walk(GMimeObject* object, int depth, bool in_report) {
    if (!object) return;
    if (++parts_ > limits_.max_parts || depth > limits_.max_depth) {
      mail_.parts_skipped = true;
      return;
    }
    const auto type = mime_type(object);
    if (GMIME_IS_MULTIPART(object)) {
      auto* multipart = GMIME_MULTIPART(object);
      const int n = g_mime_multipart_get_count(multipart);
      // A DSN stays one: a report of another type nested in it, or a later part, does not
      // undo that (the report already read would be left without is_report).
      if (type == "multipart/report" && lower(param(object, "report-type")) == "delivery-status") {
        mail_.is_report = true;
        in_report = true;
      }
      if (type == "multipart/alternative") {
        walk(preferred_alternative(multipart), depth + 1, in_report);
        return;
      }
      for (int i = 0; i < n; ++i) walk(g_mime_multipart_get_part(multipart, i), depth + 1, in_report);
      return;
    }
    if (GMIME_IS_MESSAGE_PART(object)) {
      GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
      if (in_report && inner) {
        if (const char* id = g_mime_message_get_message_id(inner); id && plausible_id(id))
          mail_.report.original_message_id = id;
        return;
      }
      refuse();  // a forwarded mail as an attachment: not on the allow-list
      return;
    }
    if (!GMIME_IS_PART(object)) return;
    auto* part = GMIME_PART(object);
    if (in_report && type == "message/delivery-status") {
      // RFC 3464 asks for US-ASCII, yet Japanese MTAs write the diagnostic in Shift_JIS or
      // ISO-2022-JP: decoded like a body, so the report holds UTF-8 too.
      auto status = decode_text(bytes_of(part), param(object, "charset"));
      mail_.lossy = mail_.lossy || status.lossy;
      read_delivery_status(std::move(status.text), mail_.report);
      return;
    }
    if (in_report && type == "text/rfc822-headers") {
      auto headers = bytes_of(part) + "\r\n\r\n";
      Owned<GMimeMessage> original(parse(headers, options_));
      if (original)
        if (const char* id = g_mime_message_get_message_id(original.get()); id && plausible_id(id))
          mail_.report.original_message_id = id;
      return;
    }
    const bool attachment = g_mime_part_is_attachment(part);
    if (!attachment && type == "text/plain") {
      add_text(part, false);
      return;
    }
    if (!attachment && type == "text/html") {
      add_text(part, true);
      return;
    }
    add_attachment(part, type);
  }

  void finish() {
    if (mail_.text.size() > limits_.max_text_bytes) {
      mail_.text.resize(utf8::sequence_start(mail_.text, limits_.max_text_bytes));
      mail_.parts_skipped = true;
    }
  }

 private:
  // text/plain first, else HTML, else the last (the richest) alternative.
  GMimeObject* preferred_alternative(GMimeMultipart* multipart) {
    const int n = g_mime_multipart_get_count(multipart);
    GMimeObject* html = nullptr;
    for (int i = 0; i < n; ++i) {
      GMimeObject* child = g_mime_multipart_get_part(multipart, i);
      const auto type = mime_type(child);
      if (type == "text/plain") return child;
      if (type == "text/html" && !html) html = child;
    }
    return html ? html : (n > 0 ? g_mime_multipart_get_part(multipart, n - 1) : nullptr);
  }

  void add_text(GMimePart* part, bool html) {
    auto* object = GMIME_OBJECT(part);
    auto decoded = decode_text(bytes_of(part), param(object, "charset"));
    mail_.lossy = mail_.lossy || decoded.lossy;
    std::string text = html ? html_to_text(decoded.text) : decoded.text;
    if (!html && lower(param(object, "format")) == "flowed") text = unflow(text, lower(param(object, "delsp")) == "yes");
    while (!text.empty() && text.back() == '\n') text.pop_back();
    if (text.empty()) return;
    if (!mail_.text.empty()) mail_.text += "\n\n";
    mail_.text += text;
  }

  void add_attachment(GMimePart* part, const std::string& type) {
    const auto& allowed = limits_.attachment_types;
    if (mail_.attachments.size() >= static_cast<std::size_t>(limits_.max_attachments) ||
        std::find(allowed.begin(), allowed.end(), type) == allowed.end()) {
      refuse();
      return;
    }
    auto content = bytes_of(part);
    if (content.empty() || content.size() > limits_.max_attachment_bytes) {
      refuse();
      return;
    }
    mail_.attachments.push_back({cut(clean_line(g_mime_part_get_filename(part)), 200), type, std::move(content)});
  }

  void refuse() { ++mail_.attachments_refused; }

  const MailLimits& limits_;
  GMimeParserOptions* options_;
  ParsedMail& mail_;
  int parts_ = 0;
};

void read_headers(GMimeMessage* message, GMimeParserOptions* options, const std::string& authserv_id,
                  ParsedMail& mail) {
  GMimeHeaderList* headers = g_mime_object_get_header_list(GMIME_OBJECT(message));
  const int n = headers ? g_mime_header_list_get_count(headers) : 0;
  bool verdict_read = false;
  for (int i = 0; i < n; ++i) {
    GMimeHeader* header = g_mime_header_list_get_header_at(headers, i);
    const auto name = lower(g_mime_header_get_name(header));
    const char* raw = g_mime_header_get_value(header);
    const std::string value = raw ? lower(trim(raw)) : std::string();
    if (name == "auto-submitted" && !value.empty() && value.rfind("no", 0) != 0) mail.automated = "auto-submitted";
    if (name == "precedence" && (value == "bulk" || value == "list" || value == "junk") && mail.automated.empty())
      mail.automated = "precedence";
    if ((name == "list-id" || name == "list-unsubscribe") && mail.automated.empty()) mail.automated = "list";
    // The topmost one was added by our own MTA; headers below it came with the mail.
    if (name == "authentication-results" && !verdict_read && !authserv_id.empty() && raw)
      verdict_read = read_verdict(raw, authserv_id, mail.verdict);
  }
  auto refs = references_of(options, g_mime_object_get_header(GMIME_OBJECT(message), "References"));
  mail.references = std::move(refs);
  auto reply = references_of(options, g_mime_object_get_header(GMIME_OBJECT(message), "In-Reply-To"));
  if (!reply.empty()) mail.in_reply_to = reply.front();
}

void read_from(GMimeMessage* message, ParsedMail& mail) {
  InternetAddressList* from = g_mime_message_get_from(message);
  const int n = from ? internet_address_list_length(from) : 0;
  for (int i = 0; i < n; ++i) {
    InternetAddress* address = internet_address_list_get_address(from, i);
    if (!INTERNET_ADDRESS_IS_MAILBOX(address)) continue;
    const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
    std::string spec = addr ? lower(trim(addr)) : "";
    if (spec.size() > 254 || spec.find('@') == std::string::npos ||
        !std::all_of(spec.begin(), spec.end(), [](unsigned char c) { return c > 0x20 && c != 0x7F; }))
      continue;
    mail.from_address = std::move(spec);
    mail.from_name = cut(clean_line(internet_address_get_name(address)), 200);
    break;
  }
  const auto local = mail.from_address.substr(0, mail.from_address.find('@'));
  if ((local == "mailer-daemon" || local == "postmaster") && mail.automated.empty()) mail.automated = "mailer-daemon";
}

}  // namespace

void init_mime() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_mime_init();
    xmlInitParser();
  });
}

ParsedMail read_mail(std::string_view raw, const MailLimits& limits, const std::string& authserv_id) {
  init_mime();
  ParsedMail mail;
  std::unique_ptr<GMimeParserOptions, OptionsDeleter> options(parser_options());
  Owned<GMimeMessage> message(parse(raw, options.get()));
  if (!message) {
    // Not even a header block: keep what a person could read, marked.
    auto decoded = decode_text(raw, "");
    mail.text = decoded.text;
    mail.lossy = true;
    mail.parts_skipped = true;
    Walker(limits, options.get(), mail).finish();
    return mail;
  }
  if (const char* id = g_mime_message_get_message_id(message.get()); id && plausible_id(id)) mail.message_id = id;
  mail.subject = cut(header_text(GMIME_OBJECT(message.get()), "Subject", mail), 2000);
  if (GDateTime* date = g_mime_message_get_date(message.get())) mail.date_ms = g_date_time_to_unix(date) * 1000;
  read_headers(message.get(), options.get(), authserv_id, mail);
  read_from(message.get(), mail);
  Walker walker(limits, options.get(), mail);
  walker.walk(g_mime_message_get_mime_part(message.get()), 0, false);
  walker.finish();
  if (mail.is_report && mail.automated.empty()) mail.automated = "report";
  return mail;
}

}  // namespace madoguchi::adapters::email
