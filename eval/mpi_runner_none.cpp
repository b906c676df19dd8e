// The build without MPI (libopenmpi-dev was not found by CMake): the same
// interface, refusing to start, so that the command can say what is missing.
#include "eval/mpi_runner.hpp"

namespace orchsim::eval::mpi {

bool built_in() { return false; }
std::string library_version() { return {}; }

StatusOr<std::unique_ptr<Session>> Session::start() {
  return Status::bad_input(
      "this orchsim was built without MPI, so it cannot share tasks with other ranks: install "
      "libopenmpi-dev (scripts/install-deps) and rebuild, or run without mpirun (--jobs N uses "
      "threads; --shard I/N splits the tasks over separate runs)");
}
Session::~Session() = default;

ExecuteOutcome coordinate(Session&, const LoadedPlan&, const std::vector<std::uint64_t>&, TaskSink&,
                          const ExecuteOptions&) {
  ExecuteOutcome out;
  out.status = Status::runtime("MPI is not built in");
  return out;
}
Status serve(Session&, const LoadedPlan&, const ExecuteOptions&) {
  return Status::runtime("MPI is not built in");
}
void release_workers(Session&) {}

}  // namespace orchsim::eval::mpi
