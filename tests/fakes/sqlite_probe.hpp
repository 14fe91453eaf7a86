#pragma once
// The test's own SQLite connection to the gateway's database: to look at what was
// stored (never through the product's code) and to hold locks against it.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace madoguchi::testing {

class SqliteProbe {
 public:
  // Throws std::runtime_error when the file cannot be opened.
  explicit SqliteProbe(const std::filesystem::path& file, bool read_only = true, int busy_timeout_ms = 5000);
  SqliteProbe(const SqliteProbe&) = delete;
  SqliteProbe& operator=(const SqliteProbe&) = delete;
  ~SqliteProbe();

  // The sqlite3 result code (SQLITE_OK, SQLITE_BUSY, ...); message in last_error().
  int exec(std::string_view sql);
  // Every row, every column as text (NULL as ""). Throws on errors: a query the test wrote.
  std::vector<std::vector<std::string>> rows(std::string_view sql);
  std::int64_t scalar(std::string_view sql);
  std::string last_error() const;

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace madoguchi::testing
