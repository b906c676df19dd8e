#include "eval/store_faults.hpp"

#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace orchsim::eval::store_faults {
namespace {

std::optional<std::uint64_t> env_count(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  std::uint64_t n = 0;
  const std::string_view s(v);
  const auto r = std::from_chars(s.data(), s.data() + s.size(), n);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return n;
}

enum class Armed { kNone, kKill, kFull };
std::atomic<Armed> armed{Armed::kNone};

// --- A VFS that forwards everything to the default one, except that a write
// --- to a WAL file while a fault is armed tears (kill) or fails (full).

sqlite3_vfs* real_vfs = nullptr;

struct ShimFile {
  sqlite3_file base;
  bool wal;
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
};
ShimFile* shim(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f); }

int x_close(sqlite3_file* f) { return shim(f)->real()->pMethods->xClose(shim(f)->real()); }
int x_read(sqlite3_file* f, void* p, int n, sqlite3_int64 off) {
  return shim(f)->real()->pMethods->xRead(shim(f)->real(), p, n, off);
}
int x_write(sqlite3_file* f, const void* p, int n, sqlite3_int64 off) {
  sqlite3_file* real = shim(f)->real();
  if (shim(f)->wal) {
    const Armed a = armed.load();
    if (a == Armed::kFull) return SQLITE_FULL;
    if (a == Armed::kKill) {
      // Half of this write reaches the file, then the process dies: a torn frame.
      real->pMethods->xWrite(real, p, n / 2, off);
      ::raise(SIGKILL);
    }
  }
  return real->pMethods->xWrite(real, p, n, off);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  return shim(f)->real()->pMethods->xTruncate(shim(f)->real(), size);
}
int x_sync(sqlite3_file* f, int flags) {
  return shim(f)->real()->pMethods->xSync(shim(f)->real(), flags);
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return shim(f)->real()->pMethods->xFileSize(shim(f)->real(), size);
}
int x_lock(sqlite3_file* f, int l) { return shim(f)->real()->pMethods->xLock(shim(f)->real(), l); }
int x_unlock(sqlite3_file* f, int l) {
  return shim(f)->real()->pMethods->xUnlock(shim(f)->real(), l);
}
int x_check_reserved(sqlite3_file* f, int* out) {
  return shim(f)->real()->pMethods->xCheckReservedLock(shim(f)->real(), out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) {
  return shim(f)->real()->pMethods->xFileControl(shim(f)->real(), op, arg);
}
int x_sector_size(sqlite3_file* f) {
  return shim(f)->real()->pMethods->xSectorSize(shim(f)->real());
}
int x_device_characteristics(sqlite3_file* f) {
  return shim(f)->real()->pMethods->xDeviceCharacteristics(shim(f)->real());
}
int x_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** p) {
  return shim(f)->real()->pMethods->xShmMap(shim(f)->real(), region, size, extend, p);
}
int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return shim(f)->real()->pMethods->xShmLock(shim(f)->real(), offset, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { shim(f)->real()->pMethods->xShmBarrier(shim(f)->real()); }
int x_shm_unmap(sqlite3_file* f, int del) {
  return shim(f)->real()->pMethods->xShmUnmap(shim(f)->real(), del);
}

// Version 2: no memory-mapped I/O (xFetch), which the store does not use.
const sqlite3_io_methods kShimMethods = {2,
                                         x_close,
                                         x_read,
                                         x_write,
                                         x_truncate,
                                         x_sync,
                                         x_file_size,
                                         x_lock,
                                         x_unlock,
                                         x_check_reserved,
                                         x_file_control,
                                         x_sector_size,
                                         x_device_characteristics,
                                         x_shm_map,
                                         x_shm_lock,
                                         x_shm_barrier,
                                         x_shm_unmap,
                                         nullptr,
                                         nullptr};

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  ShimFile* s = shim(f);
  s->base.pMethods = nullptr;
  s->wal = (flags & SQLITE_OPEN_WAL) != 0;
  const int rc = real_vfs->xOpen(real_vfs, name, s->real(), flags, out_flags);
  if (rc == SQLITE_OK && s->real()->pMethods != nullptr) s->base.pMethods = &kShimMethods;
  return rc;
}
int x_delete(sqlite3_vfs*, const char* name, int sync) {
  return real_vfs->xDelete(real_vfs, name, sync);
}
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return real_vfs->xAccess(real_vfs, name, flags, out);
}
int x_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return real_vfs->xFullPathname(real_vfs, name, n, out);
}
void* x_dl_open(sqlite3_vfs*, const char* name) { return real_vfs->xDlOpen(real_vfs, name); }
void x_dl_error(sqlite3_vfs*, int n, char* out) { real_vfs->xDlError(real_vfs, n, out); }
void (*x_dl_sym(sqlite3_vfs*, void* h, const char* sym))(void) {
  return real_vfs->xDlSym(real_vfs, h, sym);
}
void x_dl_close(sqlite3_vfs*, void* h) { real_vfs->xDlClose(real_vfs, h); }
int x_randomness(sqlite3_vfs*, int n, char* out) { return real_vfs->xRandomness(real_vfs, n, out); }
int x_sleep(sqlite3_vfs*, int us) { return real_vfs->xSleep(real_vfs, us); }
int x_current_time(sqlite3_vfs*, double* t) { return real_vfs->xCurrentTime(real_vfs, t); }
int x_last_error(sqlite3_vfs*, int n, char* out) {
  return real_vfs->xGetLastError(real_vfs, n, out);
}
int x_current_time64(sqlite3_vfs*, sqlite3_int64* t) {
  return real_vfs->xCurrentTimeInt64(real_vfs, t);
}

