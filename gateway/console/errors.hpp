#pragma once
// The console API's error answers: status, code and a Japanese message for staff. Apart
// from api.cpp so that tests/fuzz/console_json_fuzz checks the answers the API gives.
#include <boost/system/error_code.hpp>

#include "gateway/http/router.hpp"

namespace madoguchi::console {

// The error answer for `ec`: {"error": code, "message": 日本語} with its status; codes
// from outside the project answer 500.
http::Response error_for(const boost::system::error_code& ec);

}  // namespace madoguchi::console
