// `madoguchi users add|list|disable|enable|reset-password|reset-totp`: staff accounts until the
// administrator's pages offer the same. A password is read from standard input (first line),
// never from the command line, where other users of the machine could see it. Each command
// reads only the secrets it uses: the counselor keys only to seal a TOTP secret.
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "crypto/keys.hpp"
#include "gateway/commands.hpp"
#include "gateway/console/staff_admin.hpp"
#include "gateway/startup.hpp"
#include "gateway/console/staff_changes.hpp"
#include "store/schema.hpp"
#include "store/staff_store.hpp"

namespace madoguchi::app {
namespace {

// Echo off while a person types the password on a terminal, restored however reading ends.
class EchoOff {
 public:
  EchoOff() : active_(::tcgetattr(STDIN_FILENO, &saved_) == 0) {
    if (!active_) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (!active_) return;
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
    std::cerr << "\n";  // the Enter the person typed was not echoed either
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

// The first line of standard input: typed without echo on a terminal, or piped.
std::string read_password() {
  std::string line;
  if (::isatty(STDIN_FILENO)) {
    EchoOff quiet;  // before the prompt: whatever is typed after it is never echoed
    std::cerr << "パスワード（10文字以上） / password (10+ characters): " << std::flush;
    std::getline(std::cin, line);
  } else {
    std::getline(std::cin, line);
  }
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  return line;
}

std::string_view role_label(const std::string& role) {
  if (role == "counselor") return "相談員";
  if (role == "supervisor") return "スーパーバイザー";
  if (role == "admin") return "管理者";
  return role;
}

// Whether the store exists and is migrated (`serve` creates and migrates it).
bool store_ready(const config::Config& config) {
  if (!std::filesystem::exists(config.store.database)) {
    std::cerr << "データベースがありません。serve を一度起動してください / no database yet: start `madoguchi serve` once\n";
    return false;
  }
  store::Database db(database_options(config, true));
  if (store::schema_version(db) == store::latest_schema_version()) return true;
  std::cerr << "スキーマが一致しません。serve を一度起動してください / schema mismatch: start `madoguchi serve` once\n";
  return false;
}

// The message for a change that could not be made.
int report_failure(const auto& e, const std::string& username) {
  if (e == errc::unknown_account)
    std::cerr << "この自治体にそのユーザーはいません / no such user in this tenant: " << username << "\n";
  else
    std::cerr << "変更できません / cannot change the account: " << e.message() << "\n";
  return 1;
}

}  // namespace

int users_add(const std::filesystem::path& config_file, const UserAddOptions& o) {
  auto config = load_or_report(config_file);
  if (!config) return 2;
  const auto* tenant = tenant_or_report(*config, o.tenant);
  if (!tenant) return 2;
  // Each mistake with its own message, before anything is created.
  console::NewStaff staff{tenant->id, o.username, o.role, o.windows, read_password(), o.totp};
  if (auto problem = console::new_staff_problem(staff, tenant->windows); !problem.empty()) {
    std::cerr << problem << "\n";
    return 1;
  }
  try {
    ensure_data_dir(*config);
    prepare_store(*config);
    SystemClock clock;
    crypto::Keyring keys(clock);
    load_counselor_keys(*config, keys);
    store::Database db(database_options(*config));
    console::AuditLog audit(db, console::load_audit_key(config->console.audit_key_file, true), clock);
    auto created = console::add_staff(db, keys, audit, staff, "cli", crypto::KdfLimits::moderate(), clock);
    if (!created) {
      if (created.error() == errc::already_exists)
        std::cerr << "このユーザー名は使われています / user name already taken: " << o.username << "\n";
      else if (created.error() == errc::invalid_input)  // checked above against the configuration's windows
        std::cerr << "窓口がデータベースの内容と一致しません / the store's windows differ from the configuration's\n";
      else
        std::cerr << "ユーザーを作成できません / cannot add the user: " << created.error().message() << "\n";
      return 1;
    }
    std::cout << "ユーザーを作成しました / user added: " << o.username << " (" << o.role << ")\n";
    if (!created->totp_uri.empty())
      std::cout << "認証アプリに登録してください / add to an authenticator app:\n" << created->totp_uri << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "ユーザーを作成できません / cannot add the user: " << e.what() << "\n";
    return 1;
  }
}

int users_list(const std::filesystem::path& config_file, const std::optional<std::string>& tenant_id) {
  auto config = load_or_report(config_file, config::Secrets::skip);
  if (!config) return 2;
  const auto* tenant = tenant_or_report(*config, tenant_id);
  if (!tenant) return 2;
  try {
    if (!store_ready(*config)) return 1;
    store::Database db(database_options(*config, true));
    store::StaffStore store(db);
    auto windows = store.windows(tenant->id);
    auto users = store.accounts(tenant->id);
    if (!windows || !users) {
      std::cerr << "一覧を読めません / cannot read the accounts\n";
      return 1;
    }
    const auto now = SystemClock().now_ms();
    std::cout << "ユーザー名\t役割\t担当窓口\t二要素認証\t状態\n";
    for (const auto& u : *users) {
      std::string names;
      for (auto id : u.window_ids)
        for (const auto& w : *windows)
          if (w.id == id) names += (names.empty() ? "" : "、") + w.name;
      const std::string state = u.disabled                ? "無効"
                                : u.locked_until_ms > now ? "ロック中（ログイン失敗 " + std::to_string(u.failed_logins) + "回）"
                                                          : "有効";
      std::cout << u.username << "\t" << role_label(u.role) << "\t" << (names.empty() ? "（すべて）" : names) << "\t"
                << (u.totp_key_id.empty() ? "なし" : "あり") << "\t" << state << "\n";
    }
    std::cout << users->size() << "件\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "一覧を読めません / cannot read the accounts: " << e.what() << "\n";
    return 1;
  }
}

int users_change(const std::filesystem::path& config_file, const UserChangeOptions& o) {
  const bool totp = o.change == UserChange::reset_totp;
  auto config = load_or_report(config_file, totp ? config::Secrets::read : config::Secrets::skip);
  if (!config) return 2;
  const auto* tenant = tenant_or_report(*config, o.tenant);
  if (!tenant) return 2;
  std::string password;
  if (o.change == UserChange::reset_password) {
    password = read_password();
    if (auto problem = console::password_problem(password); !problem.empty()) {
      std::cerr << problem << "\n";
      return 1;
    }
  }
  try {
    if (!store_ready(*config)) return 1;
    store::Database db(database_options(*config));
    SystemClock clock;
    console::AuditLog audit(db, console::load_audit_key(config->console.audit_key_file, false), clock);
    const console::StaffTarget who{tenant->id, o.username, "cli"};
    if (totp) {
      crypto::Keyring keys(clock);
      load_counselor_keys(*config, keys);
      auto created = console::reset_staff_totp(db, keys, audit, who);
      if (!created) return report_failure(created.error(), o.username);
      std::cout << "二要素認証を再設定しました。以前のコードは使えません / new second factor for " << o.username
                << "; the old one no longer works\n認証アプリに登録してください / add to an authenticator app:\n"
                << created->totp_uri << "\n";
      return 0;
    }
    auto ended = o.change == UserChange::reset_password
                     ? console::reset_staff_password(db, audit, who, password, crypto::KdfLimits::moderate())
                     : console::set_staff_disabled(db, audit, who, o.change == UserChange::disable);
    if (!ended) return report_failure(ended.error(), o.username);
    switch (o.change) {
      case UserChange::disable: std::cout << "ユーザーを無効にしました / user disabled: "; break;
      case UserChange::enable: std::cout << "ユーザーを有効にしました / user enabled: "; break;
      default: std::cout << "パスワードを再設定しました / password reset: "; break;
    }
    std::cout << o.username;
    if (*ended > 0) std::cout << "（ログイン中のセッション " << *ended << "件を終了 / " << *ended << " session(s) ended）";
    std::cout << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "変更できません / cannot change the account: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace madoguchi::app
