// orchsim under mpirun: the same bytes as --jobs 1 on 2 and 4 ranks, and a
// rank that dies ends the run with an error (not a hang), leaving a store
// that --resume finishes. Skipped, saying why, when the build has no MPI.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/cli/run_orchsim.hpp"
#include "tests/cli/shell_run.hpp"

namespace orchsim::mpi_cli_test {
namespace {

namespace fs = std::filesystem;
using cli_testing::Ended;
using cli_testing::orchsim;
using cli_testing::Result;
using cli_testing::run_shell;
using cli_testing::scratch;
using cli_testing::slurp;

#ifdef ORCHSIM_MPIEXEC
// CI runs as root; Open MPI refuses that unless told. --oversubscribe: more
// ranks than cores (2 cores here). Under the asan preset, Open MPI's own
// allocations kept until exit are not orchsim's leaks: suppressed by library
// (openmpi.lsan.supp), with its components kept loaded and full stacks so
// that the suppressions can name them. Without ASan these do nothing.
std::string mpirun(int ranks) {
  return "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
         "OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_mca_base_component_disable_dlclose=1 "
         "LSAN_OPTIONS=suppressions=" ORCHSIM_LSAN_SUPPRESSIONS
         ":print_suppressions=0 \"ASAN_OPTIONS=${ASAN_OPTIONS}:fast_unwind_on_malloc=0\" " +
         std::string(ORCHSIM_MPIEXEC) + " --allow-run-as-root --oversubscribe -n " +
         std::to_string(ranks);
}
#define SKIP_WITHOUT_MPI()
#else
std::string mpirun(int) { return {}; }
#define SKIP_WITHOUT_MPI() \
  GTEST_SKIP() << "this build has no MPI (libopenmpi-dev not found): mpirun tests skipped"
#endif

// 4 configurations x 3 replications = 12 tasks.
const std::string kSweep =
    "sweep hedged_requests --grid /workflow/nodes/0/hedge/delay_ms=100,200,400,800 -R 3 "
    "--requests 150 ";

TEST(MpiCli, TwoAndFourRanksGiveTheSameBytesAsOneThread) {
  SKIP_WITHOUT_MPI();
  const fs::path one = scratch("mpi-one");
  const Result reference = orchsim(kSweep + "--jobs 1 -q --out " + one.string());
  ASSERT_EQ(reference.status, 0) << reference.err;
  for (const int ranks : {2, 4}) {
    SCOPED_TRACE(ranks);
    const fs::path dir = scratch("mpi-" + std::to_string(ranks));
    const Ended r = run_shell(mpirun(ranks), kSweep + "--verbose --out " + dir.string());
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(slurp(dir / "sweep.csv"), slurp(one / "sweep.csv"));
    EXPECT_EQ(slurp(dir / "sweep.json"), slurp(one / "sweep.json"));
    EXPECT_EQ(r.out, reference.out);  // only rank 0 prints, and the same table
    // Tasks really ran on other ranks (rank 0 also runs its share).
    EXPECT_NE(r.err.find("on rank 1"), std::string::npos) << r.err;
  }
}

TEST(MpiCli, ReplicationsAndComparisonsUnderMpiMatchToo) {
  SKIP_WITHOUT_MPI();
  const std::string run = "run learned_router --requests 150 -R 4 --format json -q";
  const Result reference = orchsim(run + " --jobs 1");
  const Ended r = run_shell(mpirun(2), run);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, reference.out);
  const std::string compare =
      "compare learned_router --variant cheap:/workflow/nodes/0/routing/policy=static "
      "--requests 150 -R 3 --format json -q";
  const Ended c = run_shell(mpirun(2), compare);
  ASSERT_EQ(c.status, 0) << c.err;
  EXPECT_EQ(c.out, orchsim(compare + " --jobs 1").out);
}

TEST(MpiCli, ARankThatDiesEndsTheRunWithAnErrorAndResumeFinishesIt) {
  SKIP_WITHOUT_MPI();
  const fs::path dir = scratch("mpi-dead");
  // Rank 1 dies when its first task ends, before sending the result.
  const Ended dead = run_shell("env ORCHSIM_FAULT_KILL_RANK=1:1 " + mpirun(2).substr(4),
                               kSweep + "-q --out " + dir.string());
  EXPECT_NE(dead.status, 0) << dead.err;
  EXPECT_FALSE(fs::exists(dir / "sweep.csv"));
  EXPECT_NE(dead.err.find("rank 1"), std::string::npos) << dead.err;  // mpirun names it
  // mpirun ends rank 0 with SIGTERM (then SIGKILL): rank 0 says at once how to go on.
  EXPECT_NE(dead.err.find("terminated; every task finished so far is in"), std::string::npos)
      << dead.err;
  EXPECT_NE(dead.err.find("--resume"), std::string::npos) << dead.err;
  ASSERT_TRUE(fs::exists(dir / "results.sqlite"));
  const Result resumed = orchsim(kSweep + "--jobs 2 -q --resume --out " + dir.string());
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  const fs::path one = scratch("mpi-dead-reference");
  ASSERT_EQ(orchsim(kSweep + "--jobs 1 -q --out " + one.string()).status, 0);
  EXPECT_EQ(slurp(dir / "sweep.csv"), slurp(one / "sweep.csv"));
  EXPECT_EQ(slurp(dir / "sweep.json"), slurp(one / "sweep.json"));
}

}  // namespace
}  // namespace orchsim::mpi_cli_test
