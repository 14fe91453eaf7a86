#pragma once
// Live updates for the console's WebSocket (/api/live). Content-free events only:
//   {"type":"queue"}     something visible may have changed: the page refetches;
//   {"type":"delivery"}  an outbound message's delivery status changed.
// Changes are noticed through the store itself (PRAGMA data_version on a read connection,
// polled), so the stages keep talking through the queue: ingest, the outbox worker and the
// console need no calls into each other. Delivery events come from the outbox's feed.
// Thread-safe; owns one polling thread between start() and stop().
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "gateway/console/auth.hpp"
#include "gateway/console/cases.hpp"
#include "gateway/http/router.hpp"
#include "gateway/core/delivery_feed.hpp"

namespace madoguchi::console {

class LiveHub {
 public:
  LiveHub(const store::DatabaseOptions& read_db, Cases& cases, DeliveryFeed& feed,
          std::chrono::milliseconds poll = std::chrono::milliseconds(500));
  ~LiveHub();
  void start();
  void stop();

  // Registers an authenticated connection; the returned session unregisters it on close.
  http::WsSession attach(Staff staff, std::shared_ptr<http::WsConnection> connection);
  std::size_t connections() const;

 private:
  void poll_loop();
  void on_delivery(const DeliveryUpdate& update);

  store::DatabaseOptions read_db_;
  Cases& cases_;
  DeliveryFeed& feed_;
  std::chrono::milliseconds poll_;
  int subscription_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
  int next_id_ = 0;
  std::map<int, std::pair<Staff, std::shared_ptr<http::WsConnection>>> connections_;
};

}  // namespace madoguchi::console
