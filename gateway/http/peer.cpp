#include "gateway/http/peer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>

#include <string>

namespace madoguchi::http {

bool is_loopback_peer(std::string_view address) {
  const std::string text(address);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

bool metrics_allowed(std::string_view peer_address, std::string_view authorization, std::string_view token) {
  if (is_loopback_peer(peer_address)) return true;
  constexpr std::string_view kBearer = "Bearer ";
  if (token.empty() || authorization.substr(0, kBearer.size()) != kBearer) return false;
  const auto given = authorization.substr(kBearer.size());
  return given.size() == token.size() && CRYPTO_memcmp(given.data(), token.data(), token.size()) == 0;
}

}  // namespace madoguchi::http
