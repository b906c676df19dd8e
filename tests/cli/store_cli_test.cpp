// The results store through the real executable: kill at several points and
// --resume to the same bytes, refusal of a foreign or damaged store, shards
// merged into one run's summaries, SIGINT, a full disk, progress and --verbose.
// Crashes are made by fault-injection variables read by the store
// (eval/store_faults.hpp), so nothing here sleeps or depends on timing.
#include <gtest/gtest.h>
#include <pty.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/cli/run_orchsim.hpp"
#include "tests/cli/shell_run.hpp"

namespace orchsim::store_cli_test {
namespace {

namespace fs = std::filesystem;
using cli_testing::Ended;
using cli_testing::orchsim;
using cli_testing::Result;
using cli_testing::run_shell;
using cli_testing::scratch;
using cli_testing::slurp;

// 3 configurations x 3 replications = 9 tasks of a few milliseconds.
const std::string kSweep =
    "sweep hedged_requests --grid /workflow/nodes/0/hedge/delay_ms=100,400,1600 -R 3 "
    "--requests 150 ";

std::int64_t stored_tasks(const fs::path& store) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(store.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return -1;
  sqlite3_stmt* s = nullptr;
  std::int64_t n = -1;
  if (sqlite3_prepare_v2(db, "SELECT count(*) FROM tasks", -1, &s, nullptr) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW) {
    n = sqlite3_column_int64(s, 0);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return n;
}

void sql(const fs::path& store, const std::string& statement) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(store.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

// The summaries of one uninterrupted run, computed once.
const fs::path& reference() {
  static const fs::path dir = [] {
    const fs::path d = scratch("reference");
    const Result r = orchsim(kSweep + "--jobs 1 -q --out " + d.string());
    EXPECT_EQ(r.status, 0) << r.err;
    return d;
  }();
  return dir;
}

void expect_same_summaries(const fs::path& dir) {
  EXPECT_EQ(slurp(dir / "sweep.csv"), slurp(reference() / "sweep.csv")) << dir;
  EXPECT_EQ(slurp(dir / "sweep.json"), slurp(reference() / "sweep.json")) << dir;
  EXPECT_FALSE(slurp(dir / "sweep.csv").empty());
}

struct KillPoint {
  const char* name;
  const char* fault;    // the environment that kills the process
  std::int64_t stored;  // tasks in the store after the kill
};

TEST(StoreCli, KilledAtAnyPointThenResumedGivesTheSameBytes) {
  const KillPoint points[] = {
      {"before the first task ends", "ORCHSIM_FAULT_KILL_AFTER=0", 0},
      {"in the middle", "ORCHSIM_FAULT_KILL_AFTER=4", 4},
      {"during the last task's write", "ORCHSIM_FAULT_KILL_IN_COMMIT=9", 8},
  };
  for (const KillPoint& p : points) {
    SCOPED_TRACE(p.name);
    const fs::path dir = scratch(std::string("kill-") + p.fault);
    const Ended killed =
        run_shell(std::string("env ") + p.fault, kSweep + "--jobs 2 -q --out " + dir.string());
    EXPECT_EQ(killed.signal, SIGKILL) << killed.status << killed.err;
    EXPECT_FALSE(fs::exists(dir / "sweep.csv"));  // no summary that looks whole
    EXPECT_EQ(stored_tasks(dir / "results.sqlite"), p.stored);
    const Result resumed = orchsim(kSweep + "--jobs 2 --resume --out " + dir.string());
    ASSERT_EQ(resumed.status, 0) << resumed.err;
    if (p.stored > 0) {
      EXPECT_NE(resumed.err.find(std::to_string(p.stored) + " of 9 tasks already in"),
                std::string::npos)
          << resumed.err;
    }
    EXPECT_EQ(stored_tasks(dir / "results.sqlite"), 9);
    expect_same_summaries(dir);
  }
}

TEST(StoreCli, ResumeOfACompleteStoreRunsNothingAndWritesTheSameBytes) {
  const fs::path dir = scratch("complete");
  ASSERT_EQ(orchsim(kSweep + "-q --out " + dir.string()).status, 0);
  const Result again = orchsim(kSweep + "--resume --verbose --out " + dir.string());
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.err.find("9 of 9 tasks already in"), std::string::npos) << again.err;
  EXPECT_EQ(again.err.find("] task "), std::string::npos);  // no task ran
  expect_same_summaries(dir);
}

TEST(StoreCli, AnEmptyStoreFileCountsAsNoStore) {
  // What a process killed while creating its store leaves behind.
  const fs::path dir = scratch("empty-store");
  fs::create_directories(dir);
  std::ofstream(dir / "results.sqlite").close();
  const Result r = orchsim(kSweep + "-q --resume --out " + dir.string());
  ASSERT_EQ(r.status, 0) << r.err;
  expect_same_summaries(dir);
}

TEST(StoreCli, SigintStopsAfterTasksInFlightAndSaysHowToResume) {
  const fs::path dir = scratch("sigint");
  // SIGINT as the second task is stored; with one worker nothing else is in flight.
  const Ended stopped =
      run_shell("env ORCHSIM_FAULT_SIGINT_AFTER=2", kSweep + "--jobs 1 --out " + dir.string());
  EXPECT_EQ(stopped.status, 130) << stopped.err;
  EXPECT_NE(stopped.err.find("interrupted. 2 of 9 tasks are in"), std::string::npos) << stopped.err;
  EXPECT_NE(stopped.err.find("--out " + dir.string() + " --resume"), std::string::npos)
      << stopped.err;
  EXPECT_FALSE(fs::exists(dir / "sweep.csv"));
  EXPECT_EQ(stored_tasks(dir / "results.sqlite"), 2);
  // With two threads, whatever the other thread had in flight is finished and
  // kept too; whether it had started one when the signal came depends on the
  // scheduler, so only the first task is certain to be there.
  const fs::path two = scratch("sigint-two");
  const Ended threads =
      run_shell("env ORCHSIM_FAULT_SIGINT_AFTER=1", kSweep + "--jobs 2 -q --out " + two.string());
  EXPECT_TRUE(threads.status == 130 || threads.status == 0) << threads.err;
  EXPECT_GE(stored_tasks(two / "results.sqlite"), 1);
  for (const fs::path& d : {dir, two}) {
    const Result resumed = orchsim(kSweep + "--jobs 2 -q --resume --out " + d.string());
    ASSERT_EQ(resumed.status, 0) << resumed.err;
    expect_same_summaries(d);
  }
}

TEST(StoreCli, AFullDiskFailsCleanlyAndResumes) {
  const fs::path dir = scratch("full");
  const Ended full =
      run_shell("env ORCHSIM_FAULT_DISK_FULL_AT=3", kSweep + "--jobs 1 -q --out " + dir.string());
  EXPECT_EQ(full.status, 1) << full.err;
  EXPECT_NE(full.err.find("full"), std::string::npos) << full.err;
  EXPECT_NE(full.err.find("2 of 9 tasks are in"), std::string::npos) << full.err;
  EXPECT_EQ(stored_tasks(dir / "results.sqlite"), 2);
  ASSERT_EQ(orchsim(kSweep + "-q --resume --out " + dir.string()).status, 0);
  expect_same_summaries(dir);
}

TEST(StoreCli, AStoreOfAnotherExperimentIsRefusedUnlessForced) {
  const fs::path dir = scratch("foreign");
  ASSERT_EQ(orchsim(kSweep + "-q --out " + dir.string()).status, 0);
  const std::string other_grid =
      "sweep hedged_requests --grid /workflow/nodes/0/hedge/delay_ms=100,400,3200 -R 3 "
      "--requests 150 -q --resume --out " +
      dir.string();
  const Result refused = orchsim(other_grid);
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.err.find("made for another experiment"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("delay_ms=1600, this run /workflow/nodes/0/hedge/delay_ms=3200"),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("--force"), std::string::npos);
  EXPECT_EQ(stored_tasks(dir / "results.sqlite"), 9);  // untouched

  const Result seeds = orchsim(kSweep + "--seed 7 -q --resume --out " + dir.string());
  EXPECT_EQ(seeds.status, 2);
  EXPECT_NE(seeds.err.find("first seed: the store has 1, this run 7"), std::string::npos)
      << seeds.err;

  // --force keeps the two configurations that still match (6 tasks) and runs the rest.
  const Result forced = orchsim(other_grid + " --force --verbose");
  EXPECT_EQ(forced.status, 0) << forced.err;
  EXPECT_NE(forced.err.find("kept 6 finished tasks"), std::string::npos) << forced.err;
  EXPECT_EQ(std::count(forced.err.begin(), forced.err.end(), '\n') >= 3, true);
}

TEST(StoreCli, AStoreOfAnotherVersionIsRefused) {
  const fs::path dir = scratch("version");
  ASSERT_EQ(orchsim(kSweep + "-q --shard 0/3 --out " + dir.string()).status, 0);
  sql(dir / "results.sqlite",
      "UPDATE experiment SET value = json_set(value, '$.orchsim_version', '0.0.1') WHERE key = "
      "'plan'");
  const Result refused = orchsim(kSweep + "-q --resume --out " + dir.string());
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.err.find("orchsim version: the store has \"0.0.1\""), std::string::npos)
      << refused.err;
}

TEST(StoreCli, ACorruptStoreIsAClearErrorNotACrash) {
  const fs::path dir = scratch("corrupt");
  ASSERT_EQ(orchsim(kSweep + "-q --out " + dir.string()).status, 0);
  const fs::path store = dir / "results.sqlite";
  fs::resize_file(store, fs::file_size(store) / 2);
  const Result r = orchsim(kSweep + "-q --resume --out " + dir.string());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(store.string()), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("damaged or truncated"), std::string::npos) << r.err;
  std::ofstream(store, std::ios::trunc) << "garbage";
  const Result g = orchsim(kSweep + "-q --resume --out " + dir.string());
  EXPECT_EQ(g.status, 2);
  EXPECT_NE(g.err.find(store.string()), std::string::npos) << g.err;
  const Result m = orchsim("merge " + dir.string() + " --out " + scratch("corrupt-merge").string());
  EXPECT_EQ(m.status, 2);
  EXPECT_NE(m.err.find(store.string()), std::string::npos) << m.err;
}

// A plan edited (or damaged) to hold 10^12 replications: open() allocated a
// hash per task and aborted (tests/fuzz/regression/task_plan/).
TEST(StoreCli, AStoredPlanTooLargeToRunIsBadInputForResumeAndMerge) {
  const fs::path dir = scratch("huge-plan");
  ASSERT_EQ(orchsim(kSweep + "-q --shard 0/3 --out " + dir.string()).status, 0);
  sql(dir / "results.sqlite",
      "UPDATE experiment SET value = json_set(value, '$.replications', 1000000000000) WHERE key "
      "= 'plan'");
  const Result m = orchsim("merge " + dir.string() + " --out " + scratch("huge-merge").string());
  EXPECT_EQ(m.status, 2) << m.err;
  EXPECT_NE(m.err.find("found 1000000000000 replications, expected 1 to 100000"), std::string::npos)
      << m.err;
  const Result r = orchsim(kSweep + "-q --resume --out " + dir.string());
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("is too large"), std::string::npos) << r.err;
}

