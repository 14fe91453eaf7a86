#pragma once
// The runtime side of the channel seam: one ChannelFactory per channel type, listed
// explicitly by the composition root (gateway/channels.cpp; no static self-registration).
// From each [[channels]] table of its type it makes that account's inbound side, its
// outbound side and background tasks; it describes the channel (ChannelInfo) for the
// stages and the console. Stages see only the interfaces in gateway/core.
//
// Channels whose messages do not arrive by webhook (email over LMTP, web chat over a
// WebSocket) run their own Listener, which hands messages to the MessageSink.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <vector>

#include "config/channels.hpp"
#include "gateway/core/adapter.hpp"
#include "gateway/core/channel_info.hpp"
#include "gateway/core/intake.hpp"
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

// A channel's own network listener (not the HTTP server): runs on its own threads between
// start() and stop(); stop() returns after every accepted delivery got its answer.
class Listener {
 public:
  virtual ~Listener() = default;
  virtual void start() = 0;
  virtual void stop() = 0;
  virtual std::string endpoint() const = 0;  // for the start-up line: "lmtp://127.0.0.1:2424"
};

struct ListenerContext {
  MessageSink& sink;
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
  // The webhook side of one account; `account.type` is this factory's type. nullptr for a
  // channel that receives no webhooks (its URL answers 404).
  virtual std::unique_ptr<InboundAdapter> inbound(const config::ChannelConfig& account,
                                                  const InboundContext& context) const = 0;
  virtual OutboundParts outbound(const config::ChannelConfig& account, const OutboundContext& context) = 0;
  // Fetches the content of this account's media messages (see gateway/core/media.hpp), or
  // nullptr when the channel holds none for us (the default): its messages then carry no
  // media handle and the media stage records them as failed.
  virtual std::shared_ptr<MediaSource> media(const config::ChannelConfig&, const MediaContext&) { return nullptr; }
  // The listeners for all accounts of this type (grouped as the channel needs, e.g. one LMTP
  // port for several addresses); none by default (webhook channels). Called once.
  virtual std::vector<std::unique_ptr<Listener>> listeners(const std::vector<const config::ChannelConfig*>&,
                                                           const ListenerContext&) {
    return {};
  }
  // Registers this channel's figures for /metrics; called once, after every outbound().
  // The factory must outlive the metrics' scrapes (it lives as long as `serve`).
  virtual void add_metrics(Metrics&) {}
};

using ChannelList = std::vector<std::unique_ptr<ChannelFactory>>;

}  // namespace madoguchi::adapters
