#pragma once
// A SQLite VFS for tests that wraps the default one and fails the n-th write, sync or
// truncate on purpose: xWrite answers SQLITE_FULL (what the unix VFS reports for ENOSPC),
// xSync SQLITE_IOERR_FSYNC, xTruncate SQLITE_IOERR_TRUNCATE. Everything else (reads,
// locks, the WAL's shared memory) goes straight to the wrapped VFS, so a connection opened
// through it and one opened through the default VFS share one file and its locks.
//
// A store opens through it with DatabaseOptions::vfs = name(). Calls are counted across
// every file of every connection using it (database, WAL, journals), from the last
// reset() or fail_at(). Thread-safe: the group committer writes on its own thread.
#include <sqlite3.h>

#include <memory>
#include <string>

namespace madoguchi::testing {

enum class IoStep { write, sync, truncate };

// The SQLite result code a failing `step` answers.
int failure_code(IoStep step);
const char* to_string(IoStep step);

class FaultyVfs {
 public:
  // Registers the VFS under `name` (not as the default). Throws std::runtime_error when
  // SQLite refuses.
  explicit FaultyVfs(std::string name = "madoguchi-faulty");
  ~FaultyVfs();  // unregisters: close every connection using it first
  FaultyVfs(const FaultyVfs&) = delete;
  FaultyVfs& operator=(const FaultyVfs&) = delete;

  const std::string& name() const;

  // Counts from zero again, nothing armed.
  void reset();
  // Counts from zero again; the n-th call (1-based) of `step` fails. sticky: from then on
  // every write, sync and truncate fails as well (a disk that stays full, a device that is
  // gone) until reset(); otherwise the calls after it succeed (a transient fault).
  void fail_at(IoStep step, int n, bool sticky);

  int calls(IoStep step) const;
  bool fired() const;
  // Which file the armed fault hit ("db", "wal", "journal", "other"), "" before it fired.
  std::string fired_on() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace madoguchi::testing
