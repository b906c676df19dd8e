// The MPI launcher's environment, read without MPI (shared by the real MPI
// runner and the build without MPI, which must still notice mpirun).
#include <charconv>
#include <cstdlib>
#include <string_view>

#include "eval/mpi_runner.hpp"

namespace orchsim::eval::mpi {
namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr) return fallback;
  const std::string_view s(v);
  int n = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), n);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() ? n : fallback;
}

}  // namespace

int launched_world_size() {
  // Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE; PMI-based launchers (MPICH's
  // mpiexec, srun --mpi=pmi2) set PMI_SIZE.
  if (const int n = env_int("OMPI_COMM_WORLD_SIZE", 0); n > 0) return n;
  if (const int n = env_int("PMI_SIZE", 0); n > 0) return n;
  return 1;
}

int launched_rank() {
  if (const int r = env_int("OMPI_COMM_WORLD_RANK", -1); r >= 0) return r;
  if (const int r = env_int("PMI_RANK", -1); r >= 0) return r;
  return 0;
}

}  // namespace orchsim::eval::mpi
