// The connection caps evict idle connections before they refuse busy ones.
#include <gtest/gtest.h>

#include "gateway/http/connection_table.hpp"

namespace madoguchi::http {
namespace {

TEST(ConnectionTable, AtTheAddressCapTheOldestWaitingConnectionIsEvicted) {
  ConnectionTable table(100, 2);
  int evicted_a = 0, evicted_b = 0;
  auto a = table.admit("10.0.0.1");
  auto b = table.admit("10.0.0.1");
  ASSERT_TRUE(a && b);
  a->on_evict([&] { ++evicted_a; });
  b->on_evict([&] { ++evicted_b; });
  auto c = table.admit("10.0.0.1");  // a and b are idle: the oldest goes
  ASSERT_TRUE(c);
  EXPECT_EQ(evicted_a, 1);
  EXPECT_EQ(evicted_b, 0);
  EXPECT_EQ(table.total(), 2);
  auto other = table.admit("10.0.0.2");  // other addresses are not touched
  EXPECT_TRUE(other);
  EXPECT_EQ(evicted_b, 0);
}

TEST(ConnectionTable, BusyConnectionsAreNeverEvicted) {
  ConnectionTable table(100, 2);
  auto a = table.admit("10.0.0.1");
  auto b = table.admit("10.0.0.1");
  int evictions = 0;
  a->on_evict([&] { ++evictions; });
  b->on_evict([&] { ++evictions; });
  a->waiting_for_head(false);  // a request is being handled
  b->waiting_for_head(false);
  EXPECT_FALSE(table.admit("10.0.0.1"));
  EXPECT_EQ(evictions, 0);
  b->waiting_for_head(true);  // answered, idle again
  EXPECT_TRUE(table.admit("10.0.0.1"));
  EXPECT_EQ(evictions, 1);
}

TEST(ConnectionTable, GlobalCapEvictsAcrossAddressesAndLeasesFreeSlots) {
  ConnectionTable table(2, 10);
  auto a = table.admit("10.0.0.1");
  auto b = table.admit("10.0.0.2");
  a->waiting_for_head(false);
  bool evicted = false;
  b->on_evict([&] { evicted = true; });
  auto c = table.admit("10.0.0.3");
  EXPECT_TRUE(c);
  EXPECT_TRUE(evicted);
  c->waiting_for_head(false);
  EXPECT_FALSE(table.admit("10.0.0.4"));
  c.reset();
  EXPECT_TRUE(table.admit("10.0.0.4"));
  EXPECT_EQ(table.evictions(), 1);
}

TEST(ConnectionTable, EvictedBeforeItsCancelWasSetIsCancelledAtOnce) {
  ConnectionTable table(1, 1);
  auto a = table.admit("10.0.0.1");
  auto b = table.admit("10.0.0.1");
  ASSERT_TRUE(b);
  bool cancelled = false;
  a->on_evict([&] { cancelled = true; });
  EXPECT_TRUE(cancelled);
}

}  // namespace
}  // namespace madoguchi::http
