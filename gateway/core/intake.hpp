#pragma once
// Where a channel's own listener (email over LMTP; later web chat) hands what it received:
// sealed and group-committed exactly like webhooks (gateway/ingest implements it). A listener
// may acknowledge to its peer only after `done` reported the commit.
#include <functional>
#include <string>
#include <vector>

#include "gateway/core/errc.hpp"
#include "gateway/core/message.hpp"

namespace madoguchi {

struct IntakeOutcome {
  int stored = 0;
  int duplicates = 0;  // already stored before (a redelivery): as good as stored
};

class MessageSink {
 public:
  virtual ~MessageSink() = default;
  // Thread-safe, never blocks. `done` runs on the committer's thread: post to your own
  // executor. errc::unknown_account when (channel, account) is not configured;
  // errc::store_busy / store_failed when nothing of it was written.
  virtual void submit(const std::string& channel, const std::string& account, std::vector<NormalizedMessage> messages,
                      std::function<void(result<IntakeOutcome>)> done) = 0;
};

}  // namespace madoguchi
