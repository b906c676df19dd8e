// Runs a shell command line (environment assignments, mpirun, the orchsim
// executable) for the store, resume, shard and MPI tests, and says how the
// process ended: exit status, or the signal that killed it.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/cli/run_orchsim.hpp"

namespace orchsim::cli_testing {

struct Ended {
  int status = -1;  // exit status, or -1 when killed by a signal
  int signal = 0;   // the signal that killed it (the shell reports 128 + n)
  std::string out;
  std::string err;
};

// `prefix` goes before the executable: a command such as "env A=1" or
// "mpirun -n 2" (or ""); `args` after it.
inline Ended run_shell(const std::string& prefix, const std::string& args) {
  const fs::path base = scratch("shell-io");
  fs::create_directories(base);
  // `exec` so that the shell is replaced and a signal death is not hidden
  // behind the shell's own exit status.
  const std::string cmd = prefix + " " + std::string(ORCHSIM_EXE) + " " + args + " > " +
                          (base / "out").string() + " 2> " + (base / "err").string();
  const int raw = std::system(("exec " + cmd).c_str());
  Ended e;
  if (WIFEXITED(raw)) {
    e.status = WEXITSTATUS(raw);
    if (e.status > 128 && e.status < 160) e.signal = e.status - 128;
  }
  if (WIFSIGNALED(raw)) e.signal = WTERMSIG(raw);
  if (e.signal != 0 && !WIFEXITED(raw)) e.status = -1;
  e.out = slurp(base / "out");
  e.err = slurp(base / "err");
  return e;
}

}  // namespace orchsim::cli_testing
