#include "adapters/email/html_text.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string_view>

#include "adapters/email/mail_text.hpp"

namespace madoguchi::adapters::email {
namespace {

bool is_block(std::string_view name) {
  static const std::set<std::string_view> blocks = {"p",  "div", "br", "li", "tr", "h1", "h2", "h3",  "h4",
                                                    "h5", "h6",  "ul", "ol", "table", "blockquote", "pre", "hr"};
  return blocks.count(name) > 0;
}

bool is_hidden(std::string_view name) {
  return name == "script" || name == "style" || name == "head" || name == "title" || name == "template";
}

void newline(std::string& out) {
  if (!out.empty() && out.back() != '\n') out += '\n';
}

void walk(xmlNode* node, std::string& out, int depth) {
  for (; node; node = node->next) {
    if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
      // Character references (&#x7f;, &#xE000;) spell what decode_text already removed.
      const auto text = clean_text(reinterpret_cast<const char*>(node->content ? node->content : BAD_CAST ""));
      // HTML whitespace collapses to one space; line structure comes from the elements.
      for (char c : text) {
        const bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
        if (!space) out += c;
        else if (!out.empty() && out.back() != ' ' && out.back() != '\n') out += ' ';
      }
      continue;
    }
    if (node->type != XML_ELEMENT_NODE) continue;
    std::string_view name(reinterpret_cast<const char*>(node->name));
    if (is_hidden(name)) continue;
    const bool block = is_block(name);
    if (block) newline(out);
    if (depth < 200) walk(node->children, out, depth + 1);
    if (block) newline(out);
  }
}

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

}  // namespace

std::string html_to_text(const std::string& html) {
  if (html.empty()) return "";
  const int options = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET;
  std::unique_ptr<xmlDoc, DocFree> doc(
      htmlReadMemory(html.data(), static_cast<int>(std::min<std::size_t>(html.size(), 16 * 1024 * 1024)), nullptr,
                     "UTF-8", options));
  if (!doc) return "";
  std::string out;
  walk(xmlDocGetRootElement(doc.get()), out, 0);
  // Trailing spaces of lines, and runs of blank lines, are layout, not text.
  std::string tidy;
  std::size_t blank = 0;
  std::size_t start = 0;
  while (start <= out.size()) {
    auto end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string_view line(out.data() + start, end - start);
    while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line.empty()) ++blank;
    else {
      if (!tidy.empty()) tidy += blank > 0 ? "\n\n" : "\n";
      tidy.append(line);
      blank = 0;
    }
    if (end == out.size()) break;
    start = end + 1;
  }
  return tidy;
}

}  // namespace madoguchi::adapters::email
