#pragma once
// The channels this binary speaks: the one list that names them (see the README's
// "How to add a channel").
#include "adapters/common/channel.hpp"
#include "config/channels.hpp"

namespace madoguchi::app {

adapters::ChannelList make_channels();
config::ChannelSchemas schemas_of(const adapters::ChannelList& channels);
// The factory of `type`, or nullptr.
adapters::ChannelFactory* find_channel(const adapters::ChannelList& channels, const std::string& type);

}  // namespace madoguchi::app
