#pragma once
// The outbound adapters by channel account (channel_accounts.id), filled by the composition
// root before the worker starts and read-only afterwards. The rate limiters are used on the
// worker's thread only.
#include <map>
#include <memory>
#include <string>

#include "gateway/core/channel_info.hpp"
#include "gateway/core/outbound.hpp"
#include "gateway/outbox/rate_limiter.hpp"

namespace madoguchi::outbox {

struct Sender {
  ChannelInfo info;  // the channel's labels and the wording of its outcomes
  std::string channel, account;
  std::shared_ptr<OutboundAdapter> adapter;
  std::unique_ptr<RateLimiter> limiter;
  OutboundCapabilities caps;
};

class Senders {
 public:
  void add(std::int64_t account_id, const ChannelInfo& info, std::string account,
           std::shared_ptr<OutboundAdapter> adapter, double per_second) {
    auto caps = adapter->capabilities();
    senders_.insert_or_assign(account_id, Sender{info, info.type, std::move(account), std::move(adapter),
                                                 std::make_unique<RateLimiter>(per_second), caps});
  }
  // The adapters' connections belong to the worker's io_context: the worker drops them
  // before that goes away.
  void clear() { senders_.clear(); }

  Sender* find(std::int64_t account_id) {
    auto it = senders_.find(account_id);
    return it == senders_.end() ? nullptr : &it->second;
  }
  const Sender* find(std::int64_t account_id) const {
    auto it = senders_.find(account_id);
    return it == senders_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::int64_t, Sender> senders_;
};

}  // namespace madoguchi::outbox
