#pragma once
// The web UI's static files (gateway/console/web/), compiled into the binary so the console
// needs no files beside it, no CDN and no third-party assets. Served with a strict
// Content-Security-Policy: scripts, styles and connections only from the gateway itself.
// The list of files is gateway/console/CMakeLists.txt's `console_web`: one route per file.
#include <string_view>
#include <vector>

#include "gateway/http/router.hpp"

namespace madoguchi::console {

struct WebFile {
  std::string_view path;          // under /console/: "index.html", "js/main.js"
  std::string_view content_type;  // from the extension: "text/javascript; charset=utf-8"
  std::string_view content;
};

// Every embedded web file, in the order of the CMake list. Pure.
std::vector<WebFile> web_files();

// The Content-Type for a file name by its extension; "application/octet-stream" when the
// extension is unknown (served with nosniff, so a browser will not run it). Pure.
std::string_view content_type_for(std::string_view path);

// GET / and /console → /console/; /console/ (index.html) and /console/<path> for every web file.
void add_asset_routes(http::Router& router);

}  // namespace madoguchi::console
