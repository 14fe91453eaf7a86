#pragma once
// The configuration side of the channel seam. `[[channels]]` tables share four keys
// (type, name, tenant, send_per_second); everything else in a table belongs to its type
// and is read and validated by that type's ChannelSchema (adapters/<channel>/), whose
// result the configuration carries as opaque ChannelSettings. The configuration itself
// names no channel.
#include <memory>
#include <string>
#include <vector>

namespace madoguchi::config {

// What one channel type read from its table (LINE: secrets, token, API hosts, …).
struct ChannelSettings {
  virtual ~ChannelSettings() = default;
};

struct ChannelConfig {
  std::string type;    // "line": URL segment /webhooks/<type>/<name> and the store's channel column
  std::string name;    // [a-z0-9_-]{1,32}, unique per type
  std::string tenant;  // TenantConfig::id
  int send_per_second = 100;  // outbox rate limit for this account
  std::string key;     // "channels[2]": for messages about this table
  std::shared_ptr<const ChannelSettings> settings;  // never null in a valid Config

  // The settings as the type that read them (the factory of `type` asks for its own).
  template <class T>
  const T& as() const {
    return dynamic_cast<const T&>(*settings);
  }
};

class ChannelSchema;  // config/channel_schema.hpp
// The channel types this binary knows; parse_config refuses any other `type`.
using ChannelSchemas = std::vector<const ChannelSchema*>;

}  // namespace madoguchi::config
