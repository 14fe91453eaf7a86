// `madoguchi users add` as an administrator uses it: each mistake with its own message and
// nothing created; the password never on the command line, never echoed on a terminal.
#include <gtest/gtest.h>

#include <iterator>
#include <set>

#include "tests/fakes/child_process.hpp"
#include "tests/fakes/sqlite_probe.hpp"
#include "tests/integration/harness.hpp"

namespace madoguchi::testing {
namespace {

constexpr const char* kWindow = "ひきこもり地域支援センター";

struct UsersAdd {
  GatewayHarness h;

  // As after installation: the gateway has run once and created the tenant's keys and store.
  UsersAdd() { EXPECT_TRUE(stopped_cleanly(*h.start())); }

  CommandResult add(const std::string& password_line, std::vector<std::string> options) {
    LaunchOptions l;
    l.program = madoguchi_binary();
    l.args = {"users", "add", "--config", h.config_path().string()};
    l.args.insert(l.args.end(), options.begin(), options.end());
    l.env = h.environment();
    l.stdin_file = h.root() / "password.txt";
    write_file(*l.stdin_file, password_line);
    return run_command(l, std::chrono::seconds(60));
  }
};

TEST(UsersCommand, EachMistakeHasItsOwnMessageAndCreatesNothing) {
  UsersAdd u;
  const std::vector<std::string> counselor{"--username", "tanaka", "--role", "counselor", "--window", kWindow};
  struct Case {
    const char* what;
    std::string input;
    std::vector<std::string> options;
    const char* message;
  } cases[] = {
      {"empty input", "", counselor, "no password given"},
      {"short password", "short\n", counselor, "password too short: 5 characters"},
      {"demo password", "madoguchi-demo-2026\n", counselor, "documented demo password"},
      {"no window", "long-enough-password\n", {"--username", "tanaka", "--role", "counselor"}, "needs at least one window"},
      {"unknown window", "long-enough-password\n", {"--username", "tanaka", "--role", "counselor", "--window", "ない窓口"},
       "no such window: ない窓口"},
      {"bad user name", "long-enough-password\n", {"--username", "ta naka", "--role", "supervisor"}, "user name: 1–64"},
  };
  std::set<std::string> messages;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto r = u.add(c.input, c.options);
    EXPECT_EQ(r.status.code, 1) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("long-enough-password"), std::string::npos) << "the password was repeated";
    messages.insert(r.err);
  }
  EXPECT_EQ(messages.size(), std::size(cases)) << "two mistakes got the same message";
  EXPECT_EQ(SqliteProbe(u.h.database()).scalar("SELECT count(*) FROM staff_users WHERE username = 'tanaka'"), 0);

  auto added = u.add("long-enough-password\n", counselor);
  ASSERT_EQ(added.status.code, 0) << added.err;
  EXPECT_NE(added.out.find("user added: tanaka"), std::string::npos) << added.out;
  auto again = u.add("another-long-password\n", counselor);
  EXPECT_EQ(again.status.code, 1);
  EXPECT_NE(again.err.find("user name already taken: tanaka"), std::string::npos) << again.err;
  SqliteProbe probe(u.h.database());
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM staff_users WHERE username = 'tanaka'"), 1);
}

TEST(UsersCommand, APasswordTypedOnATerminalIsNotEchoed) {
  UsersAdd u;
  const std::string password = "typed-on-a-terminal-7d2f";
  LaunchOptions l;
  l.program = "/usr/bin/python3";
  l.args = {std::string(MADOGUCHI_SOURCE_DIR) + "/tests/integration/tools/on_a_terminal.py", "password (10+ characters):",
            password, madoguchi_binary().string(), "users", "add", "--config", u.h.config_path().string(),
            "--username", "suzuki", "--role", "counselor", "--window", kWindow};
  l.env = u.h.environment();
  auto r = run_command(l, std::chrono::seconds(90));
  EXPECT_EQ(r.status.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("パスワード"), std::string::npos) << "no prompt on the terminal: " << r.out;
  EXPECT_NE(r.out.find("user added: suzuki"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(password), std::string::npos) << "the password was echoed: " << r.out;
}

}  // namespace
}  // namespace madoguchi::testing
