// Handing an experiment's tasks out over MPI ranks (`mpirun -n N orchsim sweep ...`).
//
// Rank 0 coordinates: it owns the results store, hands out one task index at
// a time to each rank that asks (so uneven tasks balance), runs tasks itself
// on its own threads too, and stores each result as it arrives. Ranks > 0
// run what they are sent, on `jobs` threads each, and send results back.
// Every rank loads the same plan; a rank whose plan differs (scenario files
// differ between hosts) is refused before any task runs. Only the main
// thread of each rank calls MPI (MPI_THREAD_FUNNELED), polling every
// millisecond so an idle coordinator costs no CPU that a task could use.
//
// Failure: a task that throws on any rank, or a store write that fails, ends
// the run with an error after the tasks in flight; a rank that dies is
// reported by mpirun, which ends the job (whatever was stored stays, ready
// for --resume). Bytes out do not depend on the number of ranks: results are
// stored by task index.
//
// This library is linked into the orchsim command only (never into the GUI's
// libraries). Without MPI at build time, mpi_runner_none.cpp provides the
// same functions: built_in() is false and start() refuses.
//
//   if (mpi::launched_world_size() > 1) {
//     auto session = mpi::Session::start();
//     if (session->rank() == 0) out = mpi::coordinate(**session, loaded, pending, sink, o);
//     else status = mpi::serve(**session, loaded, o);
//   }
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "eval/status.hpp"
#include "eval/task_executor.hpp"

namespace orchsim::eval::mpi {

// Whether this build has MPI; the library's own version line when it does.
bool built_in();
std::string library_version();

// The number of ranks in the job that started this process, from the
// launcher's environment (OMPI_COMM_WORLD_SIZE, PMI_SIZE); 1 when it was not
// started by mpirun/srun. Read before MPI_Init so that a plain run never
// initialises MPI. And this process's rank there (0 when not launched).
int launched_world_size();
int launched_rank();

// MPI for the duration of one command: MPI_Init_thread (FUNNELED) when
// started, MPI_Finalize when destroyed.
class Session {
 public:
  static StatusOr<std::unique_ptr<Session>> start();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }
  const std::string& host() const { return host_; }

 private:
  Session() = default;
  int rank_ = 0;
  int size_ = 1;
  std::string host_;
};

// Rank 0: runs `pending` over every rank and hands results to `sink`.
ExecuteOutcome coordinate(Session& session, const LoadedPlan& loaded,
                          const std::vector<std::uint64_t>& pending, TaskSink& sink,
                          const ExecuteOptions& options);
// Ranks > 0: run what rank 0 sends until it says stop.
Status serve(Session& session, const LoadedPlan& loaded, const ExecuteOptions& options);
// Rank 0, when it will run nothing (bad input found after MPI started, or
// nothing pending): tells every other rank to stop.
void release_workers(Session& session);

}  // namespace orchsim::eval::mpi
