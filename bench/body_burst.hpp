#pragma once
// A burst of large request bodies (issue 14, finding 4): `connections` connections from
// `addresses` loopback addresses (127.0.0.2, .3, …: behind a load balancer the gateway sees
// few), each sending one webhook-sized body at once; the gateway's resident memory is sampled
// before, during and after, so the figures show whether the burst is bounded and given back.
#include <cstdint>
#include <map>
#include <string>
#include <sys/types.h>

namespace madoguchi::bench {

struct BurstOptions {
  std::uint16_t port = 0;
  std::string path;
  int connections = 1024;
  int addresses = 4;
  std::size_t body_bytes = 1024 * 1024;
  double settle_s = 3.0;  // idle time before the "after" sample
};

struct BurstResult {
  std::map<unsigned, int> statuses;  // answer → connections (0: closed or reset unanswered)
  double rss_before_mb = 0, rss_peak_mb = 0, rss_after_mb = 0;
  double seconds = 0;  // from the first connect to the last answer
};

BurstResult run_body_burst(const BurstOptions& options, pid_t gateway);

}  // namespace madoguchi::bench
