#pragma once
// Live delivery status, shared below the stages: the outbox and triage workers publish
// every status change after it is committed; the console's WebSocket hub (and tests)
// subscribe. Subscribers are called on
// the publishing thread and must return quickly (post to their own executor). Thread-safe.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace madoguchi {

// The delivery statuses (also the store's outbound.status values).
namespace delivery {
inline constexpr const char* kQueued = "queued";
inline constexpr const char* kSending = "sending";
inline constexpr const char* kDelivered = "delivered";
inline constexpr const char* kFailed = "failed";
}  // namespace delivery

struct DeliveryUpdate {
  std::string outbound_id;
  std::string tenant_id;
  std::int64_t conversation_id = 0;
  std::string status;  // queued | sending | delivered | failed
  std::string code;    // internal reason code, "" when none
  std::string reason;  // Japanese, safe to show a counselor
};

// 送信待ち / 送信中 / 送信済み / 送信できませんでした (the status itself when unknown).
inline std::string status_label_ja(const std::string& status) {
  if (status == delivery::kQueued) return "送信待ち";
  if (status == delivery::kSending) return "送信中";
  if (status == delivery::kDelivered) return "送信済み";
  if (status == delivery::kFailed) return "送信できませんでした";
  return status;
}

class DeliveryFeed {
 public:
  using Subscriber = std::function<void(const DeliveryUpdate&)>;
  int subscribe(Subscriber subscriber) {
    std::lock_guard lock(mutex_);
    subscribers_.emplace(++next_, std::move(subscriber));
    return next_;
  }
  void unsubscribe(int id) {
    std::lock_guard lock(mutex_);
    subscribers_.erase(id);
  }
  void publish(const DeliveryUpdate& update) {
    std::lock_guard lock(mutex_);
    for (auto& [id, s] : subscribers_) s(update);
  }

 private:
  std::mutex mutex_;
  std::map<int, Subscriber> subscribers_;
  int next_ = 0;
};

}  // namespace madoguchi
