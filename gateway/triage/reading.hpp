#pragma once
// Kanji → kana readings with MeCab and its IPA dictionary (Debian: mecab-ipadic-utf8), so a
// sentence spelled in kanji and the same sentence in kana meet: 薬を全部飲んだ and
// くすりをぜんぶのんだ both read くすりをぜんぶのんだ. Words MeCab does not know (slang,
// Latin, emoji) keep their spelling. Thread-safe: one model, one lattice per call.
#include <memory>
#include <string>
#include <string_view>

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

  // The katakana reading of each word MeCab knows, the surface of the others.
  std::string read(std::string_view text) const;

 private:
  std::unique_ptr<MeCab::Model> model_;
  std::unique_ptr<MeCab::Tagger> tagger_;
};

}  // namespace madoguchi::triage
