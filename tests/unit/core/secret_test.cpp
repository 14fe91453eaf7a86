#include "gateway/core/secret.hpp"

#include <gtest/gtest.h>

namespace madoguchi {
namespace {

TEST(Secret, HoldsBytesAndMoves) {
  Secret s(std::string_view("channel-secret"));
  EXPECT_EQ(s.view(), "channel-secret");
  Secret moved = std::move(s);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(moved.view(), "channel-secret");
  Secret copy = moved.clone();
  EXPECT_EQ(copy.view(), moved.view());
  EXPECT_NE(copy.data(), moved.data());
}

TEST(Secret, SizedSecretIsZeroFilled) {
  Secret s(32);
  ASSERT_EQ(s.size(), 32u);
  for (auto b : s.bytes()) EXPECT_EQ(b, 0);
}

}  // namespace
}  // namespace madoguchi
