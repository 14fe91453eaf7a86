// Loopback is decided from the parsed peer address; /metrics needs loopback or the token.
#include <gtest/gtest.h>

#include "gateway/http/peer.hpp"

namespace madoguchi::http {
namespace {

TEST(Peer, LoopbackIsAnAddressNotAPrefix) {
  for (auto a : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"}) EXPECT_TRUE(is_loopback_peer(a)) << a;
  for (auto a : {"127.evil.invalid", "10.0.0.1", "::2", "::ffff:10.0.0.1", "", "localhost", "1127.0.0.1"})
    EXPECT_FALSE(is_loopback_peer(a)) << a;
}

TEST(Peer, MetricsOnLoopbackOrWithTheToken) {
  const std::string token = "metrics-token-0123456789";
  EXPECT_TRUE(metrics_allowed("127.0.0.1", "", ""));
  EXPECT_FALSE(metrics_allowed("203.0.113.9", "", ""));
  EXPECT_FALSE(metrics_allowed("203.0.113.9", "Bearer ", ""));  // no token configured: never
  EXPECT_TRUE(metrics_allowed("203.0.113.9", "Bearer " + token, token));
  EXPECT_FALSE(metrics_allowed("203.0.113.9", "Bearer " + token + "x", token));
  EXPECT_FALSE(metrics_allowed("203.0.113.9", "Bearer metrics-token-012345678X", token));
  EXPECT_FALSE(metrics_allowed("203.0.113.9", "Basic " + token, token));
}

}  // namespace
}  // namespace madoguchi::http
