#include "gateway/ingest/intake.hpp"

namespace madoguchi::ingest {

void Intake::submit(const std::string& channel, const std::string& account, std::vector<NormalizedMessage> messages,
                    std::function<void(result<IntakeOutcome>)> done) {
  const AccountBinding* binding = accounts_.find(channel, account);
  auto tenant = binding ? tenants_.find(binding->tenant_id) : tenants_.end();
  if (!binding || tenant == tenants_.end()) {
    done(errc::unknown_account);
    return;
  }
  if (messages.empty()) {
    done(IntakeOutcome{});
    return;
  }
  auto batch = build_batch(*tenant->second, binding->account_row_id, messages, clock_);
  committer_.submit(std::move(batch), [this, channel, done = std::move(done)](result<store::IngestOutcome> outcome) {
    if (!outcome) {
      done(outcome.error());
      return;
    }
    metrics_.count_events(channel, static_cast<std::uint64_t>(outcome->stored));
    metrics_.count_duplicates(channel, static_cast<std::uint64_t>(outcome->duplicates));
    done(IntakeOutcome{outcome->stored, outcome->duplicates});
  });
}

}  // namespace madoguchi::ingest
