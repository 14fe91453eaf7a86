#pragma once
// A keep-alive load generator: `connections` coroutines on one thread, each sending
// signed LINE webhooks back to back; latency measured per request.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace madoguchi::bench {

struct LoadOptions {
  std::uint16_t port = 0;
  std::string path;
  std::string channel_secret;
  int connections = 32;
  double warmup_s = 1.0;
  double seconds = 5.0;
  int events_per_webhook = 1;
  std::string id_prefix;  // keeps webhookEventIds unique across runs
};

struct LoadResult {
  std::uint64_t acknowledged = 0;      // 200 answers in the measured window
  std::uint64_t acknowledged_all = 0;  // including warm-up: events stored, for the sanity check
  std::uint64_t errors = 0;            // other statuses or broken connections
  double seconds = 0;
  std::vector<double> latencies_ms;    // measured window only
};

LoadResult run_load(const LoadOptions& options);

// A size field of /proc/PID/status ("VmRSS", "VmHWM") in MB; 0 when absent.
double status_mb(pid_t pid, const std::string& field);

// GET `path` on 127.0.0.1:port; the body, or empty on failure.
std::string fetch(std::uint16_t port, const std::string& path);

}  // namespace madoguchi::bench
