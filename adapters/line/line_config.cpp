#include "adapters/line/line_config.hpp"

#include "config/channel_schema.hpp"

namespace madoguchi::adapters::line {
namespace {

class LineSchema final : public config::ChannelSchema {
 public:
  std::string_view type() const override { return "line"; }
  std::vector<std::string_view> keys() const override {
    return {"channel_secrets", "access_token", "api_base", "data_api_base",
            "send_timeout_seconds", "reply_window_seconds", "quota_poll_seconds", "media_timeout_seconds"};
  }

  std::shared_ptr<const config::ChannelSettings> read(config::detail::Reader& r, const toml::table& t,
                                                      const std::string& key) const override {
    auto a = std::make_shared<LineSettings>();
    const auto* secrets = t.get("channel_secrets");
    if (!secrets || !secrets->is_array()) {
      r.error(key + ".channel_secrets", "required: an array of 1 or 2 secrets");
    } else {
      const auto& array = *secrets->as_array();
      if (array.empty() || array.size() > 2) r.error(key + ".channel_secrets", "must hold 1 or 2 secrets (current first)");
      for (std::size_t i = 0; i < array.size() && i < 2; ++i)
        if (auto s = r.secret(array.get(i), key + ".channel_secrets[" + std::to_string(i) + "]", i == 1)) {
          // LINE issues 32 hex characters; a short one is a placeholder or a typo, and
          // a guessable secret lets anyone sign webhooks.
          if (s->size() < 16)
            r.error(key + ".channel_secrets[" + std::to_string(i) + "]", "too short: at least 16 characters");
          a->channel_secrets.push_back(std::move(*s));
        }
    }
    if (auto v = r.secret(t.get("access_token"), key + ".access_token", false)) a->access_token = std::move(*v);
    if (auto v = r.string(t.get("api_base"), key + ".api_base", false)) a->api_base = *v;
    if (auto v = r.string(t.get("data_api_base"), key + ".data_api_base", false)) a->data_api_base = *v;
    r.http_url(key + ".api_base", a->api_base);
    r.http_url(key + ".data_api_base", a->data_api_base);
    auto small = [&](const char* name, int value, int lo, int hi) {
      return static_cast<int>(r.integer(t.get(name), key + "." + name, value, lo, hi));
    };
    a->send_timeout_s = small("send_timeout_seconds", a->send_timeout_s, 1, 120);
    // LINE's reply tokens last about a minute.
    a->reply_window_s = small("reply_window_seconds", a->reply_window_s, 0, 60);
    a->quota_poll_s = small("quota_poll_seconds", a->quota_poll_s, 0, 86400);
    a->media_timeout_s = small("media_timeout_seconds", a->media_timeout_s, 1, 600);
    return a;
  }
};

}  // namespace

const config::ChannelSchema& line_schema() {
  static const LineSchema schema;  // stateless
  return schema;
}

}  // namespace madoguchi::adapters::line
