#include "adapters/email/mail_text.hpp"

#include <gmime/gmime-encodings.h>
#include <iconv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <optional>
#include <regex>
#include <vector>

#include "gateway/core/utf8.hpp"

namespace madoguchi::adapters::email {
namespace {

constexpr std::string_view kGeta = "\xE3\x80\x93";  // 〓
constexpr std::string_view kEmojiMark = "［絵文字］";

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool is_iso2022jp(const std::string& name) { return name == "ISO-2022-JP-3"; }

// Windows and Outlook label ISO-2022-JP text that holds NEC row 13 (①, ㍉) and other
// characters JIS X 0208 lacks. JIS X 0213 plane 1 is a superset of JIS X 0208 with those
// rows, so the JIS X 0208 designations are read as plane 1 (ESC $ ( Q) by glibc's
// ISO-2022-JP-3 decoder. Escape sequences are 7-bit and unambiguous: a byte replace is exact.
std::string widen_iso2022jp(std::string_view in) {
  std::string out;
  out.reserve(in.size() + 16);
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\x1b' && i + 2 < in.size() && in[i + 1] == '$' && (in[i + 2] == 'B' || in[i + 2] == '@')) {
      out += "\x1b$(Q";
      i += 2;
      continue;
    }
    out += in[i];
  }
  return out;
}

class Converter {
 public:
  explicit Converter(const std::string& from) : cd_(iconv_open("UTF-8", from.c_str())) {}
  ~Converter() {
    if (ok()) iconv_close(cd_);
  }
  Converter(const Converter&) = delete;
  Converter& operator=(const Converter&) = delete;
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }

  // Strict: false at the first invalid or incomplete sequence. Lossy: each bad sequence
  // becomes 〓 and decoding resumes at the next byte.
  bool run(std::string_view in, std::string& out, bool lossy, bool& lost) {
    iconv(cd_, nullptr, nullptr, nullptr, nullptr);
    std::array<char, 4096> buffer{};
    auto* src = const_cast<char*>(in.data());
    std::size_t left = in.size();
    while (true) {
      char* dst = buffer.data();
      std::size_t room = buffer.size();
      const std::size_t r = left ? iconv(cd_, &src, &left, &dst, &room) : iconv(cd_, nullptr, nullptr, &dst, &room);
      out.append(buffer.data(), static_cast<std::size_t>(dst - buffer.data()));
      if (r != static_cast<std::size_t>(-1)) {
        if (left == 0) {
          if (src == nullptr) return true;  // flushed
          src = nullptr;                    // one more round: the shift state's flush
          continue;
        }
        continue;
      }
      if (errno == E2BIG) continue;
      if (!lossy) return false;
      lost = true;
      out += kGeta;
      if (left == 0) return true;
      ++src;
      --left;
      iconv(cd_, nullptr, nullptr, nullptr, nullptr);  // resynchronise the shift state
      if (left == 0) return true;
    }
  }

 private:
  iconv_t cd_;
};

bool convert(std::string_view bytes, const std::string& name, bool lossy, DecodedText& out) {
  const std::string input = is_iso2022jp(name) ? widen_iso2022jp(bytes) : std::string(bytes);
  Converter c(name);
  if (!c.ok()) return false;
  std::string text;
  bool lost = false;
  if (!c.run(input, text, lossy, lost)) return false;
  out.text = std::move(text);
  out.lossy = lost;
  out.charset = name;
  return true;
}

bool is_private_use(int c) { return (c >= 0xE000 && c <= 0xF8FF) || (c >= 0xF0000 && c <= 0x10FFFF); }

}  // namespace

std::string clean_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t at = i;
    const int c = utf8::next(text, i);
    if (c < 0) {
      out += kGeta;
      continue;
    }
    if (c == '\r') {
      if (i < text.size() && text[i] == '\n') continue;
      out += '\n';
      continue;
    }
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) continue;
    if (is_private_use(c)) {
      out += kEmojiMark;
      continue;
    }
    out.append(text.substr(at, i - at));
  }
  return out;
}

