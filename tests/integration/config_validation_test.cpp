// An invalid configuration: exit code 2, every error on stderr as "FILE: key: reason",
// secrets never echoed, and nothing started (no listening line, no data directory).
#include <gtest/gtest.h>

#include <sstream>

#include "tests/fakes/child_process.hpp"
#include "tests/fakes/temp_dir.hpp"
#include "tests/integration/harness.hpp"

namespace madoguchi::testing {
namespace {

constexpr std::string_view kInlineSecret = "inline-secret-6f1d2c";

// Six independent mistakes; the passphrase variable is deliberately left unset.
std::string invalid_config(const std::filesystem::path& data_dir) {
  std::ostringstream toml;
  toml << "[server]\n"
       << "listen = \"127.0.0.1:0\"\n"
       << "threads = 0\n"  // 1..64
       << "[store]\n"
       << "data_dir = \"" << data_dir.string() << "\"\n"
       << "colour = \"blue\"\n"  // unknown key
       << "[logging]\n"
       << "level = \"loud\"\n"
       << "[[tenants]]\n"
       << "id = \"Not Valid!\"\n"
       << "name = \"デモ市\"\n"
       << "key_passphrase = { env = \"MADOGUCHI_TEST_UNSET_PASSPHRASE\" }\n"
       << "[[channels]]\ntype = \"line\"\n"
       << "name = \"demo\"\n"
       << "tenant = \"nobody\"\n"
       << "channel_secrets = [{ env = \"MADOGUCHI_LINE_CHANNEL_SECRET\" }]\n"
       << "access_token = \"" << kInlineSecret << "\"\n";  // secrets never inline
  return toml.str();
}

const std::vector<std::string> kExpectedKeys{"server.threads", "store.colour", "logging.level", "tenants[0].id",
                                             "tenants[0].key_passphrase", "channels[0].tenant",
                                             "channels[0].access_token"};

// `reads_secrets`: a command that uses no secret (stats) does not miss the unset passphrase.
void expect_every_error_listed(const std::filesystem::path& file, const std::string& err, bool reads_secrets) {
  std::vector<std::string> lines;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  for (const auto& key : kExpectedKeys) {
    if (!reads_secrets && key == "tenants[0].key_passphrase") continue;
    const auto prefix = file.string() + ": " + key + ":";
    bool found = false;
    for (const auto& line : lines) found = found || line.starts_with(prefix);
    EXPECT_TRUE(found) << "no \"" << prefix << " <reason>\" line in:\n" << err;
  }
  EXPECT_EQ(err.find("MADOGUCHI_TEST_UNSET_PASSPHRASE") != std::string::npos, reads_secrets)
      << "the missing variable is named exactly when the command reads secrets";
  EXPECT_EQ(err.find(kInlineSecret), std::string::npos) << "a secret was echoed";
}

TEST(GatewayConfigValidation, InvalidConfigExits2ListingEveryErrorAndStartsNothing) {
  TempDir dir;
  const auto config = dir / "bad.toml";
  const auto data_dir = dir / "data";
  write_file(config, invalid_config(data_dir));
  LaunchOptions o;
  o.program = madoguchi_binary();
  o.env = {"MADOGUCHI_LINE_CHANNEL_SECRET=0123456789abcdef"};

  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"serve", "--config", config.string()},
        std::vector<std::string>{"stats", "--config", config.string(), "--json"},
        std::vector<std::string>{"keys", "init", "--config", config.string()}}) {
    SCOPED_TRACE(args[0]);
    o.args = args;
    auto r = run_command(o, std::chrono::seconds(30));
    EXPECT_TRUE(r.status.exited) << r.status.describe() << " (a hang means it started anyway)";
    EXPECT_EQ(r.status.code, 2) << r.err;
    EXPECT_EQ(r.out.find("listening on"), std::string::npos) << r.out;
    expect_every_error_listed(config, r.err, args[0] != "stats");
    EXPECT_FALSE(std::filesystem::exists(data_dir)) << "a data directory was created for an invalid config";
  }
}

