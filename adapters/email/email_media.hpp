#pragma once
// An email attachment arrives inside the mail: its "media handle" holds the content itself
// (sealed in the message like the text). The media stage fetches it from there, checks size
// and type like any channel's media, and re-seals it for staff.
#include "gateway/core/media.hpp"

namespace madoguchi::adapters::email {

class AttachmentSource final : public MediaSource {
 public:
  boost::asio::awaitable<MediaResult> fetch(const std::string& media_handle, std::size_t max_bytes) override;
};

}  // namespace madoguchi::adapters::email
