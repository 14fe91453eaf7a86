#include "gateway/outbox/compose.hpp"

#include "gateway/outbox/split.hpp"

namespace madoguchi::outbox {

std::vector<std::vector<std::string>> requests_for(const std::string& text, const OutboundCapabilities& caps) {
  return group_requests(split_text(text, caps.max_text_units), caps.max_messages);
}

result<Composed> compose(crypto::Keyring& keys, const ComposeInput& in, const OutboundCapabilities& caps) {
  Composed out;
  out.row.id = crypto::random_id();
  auto sealed = keys.seal_text(in.tenant_id, out.row.id, in.text);
  if (!sealed) return sealed.error();
  out.key = std::move(sealed->key);
  out.row.tenant_id = in.tenant_id;
  out.row.conversation_id = in.conversation_id;
  out.row.origin = in.origin;
  out.row.author = in.author;
  out.row.in_reply_to = in.in_reply_to;
  out.row.key_id = out.key.key_id;
  out.row.body = std::move(sealed->body);
  out.row.max_attempts = in.max_attempts;
  const auto requests = requests_for(in.text, caps).size();
  for (std::size_t i = 0; i < requests; ++i) out.row.retry_keys.push_back(crypto::random_uuid());
  return out;
}

}  // namespace madoguchi::outbox