// The summaries read the plan's spec and one row set per configuration; a
// store whose plan lacks them is bad input naming the key, checked before
// anything reads it (was a json or out_of_range exception, caught by type).
TEST(StoreCli, AStoredPlanThatLacksWhatItsSummariesReadIsBadInput) {
  const fs::path dir = scratch("incomplete-plan");
  ASSERT_EQ(orchsim(kSweep + "-q --out " + dir.string()).status, 0);
  sql(dir / "results.sqlite",
      "UPDATE experiment SET value = json_set(value, '$.spec.grid[0].values', 5) WHERE key = "
      "'plan'");
  const Result m =
      orchsim("merge " + dir.string() + " -q --out " + scratch("incomplete-merge").string());
  EXPECT_EQ(m.status, 2) << m.err;
  EXPECT_NE(m.err.find("orchsim: the stored sweep plan is incomplete: /spec/grid/0/values: found "
                       "5, expected an array of strings"),
            std::string::npos)
      << m.err;
  sql(dir / "results.sqlite",
      "UPDATE experiment SET value = json_set(value, '$.spec.grid[0].values', "
      "json('[\"100\", \"400\", \"1600\", \"3200\"]')) WHERE key = 'plan'");
  const Result rows =
      orchsim("merge " + dir.string() + " -q --out " + scratch("rows-merge").string());
  EXPECT_EQ(rows.status, 2) << rows.err;
  EXPECT_NE(rows.err.find("does not match its rows: its summaries read 4 configurations, the "
                          "store has 3"),
            std::string::npos)
      << rows.err;
}

