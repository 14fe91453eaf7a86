#pragma once
// Makes the tenants, windows and channel accounts of the configuration exist in the store,
// and returns the row ids the ingest stage needs. Called once at start-up.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "store/database.hpp"

namespace madoguchi::store {

struct TenantSpec {
  std::string id;
  std::string name;
  std::vector<std::string> windows;
};

struct AccountSpec {
  std::string tenant_id;
  std::string channel;
  std::string name;
};

// (channel, account name) → channel_accounts.id
using AccountIds = std::map<std::pair<std::string, std::string>, std::int64_t>;

[[nodiscard]] result<AccountIds> sync_accounts(Database& db, const std::vector<TenantSpec>& tenants,
                                 const std::vector<AccountSpec>& accounts);

}  // namespace madoguchi::store
