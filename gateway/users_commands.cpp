// `madoguchi users add` and `madoguchi audit verify`: staff accounts and the audit chain.
// The password is read from standard input (first line), never from the command line,
// where other users of the machine could see it.
#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "crypto/keys.hpp"
#include "gateway/commands.hpp"
#include "gateway/console/staff_admin.hpp"
#include "gateway/startup.hpp"
#include "store/schema.hpp"

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
