#include "gateway/triage/reading.hpp"

#include <mecab.h>

#include <stdexcept>

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

}  // namespace

Readings::Readings(const std::string& dictionary_dir) {
  const std::string args = "-d " + dictionary_dir + " -r /dev/null";
  model_.reset(MeCab::createModel(args.c_str()));
  if (!model_) throw std::runtime_error("cannot load the MeCab dictionary " + dictionary_dir + " (package mecab-ipadic-utf8)");
  tagger_.reset(model_->createTagger());
  if (!tagger_) throw std::runtime_error("cannot create a MeCab tagger");
}

Readings::~Readings() = default;

std::string Readings::read(std::string_view text) const {
  std::string out;
  if (text.empty()) return out;
  std::unique_ptr<MeCab::Lattice> lattice(model_->createLattice());
  const std::string sentence(text);  // the lattice keeps a pointer to it
  lattice->set_sentence(sentence.c_str(), sentence.size());
  if (!tagger_->parse(lattice.get())) return std::string(text);  // never lose the text
  out.reserve(text.size() * 2);
  for (const MeCab::Node* node = lattice->bos_node(); node; node = node->next) {
    if (node->stat == MECAB_BOS_NODE || node->stat == MECAB_EOS_NODE) continue;
    // rlength counts the spaces before the word: keep them ("good mood" stays two words).
    if (node->rlength > node->length) out.append(node->surface - (node->rlength - node->length), node->rlength - node->length);
    auto reading = node->stat == MECAB_UNK_NODE ? std::string_view() : reading_field(node->feature);
    if (reading.empty()) out.append(node->surface, node->length);
    else out.append(reading);
  }
  return out;
}

}  // namespace madoguchi::triage
