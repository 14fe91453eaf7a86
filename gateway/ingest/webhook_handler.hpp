#pragma once
// POST /webhooks/{channel}/{account}: verify → parse → encrypt → group commit → answer.
// The answer is 200 only after the commit that holds every event of the webhook is
// durable; a store that cannot commit answers 503 so the provider retries; a bad
// signature answers 401 and is counted (metrics and the store's counters) and logged
// without the body.
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "gateway/core/adapter.hpp"
#include "gateway/core/clock.hpp"
#include "gateway/core/log.hpp"
#include "gateway/core/metrics.hpp"
#include "gateway/http/router.hpp"
#include "gateway/ingest/event_records.hpp"
#include "store/group_committer.hpp"

namespace madoguchi::ingest {

class WebhookHandler {
 public:
  // `tenants` maps tenant id → its ingest keys. All references must outlive the handler.
  WebhookHandler(const AdapterRegistry& adapters,
                 std::map<std::string, std::unique_ptr<TenantIngest>>& tenants,
                 store::GroupCommitter& committer, Metrics& metrics, Log& log, const Clock& clock);

  // Adds POST /webhooks/{channel}/{account}, and GET on the same URL for providers that
  // check the URL before they send (answered by the channel's InboundAdapter::challenge).
  void add_routes(http::Router& router);

  // Runs on the connection's strand; answers on the writer thread after the commit.
  void handle(http::Request&& request, const http::RouteParams& params, http::Respond respond);

 private:
  const AccountBinding* find_or_refuse(const std::string& channel, const std::string& account,
                                       http::Respond& respond) const;
  void handle_challenge(http::Request&& request, const http::RouteParams& params, http::Respond respond);
  void note_matched_secret(const AccountBinding& binding, int index);

  const AdapterRegistry& adapters_;
  std::map<std::string, std::unique_ptr<TenantIngest>>& tenants_;
  store::GroupCommitter& committer_;
  Metrics& metrics_;
  Log& log_;
  const Clock& clock_;
  std::mutex matched_mutex_;
  std::map<std::string, int> last_matched_;  // "channel/account" → secret index
};

}  // namespace madoguchi::ingest