namespace {

// Kana and kanji count for a reading, half-width katakana and private-use code points
// (what a wrong double-byte reading produces) against it.
long japanese_score(std::string_view text) {
  long score = 0;
  for (std::size_t i = 0; i < text.size();) {
    const int c = utf8::next(text, i);
    if ((c >= 0x3040 && c <= 0x30FF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3000 && c <= 0x303F)) score += 2;
    else if ((c >= 0xFF61 && c <= 0xFF9F) || is_private_use(c) || c < 0) score -= 1;
  }
  return score;
}

bool has_escape_designation(std::string_view bytes) { return bytes.find("\x1b$") != std::string_view::npos; }

}  // namespace

std::string iconv_name(std::string_view label) {
  const auto l = lower(label);
  if (l == "utf-8" || l == "utf8" || l == "us-ascii" || l == "ascii") return "UTF-8";
  if (l == "shift_jis" || l == "shift-jis" || l == "sjis" || l == "x-sjis" || l == "windows-31j" || l == "cp932" ||
      l == "ms932" || l == "ms_kanji" || l == "csshiftjis" || l == "x-ms-cp932" || l == "shift_jisx0213")
    return "CP932";
  if (l == "euc-jp" || l == "x-euc-jp" || l == "eucjp" || l == "euc-jp-ms" || l == "cseucpkdfmtjapanese")
    return "EUC-JP-MS";
  if (l == "iso-2022-jp" || l == "csiso2022jp" || l == "iso-2022-jp-ms" || l == "cp50220" || l == "cp50221" ||
      l == "cp50222" || l == "iso-2022-jp-1" || l == "iso-2022-jp-3" || l == "iso-2022-jp-2004")
    return "ISO-2022-JP-3";
  if (l.empty()) return "";
  // A few other charsets mail from abroad uses; an arbitrary label never reaches iconv.
  static const std::regex others("iso-8859-([1-9]|1[0-5])|windows-125[0-8]|koi8-r|gb2312|gbk|gb18030|big5|euc-kr");
  return std::regex_match(l, others) ? lower(l) : "";
}

DecodedText decode_text(std::string_view bytes, std::string_view label) {
  DecodedText out;
  const auto named = iconv_name(label);
  // A label is believed when the bytes read cleanly under it ("us-ascii" says nothing:
  // unlabelled 8-bit mail is marked that way by default).
  if (!named.empty() && lower(label) != "us-ascii" && convert(bytes, named, false, out)) {
    out.text = clean_text(out.text);
    return out;
  }
  // Mislabelled or unlabelled: every Japanese reading that decodes, the most Japanese-looking
  // one wins (EUC-JP bytes also decode as CP932, into half-width katakana).
  std::vector<std::string> order;
  if (has_escape_designation(bytes)) order.push_back("ISO-2022-JP-3");
  for (const char* candidate : {"UTF-8", "CP932", "EUC-JP-MS"}) order.push_back(candidate);
  bool found = false;
  long best = 0;
  for (const auto& name : order) {
    DecodedText candidate;
    if (!convert(bytes, name, false, candidate)) continue;
    const long s = japanese_score(candidate.text) + (name == "UTF-8" ? 1 : 0);
    if (!found || s > best) {
      out = std::move(candidate);
      best = s;
      found = true;
    }
  }
  if (found) {
    out.text = clean_text(out.text);
    return out;
  }
  // Nothing reads every byte: the label's charset (else UTF-8), with 〓 for what it cannot read.
  if (named.empty() || !convert(bytes, named, true, out)) convert(bytes, "UTF-8", true, out);
  out.lossy = true;
  out.text = clean_text(out.text);
  return out;
}

