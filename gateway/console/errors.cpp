#include "gateway/console/errors.hpp"

#include "gateway/core/errc.hpp"

namespace madoguchi::console {

http::Response error_for(const boost::system::error_code& ec) {
  auto e = [](unsigned status, std::string_view code, std::string_view message) {
    return http::error_response(status, code, message);
  };
  if (ec.category() != madoguchi_category()) return e(500, "internal", "エラーが発生しました。管理者に連絡してください。");
  switch (static_cast<errc>(ec.value())) {
    case errc::invalid_input:
    case errc::json_malformed:
    case errc::json_too_deep:
    case errc::json_invalid_utf8:
    case errc::json_duplicate_key:
    case errc::json_unexpected_shape: return e(400, "invalid_request", "入力内容が正しくありません。");
    case errc::text_empty: return e(400, "text_empty", "本文を入力してください。");
    case errc::text_too_long: return e(413, "too_large", "文字数が上限を超えています。短くしてください。");
    case errc::login_failed: return e(401, "login_failed", "ユーザー名またはパスワード（または確認コード）が違います。");
    case errc::totp_required: return e(401, "totp_required", "確認コード（6桁のワンタイムパスワード）を入力してください。");
    case errc::not_logged_in: return e(401, "not_logged_in", "ログインしてください。");
    case errc::session_expired: return e(401, "session_expired", "セッションの有効期限が切れました。もう一度ログインしてください。");
    case errc::csrf_failed: return e(403, "csrf_failed", "操作を確認できませんでした。画面を再読み込みしてからやり直してください。");
    case errc::access_denied: return e(403, "forbidden", "この相談を扱う権限がありません。");
    case errc::admin_no_cases:
      return e(403, "admin_no_cases", "管理者アカウントでは相談の情報を扱えません。相談員またはスーパーバイザーのアカウントでログインしてください。");
    case errc::assignee_ineligible:
      return e(400, "assignee_ineligible", "選んだ職員はこの窓口の相談を担当できません。この窓口の相談員かスーパーバイザーを選んでください。");
    case errc::managers_only: return e(403, "managers_only", "この操作はスーパーバイザーまたは管理者だけが行えます。");
    case errc::placeholder_unknown:
      return e(400, "placeholder_unknown", "使えない差し込み項目があります。使えるのは {窓口名} {受付時間} {次の開所} {緊急連絡先} です。");
    case errc::limit_reached: return e(409, "limit_reached", "登録できる数の上限に達しています。使わないものを削除してください。");
    case errc::not_found: return e(404, "not_found", "相談が見つかりません。");
    case errc::channel_unsupported: return e(409, "conflict", "このチャネルには返信できません。");
    case errc::store_busy: return e(503, "store_busy", "混み合っています。少し待ってからもう一度お試しください。");
    default: return e(500, "internal", "エラーが発生しました。管理者に連絡してください。");
  }
}

}  // namespace madoguchi::console
