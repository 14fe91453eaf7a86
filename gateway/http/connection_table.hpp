#pragma once
// Who is connected, for the connection caps: a global cap (kept below the descriptor limit)
// and a per-address cap. A cap that simply refuses the next connection lets 300 slow
// connections from one address (a load balancer's, which every client shares) shut out the
// provider's webhooks. So at a cap the table evicts instead: the oldest connection that is
// still waiting for a request head (idle keep-alive, a TLS handshake, a slow header) is
// cancelled and the new one admitted. A connection whose request head has arrived (a
// webhook being verified and committed) is never evicted; only when every connection at
// the cap is busy is the new one refused. No Asio here: eviction calls the connection's
// cancel function, which posts to its own strand. Thread-safe.
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace madoguchi::http {

class ConnectionTable {
  struct Entry;

 public:
  ConnectionTable(int max_total, int max_per_address) : max_total_(max_total), max_per_address_(max_per_address) {}

  // One admitted connection; leaves the table when destroyed.
  class Lease {
   public:
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    // Called (from any thread, at most once) when the connection is evicted. Must not block.
    void on_evict(std::function<void()> cancel);
    // True while the connection waits for (the rest of) a request head: it may be evicted.
    void waiting_for_head(bool waiting);

   private:
    friend class ConnectionTable;
    Lease(ConnectionTable& table, std::list<Entry>::iterator entry) : table_(table), entry_(entry) {}
    ConnectionTable& table_;
    std::list<Entry>::iterator entry_;
  };

  // Null when the connection must be refused (every connection at the cap is busy).
  std::unique_ptr<Lease> admit(const std::string& address);

  int total() const;
  int evictions() const;

 private:
  struct Entry {
    std::string address;
    bool waiting = true;
    bool evicted = false;
    std::function<void()> cancel;
  };
  // Under mutex_: evicts the oldest waiting entry (of `address`, or of any address when
  // empty); returns its cancel function, or an empty one when nothing could be evicted.
  bool evict_oldest(const std::string* address, std::function<void()>& cancel);

  const int max_total_, max_per_address_;
  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // oldest first
  std::map<std::string, int> live_by_address_;  // entries not evicted
  int live_ = 0;
  int evictions_ = 0;
};

}  // namespace madoguchi::http
