#include "store/database.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>

namespace madoguchi::store {

boost::system::error_code store_error(int rc) {
  const int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return errc::store_busy;
  return errc::store_failed;
}

namespace {
// The database, its WAL and its shared-memory index hold sealed content and pseudonyms:
// readable by the owner only, whatever the umask. SQLite gives the WAL and SHM files it
// creates the database file's mode, so creating that one 0600 covers all three; files
// from before are narrowed. Never open()+close() an existing database: closing any
// descriptor of a file drops every POSIX lock this process holds on it, including those of
// its other connections.
void restrict_file_modes(const std::filesystem::path& path) {
  if (path.empty() || path.native().front() == ':') return;  // :memory:
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd >= 0) ::close(fd);  // new and empty: nobody holds a lock on it yet
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    const auto companion = path.native() + suffix;
    ::chmod(companion.c_str(), S_IRUSR | S_IWUSR);  // absent: nothing to do
  }
}
}  // namespace

Database::Database(const DatabaseOptions& options) {
  if (!options.read_only) restrict_file_modes(options.path);
  const int flags = options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(options.path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX,
                      options.vfs.empty() ? nullptr : options.vfs.c_str()) != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open database " + options.path.string() + ": " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, options.busy_timeout_ms);
  auto must = [&](const std::string& sql) {
    if (!exec(sql)) throw std::runtime_error("database " + options.path.string() + ": " + sql + ": " + sqlite3_errmsg(db_));
  };
  if (!options.read_only) {
    Statement wal(db_, "PRAGMA journal_mode=WAL");
    auto row = wal.step();
    if (!row || !*row || wal.column_text(0) != "wal")
      throw std::runtime_error("database " + options.path.string() + ": WAL mode unavailable");
  }
  // FULL: a commit is on stable storage before the provider gets its 200.
  must("PRAGMA synchronous=FULL");
  must("PRAGMA foreign_keys=ON");
  must("PRAGMA secure_delete=ON");
  if (options.max_pages > 0) {
    Statement cap(db_, "PRAGMA max_page_count=" + std::to_string(options.max_pages));
    if (auto set = cap.step(); !set)
      throw std::runtime_error("database " + options.path.string() + ": cannot set max_page_count");
  }
}

Database::~Database() { sqlite3_close_v2(db_); }

void Database::rollback(std::string_view sql) {
  [[maybe_unused]] auto undone = exec(sql);
}

result<void> Database::exec(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return store_error(rc);
  return {};
}

Statement Database::prepare(std::string_view sql) { return Statement(db_, sql); }
std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK)
    throw std::runtime_error(std::string("SQL error: ") + sqlite3_errmsg(db) + " in: " + std::string(sql));
}
Statement::Statement(Statement&& o) noexcept : db_(o.db_), stmt_(std::exchange(o.stmt_, nullptr)) {}
Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int i, std::int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind(int i, std::span<const unsigned char> v) {
  if (v.empty())
    sqlite3_bind_zeroblob(stmt_, i, 0);
  else
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind_null(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);
  return result<bool>(boost::system::in_place_error, store_error(rc));
}

result<void> Statement::run() {
  for (;;) {
    auto r = step();
    if (!r) return r.error();
    if (!*r) break;
  }
  reset();
  return {};
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::column_int(int i) const { return sqlite3_column_int64(stmt_, i); }
std::string Statement::column_text(int i) const {
  auto* p = sqlite3_column_text(stmt_, i);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i)))
           : std::string();
}
std::vector<unsigned char> Statement::column_blob(int i) const {
  auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(stmt_, i));
  return p ? std::vector<unsigned char>(p, p + sqlite3_column_bytes(stmt_, i)) : std::vector<unsigned char>();
}
bool Statement::column_is_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }

}  // namespace madoguchi::store
