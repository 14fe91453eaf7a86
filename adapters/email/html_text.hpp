#pragma once
// The readable text of an HTML mail part (libxml2's forgiving HTML parser): text nodes in
// order, block elements as line breaks, scripts, styles and comments dropped. Nothing of the
// markup is ever rendered anywhere; the console shows this text only.
#include <string>

namespace madoguchi::adapters::email {

// `html` is UTF-8 (decoded by decode_text). Returns UTF-8 as clean as decode_text's.
std::string html_to_text(const std::string& html);

}  // namespace madoguchi::adapters::email
