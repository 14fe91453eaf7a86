#include "tests/fakes/faulty_vfs.hpp"

#include <array>
#include <mutex>
#include <stdexcept>

namespace madoguchi::testing {

int failure_code(IoStep step) {
  switch (step) {
    case IoStep::write: return SQLITE_FULL;
    case IoStep::sync: return SQLITE_IOERR_FSYNC;
    case IoStep::truncate: return SQLITE_IOERR_TRUNCATE;
  }
  return SQLITE_IOERR;
}

const char* to_string(IoStep step) {
  switch (step) {
    case IoStep::write: return "write";
    case IoStep::sync: return "sync";
    case IoStep::truncate: return "truncate";
  }
  return "?";
}

struct FaultyVfs::State {
  std::string name;
  sqlite3_vfs* real = nullptr;
  sqlite3_vfs vfs{};
  sqlite3_io_methods methods{};

  mutable std::mutex mutex;
  std::array<int, 3> calls{};
  bool armed = false, sticky = false, fired = false;
  IoStep step = IoStep::write;
  int at = 0;
  std::string fired_on;

  // Counts one call of `s` on a file of `kind`; the SQLite code it must fail with, or
  // SQLITE_OK to let it through.
  int account(IoStep s, const char* kind) {
    std::lock_guard lock(mutex);
    const int seen = ++calls[static_cast<std::size_t>(s)];
    if (fired && sticky) return failure_code(s);
    if (armed && !fired && s == step && seen == at) {
      fired = true;
      fired_on = kind;
      return failure_code(s);
    }
    return SQLITE_OK;
  }
};

namespace {

// Our file object, with the wrapped VFS's file right behind it in the same allocation.
struct File {
  sqlite3_file base;
  FaultyVfs::State* state;
  const char* kind;
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};

File* file(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
FaultyVfs::State* state_of(sqlite3_vfs* v) { return static_cast<FaultyVfs::State*>(v->pAppData); }

int x_close(sqlite3_file* f) { return file(f)->real()->pMethods->xClose(file(f)->real()); }
int x_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return file(f)->real()->pMethods->xRead(file(f)->real(), buf, n, off);
}
int x_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (int rc = file(f)->state->account(IoStep::write, file(f)->kind); rc != SQLITE_OK) return rc;
  return file(f)->real()->pMethods->xWrite(file(f)->real(), buf, n, off);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (int rc = file(f)->state->account(IoStep::truncate, file(f)->kind); rc != SQLITE_OK) return rc;
  return file(f)->real()->pMethods->xTruncate(file(f)->real(), size);
}
int x_sync(sqlite3_file* f, int flags) {
  if (int rc = file(f)->state->account(IoStep::sync, file(f)->kind); rc != SQLITE_OK) return rc;
  return file(f)->real()->pMethods->xSync(file(f)->real(), flags);
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return file(f)->real()->pMethods->xFileSize(file(f)->real(), size);
}
int x_lock(sqlite3_file* f, int level) { return file(f)->real()->pMethods->xLock(file(f)->real(), level); }
int x_unlock(sqlite3_file* f, int level) { return file(f)->real()->pMethods->xUnlock(file(f)->real(), level); }
int x_check_reserved(sqlite3_file* f, int* out) {
  return file(f)->real()->pMethods->xCheckReservedLock(file(f)->real(), out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) {
  return file(f)->real()->pMethods->xFileControl(file(f)->real(), op, arg);
}
int x_sector_size(sqlite3_file* f) { return file(f)->real()->pMethods->xSectorSize(file(f)->real()); }
int x_device(sqlite3_file* f) { return file(f)->real()->pMethods->xDeviceCharacteristics(file(f)->real()); }
// The WAL index lives in shared memory: not a write to storage, passed through.
int x_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return file(f)->real()->pMethods->xShmMap(file(f)->real(), page, size, extend, out);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return file(f)->real()->pMethods->xShmLock(file(f)->real(), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { file(f)->real()->pMethods->xShmBarrier(file(f)->real()); }
int x_shm_unmap(sqlite3_file* f, int del) { return file(f)->real()->pMethods->xShmUnmap(file(f)->real(), del); }
int x_fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return file(f)->real()->pMethods->xFetch(file(f)->real(), off, n, out);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return file(f)->real()->pMethods->xUnfetch(file(f)->real(), off, p);
}

const char* kind_of(int flags) {
  if (flags & SQLITE_OPEN_MAIN_DB) return "db";
  if (flags & SQLITE_OPEN_WAL) return "wal";
  if (flags & (SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_SUBJOURNAL | SQLITE_OPEN_TEMP_JOURNAL)) return "journal";
  return "other";
}

int x_open(sqlite3_vfs* v, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  auto* s = state_of(v);
  auto* ours = file(f);
  ours->state = s;
  ours->kind = kind_of(flags);
  ours->base.pMethods = nullptr;
  const int rc = s->real->xOpen(s->real, name, ours->real(), flags, out_flags);
  // SQLite calls xClose whenever pMethods is set, even after a failed open: only then.
  if (ours->real()->pMethods) ours->base.pMethods = &s->methods;
  return rc;
}
int x_delete(sqlite3_vfs* v, const char* name, int sync_dir) {
  return state_of(v)->real->xDelete(state_of(v)->real, name, sync_dir);
}
int x_access(sqlite3_vfs* v, const char* name, int flags, int* out) {
  return state_of(v)->real->xAccess(state_of(v)->real, name, flags, out);
}
int x_full_pathname(sqlite3_vfs* v, const char* name, int n, char* out) {
  return state_of(v)->real->xFullPathname(state_of(v)->real, name, n, out);
}
void* x_dl_open(sqlite3_vfs* v, const char* name) { return state_of(v)->real->xDlOpen(state_of(v)->real, name); }
void x_dl_error(sqlite3_vfs* v, int n, char* out) { state_of(v)->real->xDlError(state_of(v)->real, n, out); }
void (*x_dl_sym(sqlite3_vfs* v, void* h, const char* sym))(void) {
  return state_of(v)->real->xDlSym(state_of(v)->real, h, sym);
}
void x_dl_close(sqlite3_vfs* v, void* h) { state_of(v)->real->xDlClose(state_of(v)->real, h); }
int x_randomness(sqlite3_vfs* v, int n, char* out) { return state_of(v)->real->xRandomness(state_of(v)->real, n, out); }
int x_sleep(sqlite3_vfs* v, int us) { return state_of(v)->real->xSleep(state_of(v)->real, us); }
int x_current_time(sqlite3_vfs* v, double* out) { return state_of(v)->real->xCurrentTime(state_of(v)->real, out); }
int x_last_error(sqlite3_vfs* v, int n, char* out) {
  return state_of(v)->real->xGetLastError(state_of(v)->real, n, out);
}
int x_current_time_int64(sqlite3_vfs* v, sqlite3_int64* out) {
  return state_of(v)->real->xCurrentTimeInt64(state_of(v)->real, out);
}

}  // namespace

FaultyVfs::FaultyVfs(std::string name) : state_(std::make_unique<State>()) {
  auto& s = *state_;
  s.name = std::move(name);
  s.real = sqlite3_vfs_find(nullptr);
  if (!s.real || s.real->iVersion < 2) throw std::runtime_error("faulty vfs: no default VFS of version 2 or later");
  s.vfs.iVersion = 2;  // no xSetSystemCall: the wrapped VFS's system calls stay its own
  s.vfs.szOsFile = static_cast<int>(sizeof(File)) + s.real->szOsFile;
  s.vfs.mxPathname = s.real->mxPathname;
  s.vfs.zName = s.name.c_str();
  s.vfs.pAppData = &s;
  s.vfs.xOpen = x_open;
  s.vfs.xDelete = x_delete;
  s.vfs.xAccess = x_access;
  s.vfs.xFullPathname = x_full_pathname;
  s.vfs.xDlOpen = x_dl_open;
  s.vfs.xDlError = x_dl_error;
  s.vfs.xDlSym = x_dl_sym;
  s.vfs.xDlClose = x_dl_close;
  s.vfs.xRandomness = x_randomness;
  s.vfs.xSleep = x_sleep;
  s.vfs.xCurrentTime = x_current_time;
  s.vfs.xGetLastError = x_last_error;
  s.vfs.xCurrentTimeInt64 = x_current_time_int64;

  // Version 3 methods: WAL needs the shared-memory ones, memory-mapped I/O the fetch ones.
  s.methods.iVersion = 3;
  s.methods.xClose = x_close;
  s.methods.xRead = x_read;
  s.methods.xWrite = x_write;
  s.methods.xTruncate = x_truncate;
  s.methods.xSync = x_sync;
  s.methods.xFileSize = x_file_size;
  s.methods.xLock = x_lock;
  s.methods.xUnlock = x_unlock;
  s.methods.xCheckReservedLock = x_check_reserved;
  s.methods.xFileControl = x_file_control;
  s.methods.xSectorSize = x_sector_size;
  s.methods.xDeviceCharacteristics = x_device;
  s.methods.xShmMap = x_shm_map;
  s.methods.xShmLock = x_shm_lock;
  s.methods.xShmBarrier = x_shm_barrier;
  s.methods.xShmUnmap = x_shm_unmap;
  s.methods.xFetch = x_fetch;
  s.methods.xUnfetch = x_unfetch;
  if (sqlite3_vfs_register(&s.vfs, 0) != SQLITE_OK) throw std::runtime_error("faulty vfs: cannot register " + s.name);
}

FaultyVfs::~FaultyVfs() { sqlite3_vfs_unregister(&state_->vfs); }

const std::string& FaultyVfs::name() const { return state_->name; }

void FaultyVfs::reset() {
  std::lock_guard lock(state_->mutex);
  state_->calls = {};
  state_->armed = state_->sticky = state_->fired = false;
  state_->fired_on.clear();
}

void FaultyVfs::fail_at(IoStep step, int n, bool sticky) {
  std::lock_guard lock(state_->mutex);
  state_->calls = {};
  state_->armed = true;
  state_->fired = false;
  state_->fired_on.clear();
  state_->step = step;
  state_->at = n;
  state_->sticky = sticky;
}

int FaultyVfs::calls(IoStep step) const {
  std::lock_guard lock(state_->mutex);
  return state_->calls[static_cast<std::size_t>(step)];
}

bool FaultyVfs::fired() const {
  std::lock_guard lock(state_->mutex);
  return state_->fired;
}

std::string FaultyVfs::fired_on() const {
  std::lock_guard lock(state_->mutex);
  return state_->fired_on;
}

}  // namespace madoguchi::testing
