#include "adapters/email/mail_compose.hpp"

#include <gmime/gmime.h>

#include <memory>
#include <regex>

#include "adapters/email/mail_reader.hpp"
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

// ISO-2022-JP lines: JIS text takes 2 octets a character plus escapes; 400 characters stay
// well under 998 octets. Longer lines are wrapped at character boundaries.
std::string wrapped(const std::string& text, std::size_t max_chars) {
  std::string out;
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t at = i;
    const int c = utf8::next(text, i);
    if (c == '\n') count = 0;
    else if (++count > max_chars) {
      out += '\n';
      count = 1;
    }
    out.append(text, at, i - at);
  }
  return out;
}

void set_text(GMimeTextPart* part, const ReplyMail& mail, std::string& charset_used) {
  if (mail.charset == "iso-2022-jp") {
    std::string jis, line_out;
    const auto text = wrapped(mail.text, 400);
    bool ok = true;
    std::size_t start = 0;
    while (ok && start <= text.size()) {  // each line on its own: every line ends in ASCII
      auto end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      ok = encode_text(std::string_view(text).substr(start, end - start), "ISO-2022-JP", line_out);
      jis += line_out + "\r\n";
      start = end + 1;
    }
    if (ok) {
      Owned<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(jis.data(), jis.size()));
      Owned<GMimeDataWrapper> content(g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
      g_mime_part_set_content(GMIME_PART(part), content.get());
      g_mime_object_set_content_type_parameter(GMIME_OBJECT(part), "charset", "ISO-2022-JP");
      g_mime_part_set_content_encoding(GMIME_PART(part), GMIME_CONTENT_ENCODING_7BIT);
      charset_used = "iso-2022-jp";
      return;
    }
  }
  g_mime_text_part_set_text(part, mail.text.c_str());
  g_mime_text_part_set_charset(part, "utf-8");
  g_mime_part_set_content_encoding(GMIME_PART(part), GMIME_CONTENT_ENCODING_BASE64);
  charset_used = "utf-8";
}

}  // namespace

std::string reply_subject(const std::string& original) {
  static const std::regex prefix(R"(^\s*(re|aw|sv|ＲＥ|Ｒｅ|返信)(\[\d+\]|\d+)?\s*(:|：)\s*)",
                                 std::regex::icase);
  std::string rest = original;
  for (int i = 0; i < 20; ++i) {
    std::smatch m;
    if (!std::regex_search(rest, m, prefix)) break;
    rest = m.suffix().str();
  }
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.pop_back();
  return "Re: " + (rest.empty() ? std::string("ご相談について") : rest);
}

std::string compose_mail(const ReplyMail& mail) {
  init_mime();
  Owned<GMimeMessage> message(g_mime_message_new(TRUE));
  g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_FROM, mail.from_name.c_str(), mail.from_address.c_str());
  g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_REPLY_TO, mail.from_name.c_str(), mail.reply_to.c_str());
  g_mime_message_add_mailbox(message.get(), GMIME_ADDRESS_TYPE_TO, nullptr, mail.to.c_str());
  Owned<GMimeTextPart> part(g_mime_text_part_new_with_subtype("plain"));
  std::string charset;
  set_text(part.get(), mail, charset);
  g_mime_message_set_subject(message.get(), mail.subject.c_str(), charset.c_str());
  g_mime_message_set_message_id(message.get(), mail.message_id.c_str());
  GTimeZone* jst = g_time_zone_new_offset(9 * 3600);
  GDateTime* utc = g_date_time_new_from_unix_utc(mail.date_ms / 1000);
  GDateTime* local = g_date_time_to_timezone(utc, jst);
  g_mime_message_set_date(message.get(), local);
  g_date_time_unref(local);
  g_date_time_unref(utc);
  g_time_zone_unref(jst);
  auto* object = GMIME_OBJECT(message.get());
  if (!mail.in_reply_to.empty())
    g_mime_object_set_header(object, "In-Reply-To", ("<" + mail.in_reply_to + ">").c_str(), nullptr);
  if (!mail.references.empty()) {
    std::string refs;
    for (const auto& r : mail.references) refs += (refs.empty() ? "<" : " <") + r + ">";
    g_mime_object_set_header(object, "References", refs.c_str(), nullptr);
  }
  if (mail.automatic) g_mime_object_set_header(object, "Auto-Submitted", "auto-replied", nullptr);
  g_mime_message_set_mime_part(message.get(), GMIME_OBJECT(part.get()));
  GMimeFormatOptions* options = g_mime_format_options_new();
  g_mime_format_options_set_newline_format(options, GMIME_NEWLINE_FORMAT_DOS);
  char* text = g_mime_object_to_string(object, options);
  g_mime_format_options_free(options);
  std::string out = text ? text : "";
  g_free(text);
  return out;
}

}  // namespace madoguchi::adapters::email