TEST(StoreCli, ShardsMergedGiveTheSameBytesAsOneRun) {
  std::string inputs;
  for (int i = 0; i < 3; ++i) {
    const fs::path dir = scratch("shard" + std::to_string(i));
    const Result r = orchsim(kSweep + "--shard " + std::to_string(i) + "/3 --out " + dir.string());
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("orchsim merge"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "sweep.csv"));  // a shard alone is not a summary
    EXPECT_EQ(stored_tasks(dir / "results.sqlite"), 3);
    inputs += dir.string() + " ";
  }
  const fs::path merged = scratch("merged");
  const Result m = orchsim("merge " + inputs + "--out " + merged.string());
  ASSERT_EQ(m.status, 0) << m.err;
  expect_same_summaries(merged);
  EXPECT_EQ(stored_tasks(merged / "results.sqlite"), 9);
  const Result one = orchsim(kSweep + "-q --out " + scratch("one-stdout").string());
  EXPECT_EQ(m.out, one.out);  // the table too
  // The output cannot be one of the inputs.
  EXPECT_EQ(orchsim("merge " + inputs + "--out " + merged.string() + " " + merged.string()).status,
            2);
}

TEST(StoreCli, IncompleteMergeSaysWhatIsMissingAndResumeFinishesIt) {
  std::vector<fs::path> shards;
  for (int i = 0; i < 3; ++i) {
    shards.push_back(scratch("part" + std::to_string(i)));
    ASSERT_EQ(
        orchsim(kSweep + "-q --shard " + std::to_string(i) + "/3 --out " + shards.back().string())
            .status,
        0);
  }
  const fs::path out = scratch("part-merged");
  const Result m =
      orchsim("merge " + shards[0].string() + " " + shards[2].string() + " --out " + out.string());
  EXPECT_EQ(m.status, 1);
  EXPECT_NE(m.err.find("6 of 9 tasks"), std::string::npos) << m.err;
  EXPECT_NE(m.err.find("missing tasks 1, 4, 7"), std::string::npos) << m.err;
  EXPECT_FALSE(fs::exists(out / "sweep.csv"));
  const Result finished = orchsim(kSweep + "-q --resume --out " + out.string());
  ASSERT_EQ(finished.status, 0) << finished.err;
  expect_same_summaries(out);
  // Stores of different experiments do not merge.
  const fs::path other = scratch("other-experiment");
  ASSERT_EQ(orchsim(kSweep + "--seed 3 -q --shard 1/3 --out " + other.string()).status, 0);
  const Result mixed = orchsim("merge " + shards[0].string() + " " + other.string() + " --out " +
                               scratch("mixed").string());
  EXPECT_EQ(mixed.status, 2);
  EXPECT_NE(mixed.err.find("different experiments"), std::string::npos) << mixed.err;
}

