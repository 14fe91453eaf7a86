#pragma once
// Media content fetched by the media stage (gateway/media): one row per inbound media
// message with its state, and for `fetched` the content sealed under a data key of the
// tenant (AD: tenant, "media:" + message id, key id). The content type and size are kept
// beside it in clear (the console shows them without opening anything).
//
// States: fetched | too_large | type_refused | failed. A media message without a row is
// still being fetched (its fetch_media job is waiting or retrying).
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "gateway/core/errc.hpp"
#include "store/database.hpp"
#include "store/records.hpp"

namespace madoguchi::store {

inline constexpr const char* kFetchMediaJob = "fetch_media";
inline constexpr const char* kMediaFetched = "fetched";
inline constexpr const char* kMediaTooLarge = "too_large";
inline constexpr const char* kMediaTypeRefused = "type_refused";
inline constexpr const char* kMediaFailed = "failed";

// The inbound message a fetch_media job names.
struct MediaMessage {
  std::string id, tenant_id, message_type, key_id;
  std::int64_t account_id = 0, conversation_id = 0;
  Blob body;  // the sealed message body (holds the adapter's media handle)
  bool hidden = false;
};

struct MediaRecord {
  std::string message_id, tenant_id, state;
  std::string content_type;  // as the provider declared it ("" when unknown)
  std::int64_t size_bytes = 0;
  std::string error_code;    // internal, for logs ("http_404"); "" when fetched
  std::string reason;        // Japanese, for counselors; "" when fetched
  std::string key_id;        // "" when nothing is stored
  Blob body;                 // sealed content (fetched only)
  std::int64_t updated_at_ms = 0;
};

class MediaStore {
 public:
  explicit MediaStore(Database& db) : db_(db) {}

  result<std::optional<MediaMessage>> message(const std::string& message_id);
  // The recorded state of a message's media, or nullopt when none is recorded yet.
  result<std::optional<std::string>> state(const std::string& message_id);
  // Inside the caller's transaction: the row (replacing an earlier one) and, when the
  // content is stored, its data key (inserted if new).
  result<void> record(const MediaRecord& record, const DataKeyRecord* key);
  // Every recorded media row of a conversation's messages, by message id, without content.
  result<std::map<std::string, MediaRecord>> by_conversation(std::int64_t conversation_id);
  // The stored content of a message of `conversation_id` that was not unsent; nullopt when
  // there is none (another conversation's message, not fetched, unsent).
  result<std::optional<MediaRecord>> content(std::int64_t conversation_id, const std::string& message_id);

 private:
  Database& db_;
};

}  // namespace madoguchi::store
