#include "store/data_keys.hpp"

namespace madoguchi::store {

result<std::optional<std::vector<unsigned char>>> DataKeys::sealed_data_key(const std::string& key_id) {
  auto s = db_.prepare("SELECT sealed_key FROM data_keys WHERE key_id = ?");
  s.bind(1, key_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::vector<unsigned char>>();
  auto key = s.column_blob(0);
  s.reset();
  return std::optional<std::vector<unsigned char>>(std::move(key));
}

result<void> DataKeys::keep(const crypto::SealedDataKey& key) {
  return db_.prepare("INSERT INTO data_keys (key_id, tenant_id, sealed_key, created_at_ms) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (key_id) DO NOTHING")
      .bind(1, key.key_id).bind(2, key.tenant_id).bind(3, key.sealed_key).bind(4, key.created_at_ms).run();
}

}  // namespace madoguchi::store
