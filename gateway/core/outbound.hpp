#pragma once
// Outbound adapter contract: one instance per channel account, used by the outbox worker.
// The worker decides *what* to send (split texts, retry key, whether to answer through the
// inbound message's reply handle); the adapter turns one request into one provider call and
// classifies the answer.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace madoguchi {

struct OutboundCapabilities {
  std::size_t max_text_units = 0;     // per message object, in UTF-16 code units
  std::size_t max_messages = 1;       // message objects per request
  std::int64_t reply_window_ms = 0;   // a reply handle is usable this long after the event; 0 = none
  // A counselor's reply answers the conversation's latest message (email: In-Reply-To and
  // References); LINE keeps its scarce reply tokens for the automatic replies.
  bool thread_counselor_replies = false;
};

// One provider request. Fields marked (sensitive) are decrypted just before the call and
// never logged.
struct OutboundRequest {
  std::string to;                  // (sensitive) provider thread id (user, group or room)
  // (sensitive) non-empty: answer the inbound message this handle came with (its adapter
  // filled NormalizedMessage::reply_handle; only that channel's outbound side reads it).
  std::string reply_handle;
  std::vector<std::string> texts;  // (sensitive) 1..max_messages, each within max_text_units
  std::string retry_key;           // idempotency key, stored before the first attempt
  bool automatic = false;          // an automatic reply (first, after hours, emergency), not a person's
};

enum class DeliveryKind {
  delivered,  // the provider accepted it (a 409 for a repeated retry key counts here)
  retriable,  // try again later (after retry_after_ms when > 0)
  permanent,  // never retry; reason_ja tells the counselor why
};

struct DeliveryResult {
  DeliveryKind kind = DeliveryKind::retriable;
  std::string code;       // internal and stable, for logs and metrics: "http_429", "timeout"
  std::string reason_ja;  // short, safe to show a counselor
  std::int64_t retry_after_ms = 0;
  bool maybe_sent = false;  // the request may have reached the provider (no answer seen)
  // With kind permanent: the provider refused the reply handle itself (expired, or already
  // used). The worker then decides between "our earlier attempt used it" and sending anew.
  bool reply_handle_spent = false;
};

// Runs on the outbox worker's thread; send() never throws and never blocks the thread.
class OutboundAdapter {
 public:
  virtual ~OutboundAdapter() = default;
  virtual OutboundCapabilities capabilities() const = 0;
  virtual boost::asio::awaitable<DeliveryResult> send(const OutboundRequest& request) = 0;
};

}  // namespace madoguchi
