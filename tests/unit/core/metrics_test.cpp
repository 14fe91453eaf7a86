#include "gateway/core/metrics.hpp"

#include <gtest/gtest.h>

namespace madoguchi {
namespace {

TEST(Metrics, RendersCountersByLabel) {
  Metrics m;
  m.count_request("/webhooks/line/{account}", 200);
  m.count_request("/webhooks/line/{account}", 200);
  m.count_request("/healthz", 200);
  m.count_signature_failure("line", "demo");
  m.count_duplicates("line", 3);
  const std::string text = m.render_prometheus();
  EXPECT_NE(text.find("madoguchi_http_requests_total{route=\"/webhooks/line/{account}\",status=\"200\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("madoguchi_signature_failures_total{channel=\"line\",account=\"demo\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("madoguchi_duplicates_refused_total{channel=\"line\"} 3"), std::string::npos);
  EXPECT_EQ(m.duplicates(), 3u);
}

TEST(Metrics, HistogramIsCumulative) {
  Metrics m;
  m.observe_commit_latency(0.0001);
  m.observe_commit_latency(0.003);
  m.observe_commit_latency(10.0);
  const std::string text = m.render_prometheus();
  EXPECT_NE(text.find("madoguchi_commit_latency_seconds_bucket{le=\"0.0005\"} 1"), std::string::npos);
  EXPECT_NE(text.find("madoguchi_commit_latency_seconds_bucket{le=\"0.005\"} 2"), std::string::npos);
  EXPECT_NE(text.find("madoguchi_commit_latency_seconds_bucket{le=\"+Inf\"} 3"), std::string::npos);
  EXPECT_NE(text.find("madoguchi_commit_latency_seconds_count 3"), std::string::npos);
}

TEST(Metrics, GaugesAreReadAtScrapeTime) {
  Metrics m;
  int depth = 4;
  m.add_gauge("madoguchi_store_depth", "Jobs waiting", [&] {
    return std::vector<std::pair<std::string, double>>{{"kind=\"triage\"", double(depth)}};
  });
  depth = 7;
  EXPECT_NE(m.render_prometheus().find("madoguchi_store_depth{kind=\"triage\"} 7"), std::string::npos);
}

}  // namespace
}  // namespace madoguchi
