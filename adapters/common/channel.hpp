#pragma once
// The runtime side of the channel seam: one ChannelFactory per channel type, listed
// explicitly by the composition root (gateway/channels.cpp; no static self-registration).
// From each [[channels]] table of its type it makes that account's inbound side, its
// outbound side and background tasks; it describes the channel (ChannelInfo) for the
// stages and the console. Stages see only the interfaces in gateway/core.
//
// Channels whose messages do not arrive by webhook (email over LMTP, web chat over a
// WebSocket) will add their own listener here; the webhook path is the first kind.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <vector>

#include "config/channels.hpp"
#include "gateway/core/adapter.hpp"
#include "gateway/core/channel_info.hpp"
#include "gateway/core/media.hpp"
#include "gateway/core/outbound.hpp"

namespace madoguchi {
class Log;
class Metrics;
}  // namespace madoguchi

namespace madoguchi::adapters {

struct InboundContext {
  int json_max_depth = 32;  // [server.limits] json_max_depth
};

// Where an account's outbound side runs: the outbox worker's thread.
struct OutboundContext {
  boost::asio::any_io_executor executor;  // provider clients must be created on it
  Log& log;
};

// Where an account's media source runs: the media stage's thread.
struct MediaContext {
  boost::asio::any_io_executor executor;  // provider clients must be created on it
  Log& log;
};

struct OutboundParts {
  std::shared_ptr<OutboundAdapter> adapter;
  // Run on the worker's thread until it stops (LINE: quota polling).
  std::vector<std::function<boost::asio::awaitable<void>()>> tasks;
};

class ChannelFactory {
 public:
  virtual ~ChannelFactory() = default;
  // The reader of this type's [[channels]] tables (stateless; outlives nothing).
  virtual const config::ChannelSchema& schema() const = 0;
  virtual ChannelInfo info() const = 0;
  // The webhook side of one account; `account.type` is this factory's type.
  virtual std::unique_ptr<InboundAdapter> inbound(const config::ChannelConfig& account,
                                                  const InboundContext& context) const = 0;
  virtual OutboundParts outbound(const config::ChannelConfig& account, const OutboundContext& context) = 0;
  // Fetches the content of this account's media messages (see gateway/core/media.hpp), or
  // nullptr when the channel holds none for us (the default): its messages then carry no
  // media handle and the media stage records them as failed.
  virtual std::shared_ptr<MediaSource> media(const config::ChannelConfig&, const MediaContext&) { return nullptr; }
  // Registers this channel's figures for /metrics; called once, after every outbound().
  // The factory must outlive the metrics' scrapes (it lives as long as `serve`).
  virtual void add_metrics(Metrics&) {}
};

using ChannelList = std::vector<std::unique_ptr<ChannelFactory>>;

}  // namespace madoguchi::adapters
