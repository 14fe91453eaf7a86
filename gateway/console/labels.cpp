#include "gateway/console/labels.hpp"

#include <array>
#include <utility>

namespace madoguchi::console {
namespace {

using Pair = std::pair<std::string_view, std::string_view>;

constexpr std::array<Pair, 4> kUrgency = {{{"emergency", "緊急"}, {"high", "高"}, {"normal", "通常"}, {"info", "情報提供"}}};
constexpr std::array<Pair, 5> kWriter = {{{"", "未確認"}, {"self", "本人"}, {"family", "家族"}, {"agency", "支援機関"}, {"other", "その他"}}};
constexpr std::array<Pair, 8> kAgeBand = {{{"", "不明"}, {"under_15", "15歳未満"}, {"15_19", "15〜19歳"}, {"20s", "20代"},
                                          {"30s", "30代"}, {"40s", "40代"}, {"50s", "50代"}, {"60_plus", "60歳以上"}}};
constexpr std::array<Pair, 6> kConsent = {{{"", "未確認"}, {"person", "本人同意"}, {"family", "家族同意"},
                                          {"support_meeting", "支援会議"}, {"refused", "同意なし"},
                                          {"vital", "生命・身体の保護（緊急）"}}};
constexpr std::array<Pair, 4> kMethod = {{{"phone", "電話"}, {"visit", "来所"}, {"outreach", "訪問"}, {"other", "その他"}}};
constexpr std::array<Pair, 2> kStatus = {{{"open", "対応中"}, {"closed", "終了"}}};

template <std::size_t N>
const Pair* find(const std::array<Pair, N>& table, std::string_view code) {
  for (const auto& p : table)
    if (p.first == code) return &p;
  return nullptr;
}

const Pair* lookup(Field field, std::string_view code) {
  switch (field) {
    case Field::writer: return find(kWriter, code);
    case Field::age_band: return find(kAgeBand, code);
    case Field::consent: return find(kConsent, code);
    case Field::contact_method: return find(kMethod, code);
    case Field::status: return find(kStatus, code);
  }
  return nullptr;
}

}  // namespace

std::optional<int> urgency_level(std::string_view code) {
  for (std::size_t i = 0; i < kUrgency.size(); ++i)
    if (kUrgency[i].first == code) return static_cast<int>(i);
  return std::nullopt;
}

std::string urgency_code(int level) {
  return level >= 0 && level < 4 ? std::string(kUrgency[static_cast<std::size_t>(level)].first) : "normal";
}

std::string urgency_label(int level) {
  return level >= 0 && level < 4 ? std::string(kUrgency[static_cast<std::size_t>(level)].second) : "通常";
}

bool valid_code(Field field, std::string_view code) { return lookup(field, code) != nullptr; }

std::string label(Field field, std::string_view code) {
  const auto* p = lookup(field, code);
  return p ? std::string(p->second) : std::string(code);
}

std::string media_placeholder(std::string_view type) {
  if (type == "image") return "（画像）";
  if (type == "video") return "（動画）";
  if (type == "audio") return "（音声）";
  if (type == "file") return "（ファイル）";
  if (type == "sticker") return "（スタンプ）";
  if (type == "location") return "（位置情報）";
  return "（テキスト以外のメッセージ）";
}

}  // namespace madoguchi::console
