#include "gateway/core/errc.hpp"

#include <gtest/gtest.h>

namespace madoguchi {
namespace {

TEST(Errc, ConvertsToErrorCodeWithMessage) {
  boost::system::error_code ec = errc::signature_invalid;
  EXPECT_EQ(ec.category().name(), std::string("madoguchi"));
  EXPECT_EQ(ec.value(), 2);
  EXPECT_EQ(ec.message(), "signature does not match");
}

TEST(Errc, ResultCarriesError) {
  result<int> r = make_error_code(errc::store_busy);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), make_error_code(errc::store_busy));
}

}  // namespace
}  // namespace madoguchi
