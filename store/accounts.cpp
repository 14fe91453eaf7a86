#include "store/accounts.hpp"

namespace madoguchi::store {
namespace {

result<void> sync_in_transaction(Database& db, const std::vector<TenantSpec>& tenants,
                                 const std::vector<AccountSpec>& accounts, AccountIds& ids) {
  auto tenant = db.prepare("INSERT INTO tenants (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name");
  auto window = db.prepare("INSERT INTO windows (tenant_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING");
  for (const auto& t : tenants) {
    if (auto r = tenant.bind(1, t.id).bind(2, t.name).run(); !r) return r;
    for (const auto& w : t.windows)
      if (auto r = window.bind(1, t.id).bind(2, w).run(); !r) return r;
  }
  auto insert = db.prepare("INSERT INTO channel_accounts (tenant_id, channel, name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
  auto select = db.prepare("SELECT id, tenant_id FROM channel_accounts WHERE channel = ? AND name = ?");
  for (const auto& a : accounts) {
    if (auto r = insert.bind(1, a.tenant_id).bind(2, a.channel).bind(3, a.name).run(); !r) return r;
    select.bind(1, a.channel).bind(2, a.name);
    auto row = select.step();
    if (!row) return row.error();
    // Moving an account to another tenant would hand its history to another municipality.
    if (!*row || select.column_text(1) != a.tenant_id) {
      select.reset();
      return errc::config_invalid;
    }
    ids[{a.channel, a.name}] = select.column_int(0);
    select.reset();
  }
  return {};
}

}  // namespace

result<AccountIds> sync_accounts(Database& db, const std::vector<TenantSpec>& tenants,
                                 const std::vector<AccountSpec>& accounts) {
  if (auto r = db.exec("BEGIN IMMEDIATE"); !r) return r.error();
  AccountIds ids;
  auto synced = sync_in_transaction(db, tenants, accounts, ids);
  if (!synced) {
    db.rollback();
    return synced.error();
  }
  if (auto r = db.exec("COMMIT"); !r) return r.error();
  return ids;
}

}  // namespace madoguchi::store