constexpr const char* kVfsName = "orchsim-faults";

bool register_shim() {
  real_vfs = sqlite3_vfs_find(nullptr);
  if (real_vfs == nullptr) return false;
  static sqlite3_vfs vfs;
  std::memset(&vfs, 0, sizeof vfs);
  vfs.iVersion = 2;
  vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + real_vfs->szOsFile;
  vfs.mxPathname = real_vfs->mxPathname;
  vfs.zName = kVfsName;
  vfs.xOpen = x_open;
  vfs.xDelete = x_delete;
  vfs.xAccess = x_access;
  vfs.xFullPathname = x_full_pathname;
  vfs.xDlOpen = x_dl_open;
  vfs.xDlError = x_dl_error;
  vfs.xDlSym = x_dl_sym;
  vfs.xDlClose = x_dl_close;
  vfs.xRandomness = x_randomness;
  vfs.xSleep = x_sleep;
  vfs.xCurrentTime = x_current_time;
  vfs.xGetLastError = x_last_error;
  vfs.xCurrentTimeInt64 = x_current_time64;
  return sqlite3_vfs_register(&vfs, /*makeDflt=*/0) == SQLITE_OK;
}

}  // namespace

const Settings& settings() {
  static const Settings s{.kill_after = env_count("ORCHSIM_FAULT_KILL_AFTER"),
                          .kill_in_commit = env_count("ORCHSIM_FAULT_KILL_IN_COMMIT"),
                          .disk_full_at = env_count("ORCHSIM_FAULT_DISK_FULL_AT"),
                          .sigint_after = env_count("ORCHSIM_FAULT_SIGINT_AFTER")};
  return s;
}

const char* vfs_name() {
  if (!settings().kill_in_commit && !settings().disk_full_at) return nullptr;
  static const bool registered = register_shim();
  return registered ? kVfsName : nullptr;
}

void before_store(std::uint64_t n) {
  if (settings().kill_after == std::uint64_t{0} && n == 1) ::raise(SIGKILL);
}

void arm_commit(std::uint64_t n) {
  if (settings().kill_in_commit == n) armed = Armed::kKill;
  if (settings().disk_full_at == n) armed = Armed::kFull;
}

void disarm_commit() { armed = Armed::kNone; }

void after_commit(std::uint64_t n) {
  if (settings().kill_after == n) ::raise(SIGKILL);
  if (settings().sigint_after == n) ::raise(SIGINT);
}

}  // namespace orchsim::eval::store_faults