TEST(StoreCli, EveryMultiRunCommandKeepsAStoreAndResumes) {
  const std::string small = " --requests 120 -R 2 ";
  // run -R: --out keeps results.sqlite beside replications.json.
  const fs::path run_dir = scratch("run-store");
  const Result run = orchsim("run learned_router" + small + "-q --out " + run_dir.string());
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(stored_tasks(run_dir / "results.sqlite"), 2);
  const std::string replications = slurp(run_dir / "replications.json");
  const Ended killed = run_shell("env ORCHSIM_FAULT_KILL_AFTER=1",
                                 "run learned_router" + small + "-q --out " + run_dir.string());
  EXPECT_EQ(killed.signal, SIGKILL);
  ASSERT_EQ(orchsim("run learned_router" + small + "-q --resume --out " + run_dir.string()).status,
            0);
  EXPECT_EQ(slurp(run_dir / "replications.json"), replications);

  // compare: --out writes comparison.json, the same JSON as --format json.
  const fs::path cmp = scratch("compare-store");
  const std::string compare_args =
      "compare learned_router --variant cheap:/workflow/nodes/0/routing/policy=static" + small;
  const Result c = orchsim(compare_args + "-q --format json --out " + cmp.string());
  ASSERT_EQ(c.status, 0) << c.err;
  EXPECT_EQ(slurp(cmp / "comparison.json"), c.out);
  EXPECT_EQ(stored_tasks(cmp / "results.sqlite"), 4);
  const Result c_plain = orchsim(compare_args + "-q --format json");  // no --out: in memory
  EXPECT_EQ(c_plain.out, c.out);

  // baseline and check: --store FILE.
  const fs::path dir = scratch("baseline-store");
  const std::string base = (dir / "base.json").string();
  const std::string store = (dir / "base.sqlite").string();
  ASSERT_EQ(
      orchsim("baseline learned_router" + small + "-q --out " + base + " --store " + store).status,
      0);
  EXPECT_EQ(stored_tasks(store), 2);
  const std::string baseline = slurp(base);
  ASSERT_EQ(
      orchsim("baseline learned_router" + small + "-q --resume --out " + base + " --store " + store)
          .status,
      0);
  EXPECT_EQ(slurp(base), baseline);
  const std::string check_store = (dir / "check.sqlite").string();
  const Result check = orchsim("check --baseline " + base + " -q --store " + check_store);
  EXPECT_EQ(check.status, 0) << check.out << check.err;
  EXPECT_EQ(stored_tasks(check_store), 2);

  // Options that need a store say so.
  const Result no_store = orchsim("compare learned_router --variant x:/run/seed=3 -q --resume");
  EXPECT_EQ(no_store.status, 2);
  EXPECT_NE(no_store.err.find("--resume needs a results store"), std::string::npos);
  EXPECT_EQ(orchsim("run learned_router --resume").status, 2);
  EXPECT_EQ(orchsim(kSweep + "--shard 3/3 --out " + scratch("bad-shard").string()).status, 2);
  EXPECT_EQ(orchsim(kSweep + "--force --out " + scratch("force-alone").string()).status, 2);
}

