#pragma once
// The web UI's static files (gateway/console/web/), compiled into the binary so the console
// needs no files beside it, no CDN and no third-party assets. Served with a strict
// Content-Security-Policy: scripts, styles and connections only from the gateway itself.
#include "gateway/http/router.hpp"

namespace madoguchi::console {

// GET / and /console → /console/; /console/ (index.html), /console/app.js, /console/app.css.
void add_asset_routes(http::Router& router);

}  // namespace madoguchi::console
