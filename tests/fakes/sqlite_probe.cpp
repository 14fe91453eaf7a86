#include "tests/fakes/sqlite_probe.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace madoguchi::testing {

SqliteProbe::SqliteProbe(const std::filesystem::path& file, bool read_only, int busy_timeout_ms) {
  const int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (sqlite3_open_v2(file.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open " + file.string() + ": " + message);
  }
  sqlite3_busy_timeout(db_, busy_timeout_ms);
}

SqliteProbe::~SqliteProbe() { sqlite3_close_v2(db_); }

int SqliteProbe::exec(std::string_view sql) {
  return sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, nullptr);
}

std::string SqliteProbe::last_error() const { return sqlite3_errmsg(db_); }

std::vector<std::vector<std::string>> SqliteProbe::rows(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
    throw std::runtime_error("prepare failed: " + last_error() + " in: " + std::string(sql));
  std::vector<std::vector<std::string>> out;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      // column_text before column_bytes: the byte count is of the converted text.
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, i));
      row.emplace_back(text ? std::string(text, size) : std::string());
    }
    out.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) throw std::runtime_error("query failed: " + last_error() + " in: " + std::string(sql));
  return out;
}

std::int64_t SqliteProbe::scalar(std::string_view sql) {
  auto result = rows(sql);
  if (result.empty() || result[0].empty()) throw std::runtime_error("no value from: " + std::string(sql));
  return std::stoll(result[0][0]);
}

}  // namespace madoguchi::testing