// The demo's configuration with none of its secrets in the environment: the commands that use
// no secret run; serve and keys init name every missing variable.
TEST(GatewayConfigValidation, CommandsThatUseNoSecretRunWithoutThem) {
  TempDir dir;
  LaunchOptions o;
  o.program = madoguchi_binary();
  o.env = {"MADOGUCHI_DATA_DIR=" + (dir / "data").string()};
  const std::string demo = std::string(MADOGUCHI_SOURCE_DIR) + "/config/demo.toml";
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--config", demo});
    o.args = std::move(args);
    return run_command(o, std::chrono::seconds(60));
  };
  auto calendar = run({"calendar", "--window", "ひきこもり地域支援センター", "--from", "2027-01-01", "--to", "2027-01-04"});
  EXPECT_EQ(calendar.status.code, 0) << calendar.err;
  EXPECT_NE(calendar.out.find("2027-01-01 closed"), std::string::npos) << calendar.out;
  EXPECT_NE(calendar.out.find("2027-01-04 open"), std::string::npos) << calendar.out;
  o.stdin_file = dir / "in.jsonl";
  write_file(*o.stdin_file, "{\"id\":1,\"text\":\"今から飛び降りる\"}\n");
  auto triage = run({"triage"});
  EXPECT_EQ(triage.status.code, 0) << triage.err;
  EXPECT_NE(triage.out.find("緊急"), std::string::npos) << triage.out;
  o.stdin_file.reset();
  // No database yet: its own answer (1), not a configuration error (2).
  auto stats = run({"stats"});
  EXPECT_EQ(stats.status.code, 1) << stats.err;
  EXPECT_NE(stats.err.find("no database yet"), std::string::npos) << stats.err;
  auto outbox = run({"outbox", "list"});
  EXPECT_EQ(outbox.status.code, 1) << outbox.err;
  EXPECT_NE(outbox.err.find("no database yet"), std::string::npos) << outbox.err;
  for (const std::vector<std::string>& args : {std::vector<std::string>{"serve"}, std::vector<std::string>{"keys", "init"}}) {
    auto r = run(args);
    EXPECT_EQ(r.status.code, 2) << args[0] << ": " << r.err;
    for (const char* variable : {"MADOGUCHI_KEY_PASSPHRASE", "MADOGUCHI_LINE_CHANNEL_SECRET", "MADOGUCHI_LINE_ACCESS_TOKEN",
                                 "MADOGUCHI_EMAIL_THREAD_SECRET", "MADOGUCHI_DEMO_PASSWORD"})
      EXPECT_NE(r.err.find(variable), std::string::npos) << args[0] << " does not name " << variable;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "data")) << "a command without its secrets created the data directory";
}

TEST(GatewayConfigValidation, TomlSyntaxErrorExits2WithPosition) {
  TempDir dir;
  const auto config = dir / "broken.toml";
  write_file(config, "[server]\nlisten = \"127.0.0.1:0\n[store]\n");
  LaunchOptions o;
  o.program = madoguchi_binary();
  o.args = {"serve", "--config", config.string()};
  auto r = run_command(o, std::chrono::seconds(30));
  EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.status.describe() << "\n" << r.err;
  EXPECT_NE(r.err.find(config.string() + ": "), std::string::npos) << r.err;
  // The unterminated string is on line 2; the path itself may hold digits.
  auto without_path = r.err;
  for (auto at = without_path.find(config.string()); at != std::string::npos; at = without_path.find(config.string()))
    without_path.erase(at, config.string().size());
  EXPECT_NE(without_path.find('2'), std::string::npos) << "no line number in: " << r.err;
  EXPECT_EQ(r.out.find("listening on"), std::string::npos);
}

TEST(GatewayConfigValidation, MissingConfigFileExits2) {
  TempDir dir;
  LaunchOptions o;
  o.program = madoguchi_binary();
  o.args = {"serve", "--config", (dir / "absent.toml").string()};
  auto r = run_command(o, std::chrono::seconds(30));
  EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.status.describe() << "\n" << r.err;
  EXPECT_NE(r.err.find("absent.toml"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace madoguchi::testing
