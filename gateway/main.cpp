// madoguchi: command line. The composition of each command lives in serve.cpp,
// admin_commands.cpp, outbox_commands.cpp, users_commands.cpp and triage_commands.cpp.
#include <CLI/CLI.hpp>

#include "gateway/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"madoguchi — ひきこもり相談窓口のための安全なメッセージ受付ゲートウェイ\n"
               "secure messaging gateway for municipal hikikomori support windows"};
  app.require_subcommand(1);

  std::filesystem::path config;
  auto* serve = app.add_subcommand("serve", "ゲートウェイを起動します / run the gateway");
  serve->add_option("--config", config, "TOML configuration file")->required();

  std::optional<std::string> tenant;
  auto* keys = app.add_subcommand("keys", "鍵の管理 / key management");
  keys->require_subcommand(1);
  auto* keys_init = keys->add_subcommand("init", "テナント鍵を作成します / create tenant keys");
  keys_init->add_option("--config", config, "TOML configuration file")->required();
  keys_init->add_option("--tenant", tenant, "tenant id (default: every tenant without keys)");

  bool json = false;
  auto* stats = app.add_subcommand("stats", "件数の集計（内容を含みません） / content-free counts");
  stats->add_option("--config", config, "TOML configuration file")->required();
  stats->add_flag("--json", json, "JSON output");

  std::string state;
  std::int64_t job = 0;
  auto* outbox = app.add_subcommand("outbox", "送信待ち・送信失敗の管理 / stuck or dead-lettered replies");
  outbox->require_subcommand(1);
  auto* outbox_list = outbox->add_subcommand("list", "送信ジョブの一覧（内容を含みません） / list jobs, without content");
  outbox_list->add_option("--config", config, "TOML configuration file")->required();
  outbox_list->add_option("--state", state, "ready, leased, dead, done or cancelled (default: unfinished and dead)")
      ->check(CLI::IsMember({"ready", "leased", "dead", "done", "cancelled"}));
  auto* outbox_retry = outbox->add_subcommand("retry", "ジョブを再送します（同じ再送キー） / send a job again (same retry key)");
  outbox_retry->add_option("--config", config, "TOML configuration file")->required();
  outbox_retry->add_option("job", job, "job id (from `outbox list`)")->required();
  auto* outbox_cancel = outbox->add_subcommand("cancel", "ジョブを取り消します / cancel a job that is not being sent");
  outbox_cancel->add_option("--config", config, "TOML configuration file")->required();
  outbox_cancel->add_option("job", job, "job id (from `outbox list`)")->required();

  madoguchi::app::UserAddOptions user;
  auto* users = app.add_subcommand("users", "職員アカウント / staff accounts");
  users->require_subcommand(1);
  auto* users_add = users->add_subcommand("add", "職員を追加します（パスワードは標準入力から） / add staff (password on stdin)");
  users_add->add_option("--config", config, "TOML configuration file")->required();
  users_add->add_option("--tenant", user.tenant, "tenant id (default: the first tenant)");
  users_add->add_option("--username", user.username, "user name")->required();
  users_add->add_option("--role", user.role, "counselor, supervisor or admin")
      ->required()->check(CLI::IsMember({"counselor", "supervisor", "admin"}));
  users_add->add_option("--window", user.windows, "window name (repeat for several)");
  users_add->add_flag("--totp", user.totp, "require a TOTP code (prints the otpauth:// URI)");
  auto* users_list = users->add_subcommand("list", "職員の一覧（無効なアカウントも） / list accounts, disabled ones too");
  users_list->add_option("--config", config, "TOML configuration file")->required();
  users_list->add_option("--tenant", user.tenant, "tenant id (default: the first tenant)");
  madoguchi::app::UserChangeOptions change;
  using madoguchi::app::UserChange;
  struct ChangeCommand {
    const char* name;
    const char* help;
    UserChange change;
  };
  std::vector<std::pair<CLI::App*, UserChange>> changes;
  for (const auto& c : {
           ChangeCommand{"disable", "アカウントを無効にします（ログイン中なら終了） / disable, ending open sessions", UserChange::disable},
           ChangeCommand{"enable", "アカウントを有効に戻します（ロックも解除） / enable again, lifting a lock", UserChange::enable},
           ChangeCommand{"reset-password", "パスワードを再設定します（標準入力から） / new password from stdin", UserChange::reset_password},
           ChangeCommand{"reset-totp", "二要素認証を再設定します / new TOTP secret (prints the otpauth:// URI)", UserChange::reset_totp},
       }) {
    auto* sub = users->add_subcommand(c.name, c.help);
    sub->add_option("--config", config, "TOML configuration file")->required();
    sub->add_option("--tenant", change.tenant, "tenant id (default: the first tenant)");
    sub->add_option("--username", change.username, "user name")->required();
    changes.emplace_back(sub, c.change);
  }

  auto* audit = app.add_subcommand("audit", "監査ログ / audit log");
  audit->require_subcommand(1);
  auto* audit_verify = audit->add_subcommand("verify", "改ざんの検出 / detect changed, inserted or removed entries");
  audit_verify->add_option("--config", config, "TOML configuration file")->required();

  std::optional<std::string> triage_tenant;
  auto* triage = app.add_subcommand("triage", "緊急度の判定（JSON Lines を標準入力から） / triage JSON Lines from stdin");
  triage->add_option("--config", config, "TOML configuration file")->required();
  triage->add_option("--tenant", triage_tenant, "tenant id (default: the first tenant)");

  std::filesystem::path set;
  bool list_errors = false;
  auto* eval = app.add_subcommand("eval", "判定の評価（ラベル付きデータ） / evaluate triage on a labelled set");
  eval->add_option("--config", config, "TOML configuration file")->required();
  eval->add_option("--set", set, "labelled JSON Lines (tests/fixtures/triage/devset.jsonl)")->required();
  eval->add_flag("--errors", list_errors, "list every wrong label");

  std::string window, from, to;
  auto* calendar = app.add_subcommand("calendar", "開所日・休業日 / open and closed days of a window");
  calendar->add_option("--config", config, "TOML configuration file")->required();
  calendar->add_option("--tenant", triage_tenant, "tenant id (default: the first tenant)");
  calendar->add_option("--window", window, "window name")->required();
  calendar->add_option("--from", from, "first date, YYYY-MM-DD")->required();
  calendar->add_option("--to", to, "last date, YYYY-MM-DD")->required();

  CLI11_PARSE(app, argc, argv);
  if (triage->parsed()) return madoguchi::app::triage(config, triage_tenant);
  if (eval->parsed()) return madoguchi::app::eval(config, set, list_errors);
  if (calendar->parsed()) return madoguchi::app::calendar(config, triage_tenant, window, from, to);
  if (users_add->parsed()) return madoguchi::app::users_add(config, user);
  if (users_list->parsed()) return madoguchi::app::users_list(config, user.tenant);
  for (const auto& [sub, kind] : changes)
    if (sub->parsed()) {
      change.change = kind;
      return madoguchi::app::users_change(config, change);
    }
  if (audit_verify->parsed()) return madoguchi::app::audit_verify(config);
  if (serve->parsed()) return madoguchi::app::serve(config);
  if (keys_init->parsed()) return madoguchi::app::keys_init(config, tenant);
  if (stats->parsed()) return madoguchi::app::stats(config, json);
  if (outbox_list->parsed()) return madoguchi::app::outbox_list(config, state);
  if (outbox_retry->parsed()) return madoguchi::app::outbox_retry(config, job);
  if (outbox_cancel->parsed()) return madoguchi::app::outbox_cancel(config, job);
  return 2;
}
