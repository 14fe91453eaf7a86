// `madoguchi keys init` and `madoguchi stats`: administrator commands that run beside
// (or without) a serving gateway.
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <iostream>

#include "crypto/keys.hpp"
#include "gateway/commands.hpp"
#include "gateway/console/audit.hpp"
#include "gateway/startup.hpp"
#include "store/schema.hpp"
#include "store/stats.hpp"

namespace madoguchi::app {

int keys_init(const std::filesystem::path& config_file, const std::optional<std::string>& tenant) {
  auto config = load_or_report(config_file);
  if (!config) return 2;
  bool found = false;
  int status = 0;
  for (const auto& t : config->tenants) {
    if (tenant && t.id != *tenant) continue;
    found = true;
    if (crypto::tenant_keys_exist(t.keys_dir)) {
      std::cout << t.id << ": 鍵はすでにあります（変更しません） / keys already exist, left unchanged: "
                << t.keys_dir.string() << "\n";
      if (tenant) status = 1;
      continue;
    }
    auto created = crypto::init_tenant_keys(t.keys_dir, t.key_passphrase.view(), crypto::KdfLimits::moderate());
    if (!created) {
      std::cerr << t.id << ": 鍵を作成できません / cannot create keys: " << created.error().message() << "\n";
      status = 1;
      continue;
    }
    std::cout << t.id << ": 鍵を作成しました / keys created: " << t.keys_dir.string() << "\n";
  }
  if (!found) {
    std::cerr << "テナントがありません / no such tenant: " << tenant.value_or("") << "\n";
    return 2;
  }
  return status;
}

namespace {

boost::json::object stats_json(const store::Stats& s) {
  boost::json::array events;
  for (const auto& [key, count] : s.events)
    events.push_back({{"channel", key.first}, {"type", key.second}, {"count", count}});
  boost::json::object jobs;
  for (const auto& [state, count] : s.jobs_by_state) jobs[state] = count;
  return {{"events", std::move(events)},
          {"conversations", s.conversations},
          {"contacts", s.contacts},
          {"duplicates_refused", s.duplicates_refused},
          {"signature_failures", s.signature_failures},
          {"jobs", std::move(jobs)}};
}

void print_table(const store::Stats& s) {
  std::cout << "受信イベント / events received\n";
  for (const auto& [key, count] : s.events)
    std::cout << "  " << key.first << "\t" << key.second << "\t" << count << "\n";
  std::cout << "会話 / conversations\t" << s.conversations << "\n"
            << "相談者 / contacts\t" << s.contacts << "\n"
            << "重複として拒否 / duplicates refused\t" << s.duplicates_refused << "\n"
            << "署名エラー / signature failures\t" << s.signature_failures << "\n"
            << "ジョブ / jobs\n";
  for (const auto& [state, count] : s.jobs_by_state) std::cout << "  " << state << "\t" << count << "\n";
}

}  // namespace

int stats(const std::filesystem::path& config_file, bool json) {
  auto config = load_or_report(config_file, config::Secrets::skip);
  if (!config) return 2;
  try {
    if (!std::filesystem::exists(config->store.database)) {
      std::cerr << "データベースがありません / no database yet: " << config->store.database.string() << "\n";
      return 1;
    }
    store::Database db(database_options(*config, /*read_only=*/true));
    if (store::schema_version(db) != store::latest_schema_version()) {
      std::cerr << "データベースのスキーマが古いか新しすぎます。serve を一度起動してください / "
                   "schema version mismatch: start `madoguchi serve` once to migrate\n";
      return 1;
    }
    auto computed = store::compute_stats(db);
    if (!computed) {
      std::cerr << "集計できません / cannot compute stats: " << computed.error().message() << "\n";
      return 1;
    }
    if (json)
      std::cout << boost::json::serialize(stats_json(*computed)) << "\n";
    else
      print_table(*computed);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "集計できません / cannot compute stats: " << e.what() << "\n";
    return 1;
  }
}

int audit_verify(const std::filesystem::path& config_file) {
  auto config = load_or_report(config_file, config::Secrets::skip);
  if (!config) return 2;
  try {
    store::Database db(database_options(*config, true));
    if (store::schema_version(db) != store::latest_schema_version()) {
      std::cerr << "スキーマが一致しません。serve を一度起動してください / schema mismatch: start `madoguchi serve` once\n";
      return 1;
    }
    auto key = console::load_audit_key(config->console.audit_key_file, false);
    auto report = console::verify_audit(db, key);
    if (!report) {
      std::cerr << "監査ログを読めません / cannot read the audit log: " << report.error().message() << "\n";
      return 1;
    }
    if (!report->intact) {
      std::cout << "監査ログが改ざんされています / audit log TAMPERED at entry " << report->first_bad_seq << ": "
                << report->problem << "\n";
      return 1;
    }
    std::cout << "監査ログは改ざんされていません / audit log intact: " << report->entries << " entries, head "
              << report->head << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "監査ログを検証できません / cannot verify the audit log: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace madoguchi::app
