#pragma once
// Channel adapter interfaces and the registry main fills in (no static self-registration).
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/errc.hpp"
#include "gateway/core/message.hpp"
#include "gateway/core/webhook.hpp"

namespace madoguchi {

struct VerifyOutcome {
  int matched_secret = 0;  // 0 = current secret, 1 = the next one during rotation
};

// One instance per configured channel account. Thread-safe: both calls are const,
// pure CPU, never block and never throw on untrusted input.
class InboundAdapter {
 public:
  virtual ~InboundAdapter() = default;
  // Authenticates the raw body in constant time before anything is parsed.
  [[nodiscard]] virtual result<VerifyOutcome> verify(const WebhookRequest& request) const = 0;
  // Only after verify succeeded. 0..n messages; unknown event types become
  // "unsupported:<type>" messages, never an error.
  [[nodiscard]] virtual result<std::vector<NormalizedMessage>> parse(const WebhookRequest& request) const = 0;
  // GET on the webhook URL: a provider's check that the URL is ours (Meta answers
  // hub.challenge when hub.verify_token matches). The body to answer with 200, or
  // errc::channel_unsupported when the channel has no such check (405), or another error
  // when the check fails (403).
  [[nodiscard]] virtual result<std::string> challenge(const WebhookRequest&) const { return errc::channel_unsupported; }
};

// Where a channel account's messages belong.
struct AccountBinding {
  std::string channel;
  std::string account;
  std::string tenant_id;
  std::int64_t account_row_id = 0;  // channel_accounts.id in the store
  std::unique_ptr<InboundAdapter> inbound;
};

class AdapterRegistry {
 public:
  void add(AccountBinding binding) {
    auto key = std::make_pair(binding.channel, binding.account);
    bindings_.insert_or_assign(std::move(key), std::move(binding));
  }
  const AccountBinding* find(const std::string& channel, const std::string& account) const {
    auto it = bindings_.find({channel, account});
    return it == bindings_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::pair<std::string, std::string>, AccountBinding> bindings_;
};

}  // namespace madoguchi
