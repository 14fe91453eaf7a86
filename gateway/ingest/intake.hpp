#pragma once
// The MessageSink channel listeners deliver to: the same sealing (build_batch) and the same
// group commit as webhooks, keyed by the configured (channel, account).
#include <map>
#include <memory>

#include "gateway/core/adapter.hpp"
#include "gateway/core/intake.hpp"
#include "gateway/core/metrics.hpp"
#include "gateway/ingest/event_records.hpp"
#include "store/group_committer.hpp"

namespace madoguchi::ingest {

class Intake final : public MessageSink {
 public:
  Intake(const AdapterRegistry& accounts, std::map<std::string, std::unique_ptr<TenantIngest>>& tenants,
         store::GroupCommitter& committer, Metrics& metrics, const Clock& clock)
      : accounts_(accounts), tenants_(tenants), committer_(committer), metrics_(metrics), clock_(clock) {}

  void submit(const std::string& channel, const std::string& account, std::vector<NormalizedMessage> messages,
              std::function<void(result<IntakeOutcome>)> done) override;

 private:
  const AdapterRegistry& accounts_;
  std::map<std::string, std::unique_ptr<TenantIngest>>& tenants_;
  store::GroupCommitter& committer_;
  Metrics& metrics_;
  const Clock& clock_;
};

}  // namespace madoguchi::ingest
