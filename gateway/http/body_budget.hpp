#pragma once
// The request-body bytes all connections may hold at once. 1,024 connections each sending
// 1 MB would otherwise hold a gigabyte; beyond the budget a request is answered 503 before
// its body is read. When a burst is over (nothing reserved any more) the allocator is asked
// to give freed memory back to the system, so the resident size falls again. Thread-safe.
#include <cstddef>
#include <mutex>

namespace madoguchi::http {

class BodyBudget {
 public:
  explicit BodyBudget(std::size_t bytes) : capacity_(bytes) {}

  // Reserves `bytes` (false: over the budget, nothing reserved).
  bool reserve(std::size_t bytes);
  void release(std::size_t bytes);
  std::size_t in_flight() const;

  // Holds a reservation for as long as it lives.
  class Reservation {
   public:
    Reservation() = default;
    Reservation(BodyBudget* budget, std::size_t bytes) : budget_(budget), bytes_(bytes) {}
    Reservation(Reservation&& o) noexcept : budget_(o.budget_), bytes_(o.bytes_) { o.budget_ = nullptr; }
    Reservation& operator=(Reservation&& o) noexcept {
      if (this != &o) {
        reset();
        budget_ = o.budget_;
        bytes_ = o.bytes_;
        o.budget_ = nullptr;
      }
      return *this;
    }
    ~Reservation() { reset(); }
    void reset() {
      if (budget_) budget_->release(bytes_);
      budget_ = nullptr;
    }

   private:
    BodyBudget* budget_ = nullptr;
    std::size_t bytes_ = 0;
  };

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::size_t in_flight_ = 0;
  std::size_t released_since_trim_ = 0;
};

}  // namespace madoguchi::http
