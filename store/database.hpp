#pragma once
// A thin RAII layer over one sqlite3 connection. Not thread-safe: one owner thread.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/errc.hpp"

namespace madoguchi::store {

struct DatabaseOptions {
  std::filesystem::path path;
  int busy_timeout_ms = 5000;
  bool read_only = false;
  // Store size cap in pages (PRAGMA max_page_count); 0 = unlimited. A full store answers
  // SQLITE_FULL like a full disk, so the same 503 path covers both.
  std::int64_t max_pages = 0;
  // The name of a registered SQLite VFS to open the file through; empty = the default.
  // Tests open the store through a fault-injecting VFS this way (tests/fakes/faulty_vfs).
  std::string vfs;
};

class Statement;

class Database {
 public:
  // Opens (creating when writable), sets WAL, synchronous=FULL, foreign_keys=ON,
  // secure_delete=ON, busy_timeout. Throws std::runtime_error at start-up only.
  explicit Database(const DatabaseOptions& options);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // errc::store_busy for SQLITE_BUSY/LOCKED, errc::store_failed otherwise.
  [[nodiscard]] result<void> exec(std::string_view sql);
  // Undoes a failed transaction ("ROLLBACK", or "ROLLBACK TO x" then "RELEASE x"). Its own
  // failure is not reported: SQLite has then already rolled back (an I/O or full-disk
  // error ends the transaction), and the caller returns the error that started it.
  void rollback(std::string_view sql = "ROLLBACK");
  Statement prepare(std::string_view sql);  // throws on SQL errors: programming error
  sqlite3* handle() { return db_; }
  std::int64_t last_insert_rowid() const;
  int changes() const;

 private:
  sqlite3* db_ = nullptr;
};

// Maps an sqlite result code to the project's errc.
boost::system::error_code store_error(int sqlite_rc);

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  Statement& bind(int index, std::int64_t v);
  Statement& bind(int index, std::string_view v);
  Statement& bind(int index, std::span<const unsigned char> v);
  Statement& bind_null(int index);
  // SQLITE_ROW → true, SQLITE_DONE → false, else error (busy/failed).
  [[nodiscard]] result<bool> step();
  [[nodiscard]] result<void> run();  // step to completion, then reset
  void reset();
  std::int64_t column_int(int i) const;
  std::string column_text(int i) const;
  std::vector<unsigned char> column_blob(int i) const;
  bool column_is_null(int i) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace madoguchi::store
