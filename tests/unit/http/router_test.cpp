#include <gtest/gtest.h>

#include "gateway/http/router.hpp"

namespace madoguchi::http {
namespace {

Handler answer(unsigned status) {
  return [status](Request&&, const RouteParams&, Respond respond) { respond({status, "text/plain", "", {}}); };
}

TEST(Router, MatchesParamsAndNamesRouteByPattern) {
  Router router;
  router.add("POST", "/webhooks/{channel}/{account}", answer(200));
  auto m = router.match("POST", "/webhooks/line/demo");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.route, "/webhooks/{channel}/{account}");
  EXPECT_EQ(m.params.at("channel"), "line");
  EXPECT_EQ(m.params.at("account"), "demo");
}

TEST(Router, UnknownPathIs404AndOtherMethodIs405) {
  Router router;
  router.add("GET", "/healthz", answer(200));
  router.add("POST", "/webhooks/{channel}/{account}", answer(200));
  EXPECT_EQ(router.match("GET", "/nothing").status, 404u);
  EXPECT_EQ(router.match("GET", "/nothing").route, "unmatched");
  EXPECT_EQ(router.match("GET", "/webhooks/line/demo").status, 405u);
  EXPECT_EQ(router.match("POST", "/healthz").status, 405u);
}

TEST(Router, EmptyOrExtraSegmentsDoNotMatch) {
  Router router;
  router.add("POST", "/webhooks/{channel}/{account}", answer(200));
  EXPECT_EQ(router.match("POST", "/webhooks/line/").handler, nullptr);
  EXPECT_EQ(router.match("POST", "/webhooks//demo").handler, nullptr);
  EXPECT_EQ(router.match("POST", "/webhooks/line/demo/extra").handler, nullptr);
  EXPECT_EQ(router.match("POST", "webhooks/line/demo").handler, nullptr);
  EXPECT_EQ(router.match("POST", "").handler, nullptr);
}

TEST(Router, ErrorResponseIsJsonWithCodeAndMessage) {
  auto r = error_response(401, "signature_invalid", "署名が一致しません");
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_NE(r.body.find(R"("error":"signature_invalid")"), std::string::npos);
  EXPECT_NE(r.body.find("署名が一致しません"), std::string::npos);
}

}  // namespace
}  // namespace madoguchi::http
