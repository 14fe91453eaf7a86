// The web UI's routes come from the embedded file list: every file is served under /console/
// with the type its extension says, index.html also at /console/.
#include <gtest/gtest.h>

#include <string>

#include "gateway/console/assets.hpp"

namespace madoguchi::console::test {
namespace {

http::Response get(const http::Router& router, const std::string& path) {
  auto match = router.match("GET", path);
  EXPECT_TRUE(match.handler) << path;
  http::Response out;
  if (!match.handler) return out;
  http::Request r;
  r.method = "GET";
  r.path = path;
  (*match.handler)(std::move(r), match.params, [&](http::Response res) { out = std::move(res); });
  return out;
}

std::string header(const http::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

class AssetsTest : public ::testing::Test {
 protected:
  void SetUp() override { add_asset_routes(router_); }
  http::Router router_;
};

TEST(ContentType, ChosenByExtension) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("js/main.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("app.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("icon.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("README"), "application/octet-stream");
  EXPECT_EQ(content_type_for("js.d/notes"), "application/octet-stream");
  EXPECT_EQ(content_type_for("main.js.map"), "application/octet-stream");
}

TEST_F(AssetsTest, EveryEmbeddedFileIsServedWithItsType) {
  const auto files = web_files();
  ASSERT_GE(files.size(), 3u);
  for (const auto& f : files) {
    auto res = get(router_, "/console/" + std::string(f.path));
    EXPECT_EQ(res.status, 200u) << f.path;
    EXPECT_EQ(res.content_type, content_type_for(f.path)) << f.path;
    EXPECT_NE(res.content_type, "application/octet-stream") << f.path << ": add its extension to assets.cpp";
    EXPECT_EQ(res.body, f.content) << f.path;
    EXPECT_FALSE(res.body.empty()) << f.path;
    EXPECT_NE(header(res, "Content-Security-Policy").find("script-src 'self'"), std::string::npos) << f.path;
    EXPECT_EQ(header(res, "X-Content-Type-Options"), "nosniff") << f.path;
  }
  auto index = get(router_, "/console/");
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_NE(index.body.find("<html"), std::string::npos);
  for (const char* path : {"/", "/console"}) {
    auto r = get(router_, path);
    EXPECT_EQ(r.status, 302u);
    EXPECT_EQ(header(r, "Location"), "/console/");
  }
}

}  // namespace
}  // namespace madoguchi::console::test
