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

bool is_media_type(std::string_view type) {
  return type == "image" || type == "video" || type == "audio" || type == "file";
}

std::string media_label(std::string_view state, std::string_view type, std::string_view stored_reason) {
  if (state == "fetched") {
    std::string kind = type == "image" ? "画像" : type == "video" ? "動画" : type == "audio" ? "音声" : "ファイル";
    return kind + "：ダウンロード";
  }
  if (state == "pending") return "取得中";
  if (state == "too_large") {
    std::string reason(stored_reason);
    if (reason.ends_with("。")) reason.resize(reason.size() - std::string_view("。").size());
    return reason.empty() ? "ファイルが大きすぎるため保存していません" : reason;
  }
  if (state == "type_refused") return "この形式のファイルは保存していません";
  if (state == "external") return "外部サービスのファイルのため、取得していません";
  return "取得できませんでした";
}

std::string media_filename(std::string_view message_id, std::string_view content_type) {
  static constexpr std::pair<std::string_view, std::string_view> kExtensions[] = {
      {"image/jpeg", "jpg"}, {"image/png", "png"},  {"image/gif", "gif"},  {"image/webp", "webp"},
      {"video/mp4", "mp4"},  {"audio/m4a", "m4a"},  {"audio/x-m4a", "m4a"}, {"audio/mp4", "m4a"},
      {"audio/mpeg", "mp3"}, {"audio/aac", "aac"},  {"application/pdf", "pdf"}};
  std::string_view ext = "bin";
  for (const auto& [type, e] : kExtensions)
    if (type == content_type) ext = e;
  return "madoguchi-" + std::string(message_id.substr(0, 8)) + "." + std::string(ext);
}

}  // namespace madoguchi::console
