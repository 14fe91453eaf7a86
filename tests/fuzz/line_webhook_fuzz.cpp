// libFuzzer: the LINE verify + parse path on arbitrary bodies. Each input is checked
// twice: with a wrong signature (must be refused) and with a correct one (so parse runs).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "adapters/common/hmac.hpp"
#include "adapters/line/line_inbound.hpp"

using namespace madoguchi;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Secret secret("fuzz-channel-secret");
  static const adapters::line::LineInbound line("fuzz", [] {
    std::vector<Secret> s;
    s.emplace_back("fuzz-channel-secret");
    return s;
  }());
  std::string body(reinterpret_cast<const char*>(data), size);

  WebhookRequest unsigned_request{"fuzz", {{"x-line-signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}}, body};
  if (line.verify(unsigned_request)) std::abort();  // a forged signature must never pass

  const auto mac = adapters::hmac_sha256(secret, body);
  WebhookRequest signed_request{"fuzz", {{"x-line-signature", adapters::base64_encode(mac)}}, body};
  if (!line.verify(signed_request)) std::abort();
  auto parsed = line.parse(signed_request);
  if (parsed)
    for (const auto& m : *parsed)
      if (m.external_id.empty() || m.event_type.empty()) std::abort();
  return 0;
}
