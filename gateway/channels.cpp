#include "gateway/channels.hpp"

#include "adapters/email/email_channel.hpp"
#include "adapters/line/line_channel.hpp"
#include "config/channel_schema.hpp"

namespace madoguchi::app {

adapters::ChannelList make_channels() {
  adapters::ChannelList channels;
  channels.push_back(std::make_unique<adapters::line::LineChannel>());
  channels.push_back(std::make_unique<adapters::email::EmailChannel>());
  return channels;
}

config::ChannelSchemas schemas_of(const adapters::ChannelList& channels) {
  config::ChannelSchemas schemas;
  for (const auto& c : channels) schemas.push_back(&c->schema());
  return schemas;
}

adapters::ChannelFactory* find_channel(const adapters::ChannelList& channels, const std::string& type) {
  for (const auto& c : channels)
    if (c->schema().type() == type) return c.get();
  return nullptr;
}

}  // namespace madoguchi::app
