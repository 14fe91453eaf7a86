#pragma once
// A channel type's configuration reader (implemented in adapters/<channel>/). Included by
// the adapter that implements it and by config.cpp only: it brings in the TOML reader.
#include <string_view>
#include <vector>

#include "config/channels.hpp"
#include "config/reader.hpp"

namespace madoguchi::config {

class ChannelSchema {
 public:
  virtual ~ChannelSchema() = default;
  virtual std::string_view type() const = 0;
  // The keys of this type's table besides type, name, tenant and send_per_second.
  virtual std::vector<std::string_view> keys() const = 0;
  // Reads and validates the type's own keys of `table` (at `key`, e.g. "channels[0]"),
  // reporting every problem through `r` with its dotted key. Returns the settings even
  // when errors were reported (the caller discards the Config then).
  virtual std::shared_ptr<const ChannelSettings> read(detail::Reader& r, const toml::table& table,
                                                      const std::string& key) const = 0;
};

}  // namespace madoguchi::config
