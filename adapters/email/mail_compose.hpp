#pragma once
// A reply as a mail (GMime): From the window, Reply-To the conversation's plus address,
// threaded by In-Reply-To/References, "Re: " without piling prefixes, the Message-ID the
// outbox stored before the first attempt, text/plain in UTF-8 (base64) or ISO-2022-JP
// (7bit, for old carrier phones; UTF-8 when the text has characters JIS lacks). CRLF line
// ends, every line ≤ 998 octets.
#include <cstdint>
#include <string>
#include <vector>

namespace madoguchi::adapters::email {

struct ReplyMail {
  std::string from_address, from_name, reply_to, to;
  std::string message_id;               // without <>
  std::string in_reply_to;              // without <>, "" for none
  std::vector<std::string> references;  // oldest first, without <>
  std::string subject;                  // already "Re: …"
  std::string text;                     // UTF-8
  std::string charset = "utf-8";        // "utf-8" or "iso-2022-jp"
  bool automatic = false;               // Auto-Submitted: auto-replied (RFC 3834)
  std::int64_t date_ms = 0;
};

// The message as sent: CRLF, dot-stuffing left to the SMTP client.
std::string compose_mail(const ReplyMail& mail);

// "Re: " + the subject without its reply prefixes (Re:, RE:, Re[2]:, Re2:, ＲＥ：, 返信:, AW:,
// SV:); "ご相談について" when there is none.
std::string reply_subject(const std::string& original);

}  // namespace madoguchi::adapters::email