TEST(StoreCli, StoreIsQueryableWithPlainSql) {
  const fs::path dir = scratch("sql");
  ASSERT_EQ(orchsim(kSweep + "-q --out " + dir.string()).status, 0);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "results.sqlite").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT label, count(*), avg(latency_p99_ms) FROM task_summary "
                               "GROUP BY config ORDER BY config",
                               -1, &s, nullptr),
            SQLITE_OK);
  int groups = 0;
  while (sqlite3_step(s) == SQLITE_ROW) {
    EXPECT_EQ(sqlite3_column_int(s, 1), 3);
    EXPECT_GT(sqlite3_column_double(s, 2), 0.0);
    ++groups;
  }
  EXPECT_EQ(groups, 3);
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST(StoreCli, VerboseLinePerTaskAndNoBarOffATerminal) {
  const fs::path dir = scratch("verbose");
  const Result r = orchsim(kSweep + "--verbose --jobs 2 --out " + dir.string());
  ASSERT_EQ(r.status, 0) << r.err;
  std::size_t lines = 0;
  for (std::size_t at = r.err.find("] task "); at != std::string::npos;
       at = r.err.find("] task ", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 9u) << r.err;
  EXPECT_NE(r.err.find("[9/9] task "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos);  // stderr is a file here: no bar
}

// Runs orchsim on a pseudo-terminal and returns what it drew there.
std::string on_a_terminal(const std::string& args) {
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", (std::string(ORCHSIM_EXE) + " " + args + " >/dev/null").c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::string seen;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child has closed the terminal
    seen.append(buf, static_cast<std::size_t>(n));
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(master);
  return seen;
}

TEST(StoreCli, ProgressBarOnATerminalShowsTasksRateAndEta) {
  const std::string drawn = on_a_terminal(kSweep + "--out " + scratch("tty").string());
  EXPECT_NE(drawn.find("/9 tasks"), std::string::npos) << drawn;
  EXPECT_NE(drawn.find("ETA"), std::string::npos) << drawn;
  EXPECT_NE(drawn.find("/s"), std::string::npos) << drawn;
  const std::string quiet = on_a_terminal(kSweep + "-q --out " + scratch("tty-quiet").string());
  EXPECT_EQ(quiet.find("tasks"), std::string::npos) << quiet;
}

TEST(StoreCli, VersionSaysWhetherMpiIsBuiltIn) {
  const Result r = orchsim("--version");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("orchsim 0.1.0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("results store: SQLite 3."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("MPI: "), std::string::npos) << r.out;
}

}  // namespace
}  // namespace orchsim::store_cli_test
