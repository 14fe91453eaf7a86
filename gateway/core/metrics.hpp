#pragma once
// In-process counters rendered as Prometheus text at GET /metrics.
// Thread-safe; label values are route names and account names, never personal data.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi {

// Fixed-bucket latency histogram (seconds).
class Histogram {
 public:
  static constexpr std::array<double, 12> bounds{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02,
                                                 0.05,   0.1,   0.25,  0.5,   1.0,  2.5};
  void observe(double seconds);
  void render(std::string& out, std::string_view name) const;

 private:
  std::array<std::atomic<std::uint64_t>, bounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_micros_{0};
};

class Metrics {
 public:
  void count_request(std::string_view route, unsigned status);
  void count_signature_failure(std::string_view channel, std::string_view account);
  void count_duplicates(std::string_view channel, std::uint64_t n);
  void count_events(std::string_view channel, std::uint64_t n);
  // Outbox: one per attempt outcome ("delivered", "retry", "failed", "dead_letter").
  void count_delivery(std::string_view channel, std::string_view account, std::string_view outcome);
  void observe_commit_latency(double seconds) { commit_latency_.observe(seconds); }
  void observe_batch_size(std::uint64_t requests);

  // Gauges read at scrape time (queue depth by job kind, pending commits).
  using GaugeSource = std::function<std::vector<std::pair<std::string, double>>()>;
  void add_gauge(std::string name, std::string help, GaugeSource source);

  std::string render_prometheus() const;

  // For tests and stats.
  std::uint64_t signature_failures() const { return signature_failures_total_.load(); }
  std::uint64_t duplicates() const { return duplicates_total_.load(); }
  std::uint64_t batches() const { return batches_.load(); }

 private:
  using LabelKey = std::vector<std::string>;
  void bump(std::map<LabelKey, std::uint64_t>& family, LabelKey key, std::uint64_t n);

  mutable std::mutex mutex_;
  std::map<LabelKey, std::uint64_t> requests_;            // route, status
  std::map<LabelKey, std::uint64_t> signature_failures_;  // channel, account
  std::map<LabelKey, std::uint64_t> duplicates_;          // channel
  std::map<LabelKey, std::uint64_t> events_;              // channel
  std::map<LabelKey, std::uint64_t> deliveries_;          // channel, account, outcome
  struct Gauge {
    std::string name, help;
    GaugeSource source;
  };
  std::vector<Gauge> gauges_;
  std::atomic<std::uint64_t> signature_failures_total_{0};
  std::atomic<std::uint64_t> duplicates_total_{0};
  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> batched_requests_{0};
  Histogram commit_latency_;
};

}  // namespace madoguchi
