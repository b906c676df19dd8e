// Fault injection for crash tests of the results store, read from the
// environment once. Nothing happens unless one of these is set, so a normal
// run pays one getenv per store.
//
//   ORCHSIM_FAULT_KILL_AFTER=N     SIGKILL right after the N-th task this process
//                                  commits; N=0: as the first task ends, before it is stored
//   ORCHSIM_FAULT_KILL_IN_COMMIT=N SIGKILL in the middle of writing the N-th
//                                  task's commit to the WAL (a torn write)
//   ORCHSIM_FAULT_DISK_FULL_AT=N   the N-th task's commit fails as on a full disk
//   ORCHSIM_FAULT_SIGINT_AFTER=N   raise SIGINT after the N-th commit (a clean stop)
//
// The two write faults go through a SQLite VFS that wraps the default one and
// is used only when they are set. Tests run the real executable with these;
// no sleeps, no timing.
#pragma once

#include <cstdint>
#include <optional>

namespace orchsim::eval::store_faults {

struct Settings {
  std::optional<std::uint64_t> kill_after, kill_in_commit, disk_full_at, sigint_after;
};
const Settings& settings();

// The VFS to open a store with: nullptr (SQLite's default) unless a write
// fault is set.
const char* vfs_name();
// Around the n-th commit (1-based) of this process.
void before_store(std::uint64_t n);  // the n-th result is about to be written
void arm_commit(std::uint64_t n);    // the n-th COMMIT starts
void disarm_commit();
void after_commit(std::uint64_t n);

}  // namespace orchsim::eval::store_faults
