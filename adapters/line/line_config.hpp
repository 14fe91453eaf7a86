#pragma once
// A LINE account's own keys in its [[channels]] table (type = "line").
#include <string>
#include <vector>

#include "config/channels.hpp"
#include "gateway/core/secret.hpp"

namespace madoguchi::config {
class ChannelSchema;
}

namespace madoguchi::adapters::line {

struct LineSettings final : config::ChannelSettings {
  std::vector<Secret> channel_secrets;  // 1 or 2 (rotation: current first)
  Secret access_token;
  std::string api_base = "https://api.line.me";
  std::string data_api_base = "https://api-data.line.me";
  int send_timeout_s = 10;  // one request: connect, write and answer
  int reply_window_s = 50;  // use an event's reply token this long after it arrived (0 = always push)
  int quota_poll_s = 300;   // GET quota for /metrics this often (0 = never)
  int media_timeout_s = 60; // one media download from the data API: connect, request and the whole body
};

// Reads channel_secrets, access_token, api_base, data_api_base, send_timeout_seconds,
// reply_window_seconds, quota_poll_seconds and media_timeout_seconds.
const config::ChannelSchema& line_schema();

}  // namespace madoguchi::adapters::line
