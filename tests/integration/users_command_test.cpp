// `madoguchi users …` as an administrator uses it: each mistake with its own message and
// nothing created; the password never on the command line, never echoed on a terminal;
// disabling and resets take effect on a running gateway, end the person's sessions and are
// audited.
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

  // `madoguchi users <command> --config … <options>` with `input` on standard input.
  CommandResult users(const std::string& command, const std::string& input, std::vector<std::string> options) {
    LaunchOptions l;
    l.program = madoguchi_binary();
    l.args = {"users", command, "--config", h.config_path().string()};
    l.args.insert(l.args.end(), options.begin(), options.end());
    l.env = h.environment();
    l.stdin_file = h.root() / "stdin.txt";
    write_file(*l.stdin_file, input);
    return run_command(l, std::chrono::seconds(60));
  }
  CommandResult add(const std::string& password_line, std::vector<std::string> options) {
    return users("add", password_line, std::move(options));
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

// The code an authenticator app shows for the otpauth:// URI now (RFC 6238, computed by Python's
// hmac, not by the gateway's code).
std::string authenticator_code(const std::string& uri) {
  const auto at = uri.find("secret=");
  if (at == std::string::npos) return "";
  const auto secret = uri.substr(at + 7, uri.find('&', at) - at - 7);
  LaunchOptions l;
  l.program = "/usr/bin/python3";
  l.args = {"-c",
            "import base64,hmac,hashlib,struct,sys,time\n"
            "s=sys.argv[1]; k=base64.b32decode(s+'='*(-len(s)%8))\n"
            "d=hmac.new(k,struct.pack('>Q',int(time.time())//30),hashlib.sha1).digest(); o=d[-1]&15\n"
            "print('%06d'%((struct.unpack('>I',d[o:o+4])[0]&0x7fffffff)%1000000))",
            secret};
  auto r = run_command(l, std::chrono::seconds(30));
  return r.status.code == 0 ? r.out.substr(0, 6) : "";
}

TEST(UsersCommand, DisableEnableAndResetsTakeEffectOnARunningGatewayAndAreAudited) {
  UsersAdd u;
  const std::vector<std::string> tanaka{"--username", "tanaka"};
  ASSERT_EQ(u.add("first-password-2026\n", {"--username", "tanaka", "--role", "counselor", "--window", kWindow}).status.code, 0);
  auto gateway = u.h.start();
  HttpClient client(gateway->port());
  auto signed_in = [&](const ConsoleSession& s) {
    auto r = client.request("GET", "/api/session", {}, {{"Cookie", s.cookie}});
    return r && r->status == 200;
  };
  auto list_line = [&] {
    auto r = u.users("list", "", {});
    EXPECT_EQ(r.status.code, 0) << r.err;
    const auto at = r.out.find("\ntanaka\t");
    return at == std::string::npos ? std::string() : r.out.substr(at + 1, r.out.find('\n', at + 1) - at - 1);
  };
  auto first = console_login(client, "tanaka", "first-password-2026");
  ASSERT_TRUE(signed_in(first));
  EXPECT_EQ(list_line(), std::string("tanaka\t相談員\t") + kWindow + "\tなし\t有効");

  // Disabled: the open session ends at once, a new login is refused.
  auto disabled = u.users("disable", "", tanaka);
  EXPECT_EQ(disabled.status.code, 0) << disabled.err;
  EXPECT_NE(disabled.out.find("user disabled: tanaka"), std::string::npos) << disabled.out;
  EXPECT_NE(disabled.out.find("1 session(s) ended"), std::string::npos) << disabled.out;
  EXPECT_FALSE(signed_in(first));
  EXPECT_TRUE(console_login(client, "tanaka", "first-password-2026").cookie.empty());
  EXPECT_EQ(list_line(), std::string("tanaka\t相談員\t") + kWindow + "\tなし\t無効");

  // Enabled again: the same password works.
  EXPECT_EQ(u.users("enable", "", tanaka).status.code, 0);
  auto second = console_login(client, "tanaka", "first-password-2026");
  EXPECT_TRUE(signed_in(second));

  // A new password: refused when too short (nothing changes), else the old one stops working.
  auto short_one = u.users("reset-password", "short\n", tanaka);
  EXPECT_EQ(short_one.status.code, 1);
  EXPECT_NE(short_one.err.find("password too short"), std::string::npos) << short_one.err;
  EXPECT_TRUE(signed_in(second));
  auto reset = u.users("reset-password", "second-password-2026\n", tanaka);
  EXPECT_EQ(reset.status.code, 0) << reset.err;
  EXPECT_EQ(reset.out.find("second-password-2026"), std::string::npos) << "the password was repeated";
  EXPECT_FALSE(signed_in(second));
  EXPECT_TRUE(console_login(client, "tanaka", "first-password-2026").cookie.empty());
  auto third = console_login(client, "tanaka", "second-password-2026");
  EXPECT_TRUE(signed_in(third));

  // A second factor: the password alone no longer signs in; the new authenticator's code does.
  auto totp = u.users("reset-totp", "", tanaka);
  EXPECT_EQ(totp.status.code, 0) << totp.err;
  const auto uri_at = totp.out.find("otpauth://totp/");
  ASSERT_NE(uri_at, std::string::npos) << totp.out;
  const auto uri = totp.out.substr(uri_at, totp.out.find('\n', uri_at) - uri_at);
  EXPECT_FALSE(signed_in(third));
  EXPECT_TRUE(console_login(client, "tanaka", "second-password-2026").cookie.empty());
  auto with_code = console_login(client, "tanaka", "second-password-2026", authenticator_code(uri));
  EXPECT_TRUE(signed_in(with_code));
  EXPECT_EQ(list_line(), std::string("tanaka\t相談員\t") + kWindow + "\tあり\t有効");

  auto nobody = u.users("disable", "", {"--username", "nobody"});
  EXPECT_EQ(nobody.status.code, 1);
  EXPECT_NE(nobody.err.find("no such user in this tenant: nobody"), std::string::npos) << nobody.err;

  SqliteProbe probe(u.h.database());
  EXPECT_EQ(probe.scalar("SELECT count(*) FROM audit_events WHERE actor = 'cli' AND target = 'staff:tanaka' AND action IN "
                         "('staff_disable', 'staff_enable', 'staff_password_reset', 'staff_totp_reset')"),
            4);
  EXPECT_TRUE(stopped_cleanly(*gateway));
  auto verify = u.h.run({"audit", "verify", "--config", u.h.config_path().string()});
  EXPECT_EQ(verify.status.code, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace madoguchi::testing