namespace {

struct Word {
  std::string charset;  // lower-case label
  std::string bytes;    // B/Q-decoded
};

// "=?charset[*lang]?B|Q?payload?=" starting at `at`; `end` is set past it.
std::optional<Word> encoded_word(std::string_view s, std::size_t at, std::size_t& end) {
  if (s.compare(at, 2, "=?") != 0) return std::nullopt;
  const auto q1 = s.find('?', at + 2);
  if (q1 == std::string_view::npos || q1 + 2 >= s.size() || s[q1 + 2] != '?') return std::nullopt;
  const auto close = s.find("?=", q1 + 3);
  if (close == std::string_view::npos || close - at > 1000) return std::nullopt;
  Word w;
  w.charset = lower(s.substr(at + 2, q1 - at - 2));
  w.charset = w.charset.substr(0, w.charset.find('*'));  // RFC 2231 language suffix
  const char encoding = static_cast<char>(std::toupper(static_cast<unsigned char>(s[q1 + 1])));
  const auto payload = s.substr(q1 + 3, close - q1 - 3);
  if (encoding != 'B' && encoding != 'Q') return std::nullopt;
  std::string input(payload);
  if (encoding == 'Q') std::replace(input.begin(), input.end(), '_', ' ');  // Q's space
  w.bytes.resize(input.size() + 4);
  int state = 0;
  guint32 save = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  auto* decoded = reinterpret_cast<unsigned char*>(w.bytes.data());
  const std::size_t n = encoding == 'B' ? g_mime_encoding_base64_decode_step(in, input.size(), decoded, &state, &save)
                                        : g_mime_encoding_quoted_decode_step(in, input.size(), decoded, &state, &save);
  w.bytes.resize(n);
  end = close + 2;
  return w;
}

}  // namespace

DecodedText decode_header(std::string_view raw) {
  DecodedText out;
  std::string pending_bytes, pending_charset;  // adjacent encoded words of one charset
  std::string plain;                           // unencoded text since the last word
  auto flush_word = [&] {
    if (pending_bytes.empty() && pending_charset.empty()) return;
    auto d = iconv_name(pending_charset).empty() && !pending_charset.empty()
                 ? decode_text(pending_bytes, "")  // unknown label: read as if unlabelled
                 : decode_text(pending_bytes, pending_charset);
    out.lossy = out.lossy || d.lossy;
    out.text += d.text;
    pending_bytes.clear();
    pending_charset.clear();
  };
  auto flush_plain = [&] {
    if (plain.empty()) return;
    auto d = decode_text(plain, "");
    out.lossy = out.lossy || d.lossy;
    out.text += d.text;
    plain.clear();
  };
  std::size_t i = 0;
  while (i < raw.size()) {
    std::size_t end = 0;
    if (auto w = encoded_word(raw, i, end)) {
      // Whitespace between two encoded words is not part of the text (RFC 2047 6.2).
      const bool only_space = plain.find_first_not_of(" \t\r\n") == std::string::npos;
      if (!(only_space && !pending_charset.empty())) {
        flush_word();
        flush_plain();
      } else {
        plain.clear();
      }
      if (!pending_charset.empty() && pending_charset != w->charset) flush_word();
      pending_charset = w->charset;
      pending_bytes += w->bytes;
      i = end;
      continue;
    }
    if (!pending_charset.empty() && raw[i] != ' ' && raw[i] != '\t' && raw[i] != '\r' && raw[i] != '\n') flush_word();
    plain += raw[i++];
  }
  flush_word();
  flush_plain();
  std::replace(out.text.begin(), out.text.end(), '\n', ' ');
  std::replace(out.text.begin(), out.text.end(), '\t', ' ');
  return out;
}

bool encode_text(std::string_view utf8, const std::string& charset, std::string& out) {
  iconv_t cd = iconv_open(charset.c_str(), "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  out.clear();
  std::array<char, 4096> buffer{};
  auto* src = const_cast<char*>(utf8.data());
  std::size_t left = utf8.size();
  bool ok = true;
  while (true) {
    char* dst = buffer.data();
    std::size_t room = buffer.size();
    const std::size_t r = left ? iconv(cd, &src, &left, &dst, &room) : iconv(cd, nullptr, nullptr, &dst, &room);
    out.append(buffer.data(), static_cast<std::size_t>(dst - buffer.data()));
    if (r == static_cast<std::size_t>(-1) && errno == E2BIG) continue;
    if (r == static_cast<std::size_t>(-1)) {
      ok = false;
      break;
    }
    if (left == 0 && src == nullptr) break;
    if (left == 0) src = nullptr;
  }
  iconv_close(cd);
  return ok;
}

}  // namespace madoguchi::adapters::email
