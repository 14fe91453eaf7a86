#pragma once
// Turns a text into an outbound row ready to insert: sealed body, and one retry key per
// provider request chosen now, before any attempt, so every retry reuses it.
#include <string>

#include "gateway/core/outbound.hpp"
#include "crypto/keyring.hpp"
#include "store/outbox_store.hpp"

namespace madoguchi::outbox {

struct Composed {
  store::NewOutbound row;
  store::DataKeyRecord key;
};

struct ComposeInput {
  std::string tenant_id;
  std::int64_t conversation_id = 0;
  std::string text;  // valid UTF-8, not empty
  std::string origin, author, in_reply_to;
  int max_attempts = 8;
};

[[nodiscard]] result<Composed> compose(crypto::Keyring& keys, const ComposeInput& input, const OutboundCapabilities& caps);

// The provider requests of a text: the same split at compose time and at every attempt.
std::vector<std::vector<std::string>> requests_for(const std::string& text, const OutboundCapabilities& caps);

}  // namespace madoguchi::outbox
