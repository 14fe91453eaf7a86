#include "gateway/triage/reading.hpp"

#include <mecab.h>

#include <algorithm>
#include <stdexcept>

#include "gateway/core/utf8.hpp"

namespace madoguchi::triage {
namespace {

// ipadic features: 品詞,細分類1,細分類2,細分類3,活用型,活用形,原形,読み,発音 — the reading is
// field 7; unknown words have only 7 fields.
std::string_view reading_field(const char* feature) {
  std::string_view f(feature ? feature : "");
  for (int i = 0; i < 7; ++i) {
    const auto comma = f.find(',');
    if (comma == std::string_view::npos) return {};
    f.remove_prefix(comma + 1);
  }
  const auto comma = f.find(',');
  auto reading = f.substr(0, comma);
  return reading == "*" ? std::string_view() : reading;
}

// Katakana readings into hiragana (U+30A1..U+30F6 → U+3041..U+3096: the same UTF-8 length).
// Everything else is copied byte for byte, ill-formed bytes too (the text is normalized, so
// there are none unless MeCab cut a character): word starts are counted per byte of it.
void append_hiragana(std::string& out, std::string_view reading) {
  for (std::size_t i = 0; i < reading.size();) {
    const std::size_t start = i;
    const int c = utf8::next(reading, i);
    if (c >= 0x30A1 && c <= 0x30F6) {
      utf8::append(out, c - 0x60);
    } else {
      out.append(reading.substr(start, i - start));
    }
  }
}

}  // namespace

Readings::Readings(const std::string& dictionary_dir) {
  const std::string args = "-d " + dictionary_dir + " -r /dev/null";
  model_.reset(MeCab::createModel(args.c_str()));
  if (!model_) throw std::runtime_error("cannot load the MeCab dictionary " + dictionary_dir + " (package mecab-ipadic-utf8)");
  tagger_.reset(model_->createTagger());
  if (!tagger_) throw std::runtime_error("cannot create a MeCab tagger");
}

Readings::~Readings() = default;

Readings::Read Readings::read(std::string_view text) const {
  Read out;
  if (text.empty()) return out;
  std::unique_ptr<MeCab::Lattice> lattice(model_->createLattice());
  const std::string sentence(text);  // the lattice keeps a pointer to it
  lattice->set_sentence(sentence.c_str(), sentence.size());
  if (!tagger_->parse(lattice.get())) {  // never lose the text
    append_hiragana(out.text, sentence);
    out.word_start.assign(out.text.size(), true);
    for (std::uint32_t i = 0; i < out.text.size(); ++i) {
      out.text_from.push_back(i);
      out.text_to.push_back(i + 1);
    }
    out.surface = out.text;
    out.surface_start = out.word_start;
    out.surface_from = out.text_from;
    out.surface_to = out.text_to;
    return out;
  }
  out.text.reserve(text.size() * 2);
  for (const MeCab::Node* node = lattice->bos_node(); node; node = node->next) {
    if (node->stat == MECAB_BOS_NODE || node->stat == MECAB_EOS_NODE) continue;
    // rlength counts the spaces before the word: keep them ("good mood" stays two words).
    const std::string_view space(node->surface - (node->rlength - node->length), node->rlength - node->length);
    const std::string_view surface(node->surface, node->length);
    auto reading = node->stat == MECAB_UNK_NODE ? std::string_view() : reading_field(node->feature);
    const auto space_at = static_cast<std::uint32_t>(space.data() - sentence.data());
    const auto word_at = static_cast<std::uint32_t>(surface.data() - sentence.data());
    const auto word_end = word_at + static_cast<std::uint32_t>(surface.size());
    // by_byte: the spelling, byte for byte; else the reading, each byte from the whole word.
    auto add = [&](std::string& text, std::vector<bool>& starts, std::vector<std::uint32_t>& from,
                   std::vector<std::uint32_t>& to, std::string_view word, bool by_byte) {
      for (std::uint32_t i = 0; i < space.size(); ++i) {
        from.push_back(space_at + i);
        to.push_back(space_at + i + 1);
      }
      text.append(space);
      const auto begin = text.size();
      append_hiragana(text, word);
      starts.resize(text.size(), false);
      if (begin < text.size()) starts[begin] = true;
      for (std::size_t i = begin; i < text.size(); ++i) {
        const auto own = std::min<std::uint32_t>(word_at + static_cast<std::uint32_t>(i - begin), word_end - 1);
        from.push_back(by_byte && word_end > word_at ? own : word_at);
        to.push_back(by_byte && word_end > word_at ? own + 1 : word_end);
      }
    };
    add(out.text, out.word_start, out.text_from, out.text_to, reading.empty() ? surface : reading, reading.empty());
    add(out.surface, out.surface_start, out.surface_from, out.surface_to, surface, true);
  }
  return out;
}

}  // namespace madoguchi::triage
