// madoguchi: command line. The composition of each command lives in serve.cpp and
// admin_commands.cpp.
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

  CLI11_PARSE(app, argc, argv);
  if (serve->parsed()) return madoguchi::app::serve(config);
  if (keys_init->parsed()) return madoguchi::app::keys_init(config, tenant);
  if (stats->parsed()) return madoguchi::app::stats(config, json);
  return 2;
}
