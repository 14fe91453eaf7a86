#pragma once
// The store's data_keys table as the keyring's lookup: every stage that opens sealed
// content (outbox, triage, console) reads keys through this, not through another stage's
// store. Not thread-safe: one owner thread, like its Database.
#include "crypto/sealed_key.hpp"
#include "store/database.hpp"

namespace madoguchi::store {

class DataKeys final : public crypto::DataKeySource {
 public:
  explicit DataKeys(Database& db) : db_(db) {}
  [[nodiscard]] result<std::optional<std::vector<unsigned char>>> sealed_data_key(const std::string& key_id) override;
  // Keeps a newly sealed data key (a key already kept is left as it is). In the caller's
  // transaction, with the row sealed under it.
  [[nodiscard]] result<void> keep(const crypto::SealedDataKey& key);

 private:
  Database& db_;
};

}  // namespace madoguchi::store
