#pragma once
// Text of a mail part in any charset Japanese mailers use, as UTF-8 (iconv underneath).
// The policy for bytes that cannot be decoded (stated in the README): the label is tried
// first, then the other Japanese charsets (mislabelled mail is common); what still does not
// decode becomes 〓 (the geta mark Japanese software has always shown for it), one per bad
// sequence, and the text is marked lossy. Nothing after a bad byte is ever lost. Carrier
// emoji (private-use code points from old feature phones) become ［絵文字］.
#include <string>
#include <string_view>

namespace madoguchi::adapters::email {

struct DecodedText {
  std::string text;        // valid UTF-8, LF line ends, no NUL or other C0 controls but tab
  bool lossy = false;      // some bytes became 〓
  std::string charset;     // the charset the bytes were finally read as (iconv's name)
};

// `label` is the MIME charset parameter as written ("" when absent).
DecodedText decode_text(std::string_view bytes, std::string_view label);

// What decode_text makes of text it has decoded, for UTF-8 that came another way (HTML
// character references): LF line ends, no C0 controls but tab, no DEL, carrier emoji
// marked, an ill-formed sequence 〓.
std::string clean_text(std::string_view text);

// An unstructured header's raw value (Subject, a display name, a file name) as one line of
// UTF-8: RFC 2047 encoded words decoded, adjacent words of one charset joined as bytes
// before decoding (mailers split them in the middle of a character), the label doubted as
// for bodies, unencoded 8-bit text read like an unlabelled body.
DecodedText decode_header(std::string_view raw);

// iconv's name for a MIME charset label, with the Japanese aliases real mail uses mapped to
// the Microsoft variants (CP932, EUC-JP-MS) that hold the NEC/IBM extensions; "" if unknown.
std::string iconv_name(std::string_view label);

// Converts UTF-8 to `charset` (iconv's name) without loss, or returns false.
bool encode_text(std::string_view utf8, const std::string& charset, std::string& out);

}  // namespace madoguchi::adapters::email
