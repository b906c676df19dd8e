#include "eval/results_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "eval/task_executor.hpp"
#include "tests/eval/eval_test_support.hpp"

namespace orchsim::eval::results_store_test {
namespace {

namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("orchsim_store_test_" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

LoadedPlan two_configs(std::uint64_t replications = 3) {
  LoadedPlan l;
  l.plan.command = "compare";
  l.plan.replications = replications;
  l.plan.first_seed = 5;
  l.plan.limits.requests = 150;
  for (const char* policy : {"linucb", "static"}) {
    scenarios::LoadOptions o;
    o.overrides = {{"/workflow/nodes/0/routing/policy", policy}};
    auto r = scenarios::load_scenario("learned_router", o);
    EXPECT_TRUE(r.ok()) << r.diagnostics.format();
    l.plan.configs.push_back(make_config(policy, "learned_router", o.overrides, *r.scenario));
    l.scenarios.push_back(std::move(*r.scenario));
  }
  return l;
}

class StoreSink final : public TaskSink {
 public:
  explicit StoreSink(ResultsStore& s) : s_(s) {}
  Status finished(TaskResult r) override { return s_.write(r); }

 private:
  ResultsStore& s_;
};

std::vector<std::uint64_t> all_tasks(const TaskPlan& p) {
  std::vector<std::uint64_t> v;
  for (std::uint64_t i = 0; i < p.size(); ++i) v.push_back(i);
  return v;
}

TEST(ResultsStore, SummariesFromRowsEqualThoseFromMemory) {
  const LoadedPlan l = two_configs();
  auto store = ResultsStore::create(ResultsStore::kInMemory, l.plan);
  ASSERT_TRUE(store.ok()) << store.status().message();
  StoreSink sink(*store);
  ExecuteOptions options;
  options.jobs = 3;
  const ExecuteOutcome out = execute_local(l, all_tasks(l.plan), sink, options);
  ASSERT_TRUE(out.status.ok()) << out.status.message();
  EXPECT_EQ(out.stored, 6u);
  auto rows = store->read_all();
  ASSERT_TRUE(rows.ok());
  auto sets = replication_sets(l.plan, *rows, "memory");
  ASSERT_TRUE(sets.ok()) << sets.status().message();
  ReplicationOptions o;
  o.replications = 3;
  o.seed = 5;
  o.requests = 150;
  for (std::size_t c = 0; c < 2; ++c) {
    const ReplicationSet direct = run_replications(l.scenarios[c], o);
    const ReplicationSet& stored = (*sets)[c];
    EXPECT_EQ(stored.seeds, direct.seeds);
    EXPECT_EQ(summaries_to_json(summarize(stored.metrics)).dump(),
              summaries_to_json(summarize(direct.metrics)).dump());
    EXPECT_EQ(latency_to_json(stored.latency_all).dump(),
              latency_to_json(direct.latency_all).dump());
    EXPECT_EQ(stored.latency_success, direct.latency_success);
  }
}

TEST(ResultsStore, ReopensWithPlanAndRowsAndRunsOnlyWhatIsMissing) {
  const fs::path dir = scratch("reopen");
  const std::string path = (dir / "results.sqlite").string();
  const LoadedPlan l = two_configs(2);
  {
    auto store = ResultsStore::create(path, l.plan);
    ASSERT_TRUE(store.ok()) << store.status().message();
    ASSERT_TRUE(store->write(run_task(l, 1, "t")).ok());
    ASSERT_TRUE(store->write(run_task(l, 3, "t")).ok());
  }
  auto store = ResultsStore::open(path);
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_TRUE(plan_differences(store->plan(), l.plan).empty());
  auto done = store->done();
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(*done, (std::vector<bool>{false, true, false, true}));
  auto rows = store->read_all();
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].index, 1u);
  EXPECT_EQ((*rows)[0].metrics, run_task(l, 1, "again").metrics);  // deterministic
  // A row written twice is an error, not a silent duplicate.
  EXPECT_EQ(store->write(run_task(l, 1, "t")).code(), Status::Code::kRuntime);
}

TEST(ResultsStore, OneWriterAtATime) {
  const fs::path dir = scratch("lock");
  const std::string path = (dir / "results.sqlite").string();
  const LoadedPlan l = two_configs(1);
  auto first = ResultsStore::create(path, l.plan);
  ASSERT_TRUE(first.ok());
  auto second = ResultsStore::open(path);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("another orchsim process"), std::string::npos);
  EXPECT_FALSE(ResultsStore::create(path, l.plan).ok());
  ASSERT_TRUE(first->close().ok());
  EXPECT_TRUE(ResultsStore::open(path).ok());
}

