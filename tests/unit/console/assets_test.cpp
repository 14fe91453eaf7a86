// The web UI's routes come from the embedded file list: every file is served under /console/
// with the type its extension says, index.html also at /console/, and every module a script
// imports (and every file index.html names) is one of them.
#include <gtest/gtest.h>

#include <regex>
#include <set>
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
  std::set<std::string> paths() const {
    std::set<std::string> out;
    for (const auto& f : web_files()) out.emplace(f.path);
    return out;
  }
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

TEST_F(AssetsTest, TheEntryModuleIsServedAsJavaScript) {
  auto index = get(router_, "/console/");
  EXPECT_NE(index.body.find(R"(<script type="module" src="/console/js/main.js"></script>)"), std::string::npos);
  auto main = get(router_, "/console/js/main.js");
  EXPECT_EQ(main.status, 200u);
  EXPECT_EQ(main.content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(main.body.find("import "), std::string::npos);
}

// A module left out of the CMake list would be a 404 and a blank console: catch it here.
TEST_F(AssetsTest, EveryImportedModuleAndEveryLinkedFileIsEmbedded) {
  const auto served = paths();
  const std::regex import_from(R"((?:import|export)[^;'"]*?from\s*'\./([^']+)')");
  const std::regex bare_import(R"(import\s*'\./([^']+)')");
  int imports = 0;
  for (const auto& f : web_files()) {
    if (content_type_for(f.path) != "text/javascript; charset=utf-8") continue;
    const std::string body(f.content);
    const std::string dir = std::string(f.path.substr(0, f.path.rfind('/') + 1));
    for (const auto* re : {&import_from, &bare_import})
      for (std::sregex_iterator it(body.begin(), body.end(), *re), end; it != end; ++it) {
        ++imports;
        EXPECT_TRUE(served.count(dir + (*it)[1].str())) << f.path << " imports ./" << (*it)[1] << ", which is not embedded";
      }
  }
  EXPECT_GT(imports, 10);
  const std::string index(get(router_, "/console/").body);
  const std::regex linked(R"re((?:src|href)="/console/([^"]+)")re");
  int links = 0;
  for (std::sregex_iterator it(index.begin(), index.end(), linked), end; it != end; ++it, ++links)
    EXPECT_TRUE(served.count((*it)[1].str())) << "index.html names /console/" << (*it)[1] << ", which is not embedded";
  EXPECT_GE(links, 2);
}

}  // namespace
}  // namespace madoguchi::console::test
