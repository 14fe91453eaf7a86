#pragma once
// Kanji → kana readings with MeCab and its IPA dictionary (Debian: mecab-ipadic-utf8), so a
// sentence spelled in kanji and the same sentence in kana meet: 薬を全部飲んだ and
// くすりをぜんぶのんだ both read くすりをぜんぶのんだ. Words MeCab does not know (slang,
// Latin, emoji) keep their spelling. Thread-safe: one model, one lattice per call.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace MeCab {
class Model;
class Tagger;
}  // namespace MeCab

namespace madoguchi::triage {

inline constexpr const char* kDefaultDictionary = "/var/lib/mecab/dic/ipadic-utf8";

class Readings {
 public:
  // Throws std::runtime_error when the dictionary cannot be loaded (start-up only).
  explicit Readings(const std::string& dictionary_dir = kDefaultDictionary);
  ~Readings();
  Readings(const Readings&) = delete;
  Readings& operator=(const Readings&) = delete;

  struct Read {
    std::string text;              // the reading of each word MeCab knows, the spelling of the others
    std::vector<bool> word_start;  // per byte of `text`: a word begins here
    std::string surface;           // the words as spelled (kana folded to hiragana), for when
    std::vector<bool> surface_start;  // MeCab misreads a kanji (橋 as きょう in 橋の上さいる)
    // Per byte of `text` / `surface`: the bytes [from, to) of the input it came from — its
    // word's for a reading, its own for a spelling (folding keeps the length).
    std::vector<std::uint32_t> text_from, text_to, surface_from, surface_to;
  };
  Read read(std::string_view normalized) const;

 private:
  std::unique_ptr<MeCab::Model> model_;
  std::unique_ptr<MeCab::Tagger> tagger_;
};

}  // namespace madoguchi::triage
