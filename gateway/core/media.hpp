#pragma once
// Media content a channel holds for us (images, videos, audio and files sent by a
// person), fetched in the background by the media stage (gateway/media). A channel that
// has such content gives the stage one MediaSource per account (ChannelFactory::media);
// the adapter put an opaque `media_handle` on the NormalizedMessage, which only its own
// MediaSource reads.
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

namespace madoguchi {

enum class MediaKind {
  fetched,    // content and content_type are set
  too_large,  // larger than max_bytes: nothing kept (the limit was enforced while reading)
  retriable,  // try again later (after retry_after_ms when > 0): 5xx, timeouts, connection failures
  permanent,  // never retry (e.g. the provider no longer holds the content); reason_ja says why
};

struct MediaResult {
  MediaKind kind = MediaKind::retriable;
  std::string content;       // (sensitive) the bytes, with kind fetched
  std::string content_type;  // as the provider declared it, lower-case, without parameters
  std::string code;          // internal and stable, for logs: "http_404", "timeout"
  std::string reason_ja;     // short, safe to show a counselor
  std::int64_t retry_after_ms = 0;
};

// Runs on the media stage's thread; fetch() never throws and never blocks the thread.
class MediaSource {
 public:
  virtual ~MediaSource() = default;
  // `media_handle` is (sensitive): what the adapter stored with the message. Content longer
  // than `max_bytes` is refused while it is read and answered with MediaKind::too_large.
  virtual boost::asio::awaitable<MediaResult> fetch(const std::string& media_handle, std::size_t max_bytes) = 0;
};

}  // namespace madoguchi
