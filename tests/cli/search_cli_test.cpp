// orchsim search as a user runs it: the files it writes, the same bytes
// whatever the threads and after --resume, a pinned golden, and bad input
// refused with exit 2 before anything runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/cli/run_orchsim.hpp"

namespace orchsim::search_cli_test {
namespace {

namespace fs = std::filesystem;

using cli_testing::orchsim;
using cli_testing::Result;
using cli_testing::scratch;
using cli_testing::slurp;
using cli_testing::source_dir;

// Rungs 30, 90, 270 requests; two brackets: 9 → 3 → 1 candidates, then 5 → 1.
constexpr const char* kCascadeSearch =
    "search model_cascade --param /workflow/nodes/0/routing/accept_confidence=0..1 "
    "--param /workflow/nodes/0/retry/max_attempts=int:1..3 --maximize quality.mean "
    "--constraint per_request.cost_usd'<='0.004 --requests 270 --min-requests 30 --brackets 2 "
    "-R 2 -q";

TEST(SearchCli, WritesTheSearchItsRowsAndOneStorePerRung) {
  const fs::path out = scratch("search");
  const Result r = orchsim(std::string(kCascadeSearch) + " -j 1 --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(out / "search.json"));
  EXPECT_EQ(j["schema"], "orchsim.search");
  EXPECT_EQ(j["settings"]["rungs"], nlohmann::json::parse("[30, 90, 270]"));
  EXPECT_EQ(j["settings"]["brackets_run"], 2);
  // 9 + 3 + 1 rows in the first bracket, 5 + 1 in the second.
  ASSERT_EQ(j["evaluations"].size(), 19u);
  std::uint64_t simulated = 0;
  for (const auto& e : j["evaluations"]) {
    if (!e["reused"].get<bool>()) simulated += e["requests"].get<std::uint64_t>() * 2;
  }
  EXPECT_EQ(j["requests_simulated"].get<std::uint64_t>(), simulated);
  // The best ran at full fidelity, with CIs; ranks are in order.
  ASSERT_FALSE(j["best"].empty());
  const auto& best = j["best"][0];
  EXPECT_TRUE(best["metrics"]["quality.mean"]["ci_low"].is_number());
  EXPECT_TRUE(best["metrics"]["per_request.cost_usd"]["ci_high"].is_number());
  for (std::size_t i = 1; i < j["best"].size(); ++i) {
    const auto& a = j["best"][i - 1];
    const auto& b = j["best"][i];
    if (a["feasible"] == b["feasible"]) {
      EXPECT_GE(a["metrics"]["quality.mean"]["mean"].get<double>(),
                b["metrics"]["quality.mean"]["mean"].get<double>());
    }
  }
  EXPECT_FALSE(j["pareto"].empty());
  // One CSV row per evaluation, and one store per rung of each bracket.
  const std::string csv = slurp(out / "search.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 20);
  for (const char* rung : {"b00-r0", "b00-r1", "b00-r2", "b01-r1", "b01-r2"})
    EXPECT_TRUE(fs::exists(out / "rungs" / rung / "results.sqlite")) << rung;
  EXPECT_FALSE(fs::exists(out / "rungs" / "b01-r0"));
  EXPECT_NE(r.out.find("best at full fidelity"), std::string::npos) << r.out;
}

// Regenerate deliberately (the rows change only when the search or the
// simulator does) with
//   orchsim search model_cascade ... (kCascadeSearch) --out /tmp/s
//   cp /tmp/s/search.json tests/cli/golden/model_cascade_search.json
TEST(SearchCli, IsTheSameBytesWhateverTheThreadsAfterResumeAndAsTheGolden) {
  const fs::path one = scratch("search_j1"), two = scratch("search_j2");
  ASSERT_EQ(orchsim(std::string(kCascadeSearch) + " -j 1 --out " + one.string()).status, 0);
  ASSERT_EQ(orchsim(std::string(kCascadeSearch) + " -j 2 --out " + two.string()).status, 0);
  const std::string bytes = slurp(one / "search.json");
  EXPECT_EQ(slurp(two / "search.json"), bytes);
  EXPECT_EQ(slurp(two / "search.csv"), slurp(one / "search.csv"));
  // A resumed search proposes the same candidates and reads every rung back.
  fs::remove(one / "search.json");
  const Result resumed =
      orchsim(std::string(kCascadeSearch) + " -j 2 --resume --out " + one.string());
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_EQ(slurp(one / "search.json"), bytes);
  EXPECT_EQ(bytes, slurp(source_dir() + "/tests/cli/golden/model_cascade_search.json"));
}

TEST(SearchCli, BadInputIsRefusedWithExitTwoAndNoSearchFile) {
  const fs::path out = scratch("search_bad");
  const std::string tail = " --requests 90 -R 1 -q --out " + out.string();
  struct Case {
    std::string args, says;
  };
  const std::vector<Case> cases = {
      {"search model_cascade --param accept=0..1 --maximize quality.mean",
       "expected /json/pointer=lo..hi"},
      {"search model_cascade --param /workflow/nodes/0/routing/accept_confidence=1..0 "
       "--maximize quality.mean",
       "found '/workflow/nodes/0/routing/accept_confidence=1..0'"},
      {"search model_cascade --param /workflow/nodes/0/routing/acept_confidence=0..1 "
       "--maximize quality.mean",
       "acept_confidence"},
      {"search model_cascade --param /workflow/nodes/0/routing/accept_confidence=0..1 "
       "--maximize quality.mena",
       "did you mean 'quality.mean'"},
      {"search model_cascade --param /workflow/nodes/0/routing/accept_confidence=0..1 "
       "--maximize quality.mean --constraint cost",
       "expected METRIC<=NUMBER"},
      {"search model_cascade --param /workflow/nodes/0/routing/accept_confidence=0..1",
       "exactly one of --maximize"},
      {"search model_cascade --param /workflow/nodes/0/routing/accept_confidence=0..1 "
       "--maximize quality.mean --shard 0/2",
       "--shard is not taken"},
      {"search model_cascade --param /workflow/nodes/0/retry/max_attempts=int:0..3 "
       "--maximize quality.mean",
       "max_attempts=0"},
  };
  for (const Case& c : cases) {
    const Result r = orchsim(c.args + tail);
    EXPECT_EQ(r.status, 2) << c.args << '\n' << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.args << '\n' << r.err;
    EXPECT_FALSE(fs::exists(out / "search.json")) << c.args;
  }
  EXPECT_EQ(orchsim("search model_cascade --maximize quality.mean" + tail).status,
            2);  // no --param
}

}  // namespace
}  // namespace orchsim::search_cli_test
