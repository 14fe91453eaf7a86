#pragma once
// A data key as the store keeps it (sealed to the tenant's public key), and where the
// keyring looks such keys up. Plain types: the store implements the lookup, the keyring
// uses it, neither includes the other.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/errc.hpp"

namespace madoguchi::crypto {

struct SealedDataKey {
  std::string key_id;  // crypto::DataKey::key_id
  std::string tenant_id;
  std::vector<unsigned char> sealed_key;
  std::int64_t created_at_ms = 0;
};

class DataKeySource {
 public:
  virtual ~DataKeySource() = default;
  // The sealed key, nullopt when there is none with this id.
  [[nodiscard]] virtual result<std::optional<std::vector<unsigned char>>> sealed_data_key(const std::string& key_id) = 0;
};

}  // namespace madoguchi::crypto
