#pragma once
// The codes of the console API and their Japanese labels (one table per field), so the
// API, the audit details and the UI agree on one spelling. Pure.
#include <optional>
#include <string>
#include <string_view>

namespace madoguchi::console {

// Urgency: 0 emergency 緊急, 1 high 高, 2 normal 通常, 3 info 情報提供.
std::optional<int> urgency_level(std::string_view code);
std::string urgency_code(int level);
std::string urgency_label(int level);

enum class Field { writer, age_band, consent, contact_method, status };
// True when `code` is a known value of `field` ("" is allowed for writer, age_band and
// consent: 未確認 / 不明).
bool valid_code(Field field, std::string_view code);
std::string label(Field field, std::string_view code);

// Placeholder for a message without text, by message type (画像, スタンプ, …).
std::string media_placeholder(std::string_view message_type);

// Whether messages of this type may carry content to download (image, video, audio, file).
bool is_media_type(std::string_view message_type);
// The media state shown with such a message: "fetched" (「画像：ダウンロード」), "pending"
// (取得中), "too_large", "type_refused", "failed", "external" (held by another service, never
// fetched). `stored_reason` is the reason recorded with the state (too_large names the limit).
std::string media_label(std::string_view state, std::string_view message_type, std::string_view stored_reason);
// The file name offered for a download: "madoguchi-<first 8 of the id>.<extension of the type>".
std::string media_filename(std::string_view message_id, std::string_view content_type);

}  // namespace madoguchi::console
