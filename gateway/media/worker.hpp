#pragma once
// The media stage: one thread with its own io_context and store connection, running `lanes`
// coroutines. Each lane leases a `fetch_media` job (queued by ingest for every media message
// whose channel holds the content for us), opens the message's sealed body for the adapter's
// media handle, and asks the account's MediaSource (ChannelFactory::media) for the content
// with the size limit. The outcome is recorded per message, in one transaction with the job:
//   fetched       the content, sealed under a tenant epoch data key (the counselor side's
//                 keys; AD: tenant, "media:" + message id, key id), for a download in the console
//   too_large     over `max_bytes` (refused while it was read): nothing kept
//   type_refused  a content type outside `allowed_types`: nothing kept
//   failed        permanent (the provider no longer holds it, or refuses us), or the attempts
//                 ran out (then the job is dead-lettered: `media_dead_letter` error log line)
// Retriable answers (5xx, 429, timeouts, connection failures) retry with capped exponential
// backoff and full jitter, or after the provider's Retry-After. Logs carry job and record
// ids, codes, sizes and types, never content, media handles or tokens.
#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "crypto/keyring.hpp"
#include "gateway/core/clock.hpp"
#include "gateway/core/log.hpp"
#include "gateway/core/media.hpp"
#include "store/database.hpp"
#include "store/jobs.hpp"

namespace madoguchi::media {

struct MediaWorkerOptions {
  int lanes = 2;
  store::BackoffPolicy backoff{5000, 10 * 60 * 1000};
  std::int64_t lease_ms = 300'000;  // visibility timeout of a job being fetched
  std::int64_t poll_ms = 500;       // idle lanes look for due jobs this often
  std::string owner = "local";      // lease owner prefix of this instance
  std::size_t max_bytes = 20 * 1024 * 1024;
  std::vector<std::string> allowed_types;  // lower-case media types, exact
};

// Whether `content_type` (lower-case, without parameters) is one of `allowed`. Pure.
bool type_allowed(const std::string& content_type, const std::vector<std::string>& allowed);

// "20MB" for 20 MiB: the limit as counselors read it.
std::string size_label(std::size_t bytes);

class MediaWorker {
 public:
  MediaWorker(const store::DatabaseOptions& db, MediaWorkerOptions options, crypto::Keyring& keys, Log& log,
              const Clock& clock);
  ~MediaWorker();
  MediaWorker(const MediaWorker&) = delete;
  MediaWorker& operator=(const MediaWorker&) = delete;

  // For the sources' HTTP clients, which must run on this worker's thread.
  boost::asio::any_io_executor executor();
  // Before start(): the media source of channel account `account_row_id` (channel_accounts.id).
  void add_source(std::int64_t account_row_id, std::shared_ptr<MediaSource> source);
  // Releases leases left by earlier processes of this instance, then starts the thread.
  void start();
  // The thread ends (a download in flight is abandoned; its lease is released at the next
  // start and the fetch is simply repeated), then the sources are dropped, since their
  // connections belong to this worker's io_context.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace madoguchi::media
