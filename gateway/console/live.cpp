#include "gateway/console/live.hpp"

#include <boost/json/serialize.hpp>

namespace madoguchi::console {

LiveHub::LiveHub(const store::DatabaseOptions& read_db, Cases& cases, DeliveryFeed& feed,
                 std::chrono::milliseconds poll)
    : read_db_(read_db), cases_(cases), feed_(feed), poll_(poll) {
  read_db_.read_only = true;
}

LiveHub::~LiveHub() { stop(); }

void LiveHub::start() {
  subscription_ = feed_.subscribe([this](const DeliveryUpdate& u) { on_delivery(u); });
  thread_ = std::thread([this] { poll_loop(); });
}

void LiveHub::stop() {
  if (subscription_) feed_.unsubscribe(std::exchange(subscription_, 0));
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& [id, c] : connections_) c.second->close();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

http::WsSession LiveHub::attach(Staff staff, std::shared_ptr<http::WsConnection> connection) {
  int id = 0;
  {
    std::lock_guard lock(mutex_);
    id = ++next_id_;
    connections_.emplace(id, std::make_pair(std::move(staff), connection));
  }
  connection->send(R"({"type":"hello"})");
  return {{}, [this, id] {
            std::lock_guard lock(mutex_);
            connections_.erase(id);
          }};
}

std::size_t LiveHub::connections() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

void LiveHub::poll_loop() {
  store::Database db(read_db_);
  auto version = [&db]() -> std::int64_t {
    auto s = db.prepare("PRAGMA data_version");
    auto row = s.step();
    return row && *row ? s.column_int(0) : -1;
  };
  auto last = version();
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, poll_, [this] { return stopping_; })) {
    if (connections_.empty()) continue;
    lock.unlock();
    const auto now = version();  // changes when another connection commits
    lock.lock();
    if (now == last) continue;
    last = now;
    for (auto& [id, c] : connections_) c.second->send(R"({"type":"queue"})");
  }
}

void LiveHub::on_delivery(const DeliveryUpdate& u) {
  std::vector<std::pair<Staff, std::shared_ptr<http::WsConnection>>> targets;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, c] : connections_)
      if (c.first.tenant_id == u.tenant_id) targets.push_back(c);
  }
  const auto event = boost::json::serialize(boost::json::object{
      {"type", "delivery"}, {"conversation_id", u.conversation_id}, {"outbound_id", u.outbound_id},
      {"delivery_status", u.status}, {"delivery_label", status_label_ja(u.status)},
      {"delivery_reason", u.reason}});
  for (auto& [staff, connection] : targets)
    if (cases_.can_see(staff, u.conversation_id)) connection->send(event);
}

}  // namespace madoguchi::console