TEST(ResultsStore, DamagedOrForeignFilesAreBadInputNamingTheFile) {
  const fs::path dir = scratch("damaged");
  const std::string path = (dir / "results.sqlite").string();
  const LoadedPlan l = two_configs(4);
  {
    auto store = ResultsStore::create(path, l.plan);
    ASSERT_TRUE(store.ok());
    for (std::uint64_t i = 0; i < l.plan.size(); ++i)
      ASSERT_TRUE(store->write(run_task(l, i, "t")).ok());
  }
  const auto size = fs::file_size(path);
  fs::resize_file(path, size / 2);
  auto truncated = ResultsStore::open(path);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), Status::Code::kBadInput);
  EXPECT_NE(truncated.status().message().find(path), std::string::npos);
  EXPECT_NE(truncated.status().message().find("damaged or truncated"), std::string::npos)
      << truncated.status().message();

  std::ofstream(path, std::ios::trunc) << "not a database at all, just text\n";
  auto text = ResultsStore::open(path);
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.status().message().find(path), std::string::npos);

  fs::remove(path);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  auto foreign = ResultsStore::open(path);
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().message().find("not an orchsim results store"), std::string::npos)
      << foreign.status().message();
  EXPECT_FALSE(ResultsStore::open((dir / "missing.sqlite").string()).ok());
}

TEST(ResultsStore, TamperedRowIsRefused) {
  const fs::path dir = scratch("tampered");
  const std::string path = (dir / "results.sqlite").string();
  const LoadedPlan l = two_configs(1);
  {
    auto store = ResultsStore::create(path, l.plan);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE(store->write(run_task(l, 0, "t")).ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE tasks SET task_hash = 'feed'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = ResultsStore::open(path);
  ASSERT_TRUE(store.ok());
  auto rows = store->read_all();
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("task 0 was stored for another configuration"),
            std::string::npos);
}

TEST(ResultsStore, ReplacePlanKeepsTheTasksThatStillMatch) {
  const LoadedPlan l = two_configs(2);
  auto store = ResultsStore::create(ResultsStore::kInMemory, l.plan);
  ASSERT_TRUE(store.ok());
  for (std::uint64_t i = 0; i < l.plan.size(); ++i)
    ASSERT_TRUE(store->write(run_task(l, i, "t")).ok());
  // Three replications of the second configuration only: its first two are kept.
  TaskPlan now = l.plan;
  now.configs.erase(now.configs.begin());
  now.replications = 3;
  auto kept = store->replace_plan(now);
  ASSERT_TRUE(kept.ok()) << kept.status().message();
  EXPECT_EQ(kept->first, 2u);
  EXPECT_EQ(kept->second, 2u);
  auto done = store->done();
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(*done, (std::vector<bool>{true, true, false}));
  auto rows = store->read_all();
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  EXPECT_EQ((*rows)[1].metrics, run_task(l, 3, "t").metrics);
}

TEST(TaskResult, WireEncodingRoundTrips) {
  const LoadedPlan l = two_configs(1);
  const TaskResult r = run_task(l, 1, "rank 3");
  auto back = decode_result(encode_result(r));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->index, 1u);
  EXPECT_EQ(back->metrics, r.metrics);
  EXPECT_EQ(back->latency_all, r.latency_all);
  EXPECT_EQ(back->worker, "rank 3");
  EXPECT_EQ(back->wall_seconds, r.wall_seconds);
  EXPECT_FALSE(decode_result(encode_result(r).substr(0, 20)).ok());
}

}  // namespace
}  // namespace orchsim::eval::results_store_test
