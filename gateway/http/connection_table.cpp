#include "gateway/http/connection_table.hpp"

namespace madoguchi::http {

ConnectionTable::Lease::~Lease() {
  std::lock_guard lock(table_.mutex_);
  if (!entry_->evicted) {
    --table_.live_;
    if (--table_.live_by_address_[entry_->address] <= 0) table_.live_by_address_.erase(entry_->address);
  }
  table_.entries_.erase(entry_);
}

void ConnectionTable::Lease::on_evict(std::function<void()> cancel) {
  bool evicted_already = false;
  {
    std::lock_guard lock(table_.mutex_);
    evicted_already = entry_->evicted;
    if (!evicted_already) entry_->cancel = cancel;
  }
  if (evicted_already && cancel) cancel();
}

void ConnectionTable::Lease::waiting_for_head(bool waiting) {
  std::lock_guard lock(table_.mutex_);
  entry_->waiting = waiting;
}

bool ConnectionTable::evict_oldest(const std::string* address, std::function<void()>& cancel) {
  for (auto& e : entries_) {
    if (e.evicted || !e.waiting || (address && e.address != *address)) continue;
    e.evicted = true;
    --live_;
    if (--live_by_address_[e.address] <= 0) live_by_address_.erase(e.address);
    ++evictions_;
    cancel = std::move(e.cancel);
    return true;
  }
  return false;
}

std::unique_ptr<ConnectionTable::Lease> ConnectionTable::admit(const std::string& address) {
  std::function<void()> cancel_address, cancel_total;
  std::unique_ptr<Lease> lease;
  {
    std::lock_guard lock(mutex_);
    auto it = live_by_address_.find(address);
    if (it != live_by_address_.end() && it->second >= max_per_address_ && !evict_oldest(&address, cancel_address))
      return nullptr;
    if (live_ >= max_total_ && !evict_oldest(nullptr, cancel_total)) return nullptr;
    entries_.push_back(Entry{address});
    ++live_;
    ++live_by_address_[address];
    lease.reset(new Lease(*this, std::prev(entries_.end())));
  }
  // Outside the lock: a cancel function posts to another strand.
  if (cancel_address) cancel_address();
  if (cancel_total) cancel_total();
  return lease;
}

int ConnectionTable::total() const {
  std::lock_guard lock(mutex_);
  return live_;
}

int ConnectionTable::evictions() const {
  std::lock_guard lock(mutex_);
  return evictions_;
}

}  // namespace madoguchi::http
