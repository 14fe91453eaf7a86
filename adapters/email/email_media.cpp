#include "adapters/email/email_media.hpp"

#include <boost/json/parse.hpp>

#include "adapters/common/hmac.hpp"

namespace madoguchi::adapters::email {

boost::asio::awaitable<MediaResult> AttachmentSource::fetch(const std::string& media_handle, std::size_t max_bytes) {
  MediaResult r;
  boost::system::error_code ec;
  auto v = boost::json::parse(media_handle, ec);
  const auto* o = !ec && v.is_object() ? &v.as_object() : nullptr;
  const auto* type = o ? o->if_contains("type") : nullptr;
  const auto* data = o ? o->if_contains("data") : nullptr;
  auto bytes = data && data->is_string() ? base64_decode(data->as_string()) : std::nullopt;
  if (!type || !type->is_string() || !bytes) {
    r.kind = MediaKind::permanent;
    r.code = "bad_handle";
    r.reason_ja = "添付ファイルを読み取れませんでした。";
    co_return r;
  }
  if (bytes->size() > max_bytes) {
    r.kind = MediaKind::too_large;
    r.code = "too_large";
    co_return r;
  }
  r.kind = MediaKind::fetched;
  r.content.assign(bytes->begin(), bytes->end());
  r.content_type = type->as_string().c_str();
  r.code = "attached";
  co_return r;
}

}  // namespace madoguchi::adapters::email
