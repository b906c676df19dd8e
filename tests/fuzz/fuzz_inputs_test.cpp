// The fuzzers' starting points stay useful as the formats grow: each
// dictionary holds every key of its format, and every seed of the report and
// baseline targets is accepted (a fuzzer that starts from refused inputs
// spends its time on the first lines of the parser).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "eval/baseline.hpp"
#include "eval/results_store.hpp"
#include "eval/task_plan.hpp"
#include "gui/report_data.hpp"
#include "gui/search_data.hpp"

namespace orchsim {
namespace {

namespace fs = std::filesystem;
using J = nlohmann::ordered_json;

fs::path source_dir() {
  if (const char* root = std::getenv("ORCHSIM_SOURCE_DIR"); root && *root) return root;
  return fs::path(__FILE__).parent_path().parent_path().parent_path();
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The tokens of a libFuzzer dictionary: one quoted string a line, with \" \\ \xNN escapes.
std::set<std::string> dictionary(const std::string& name) {
  std::set<std::string> tokens;
  std::ifstream in(source_dir() / "tests" / "fuzz" / name);
  std::string line;
  while (std::getline(in, line)) {
    const auto open = line.find('"');
    const auto close = line.rfind('"');
    if (line.empty() || line[0] == '#' || open == std::string::npos || close <= open) continue;
    std::string token;
    for (std::size_t i = open + 1; i < close; ++i) {
      if (line[i] == '\\' && i + 1 < close && line[i + 1] == 'x' && i + 3 < close) {
        token += static_cast<char>(std::stoi(line.substr(i + 2, 2), nullptr, 16));
        i += 3;
      } else if (line[i] == '\\' && i + 1 < close) {
        token += line[++i];
      } else {
        token += line[i];
      }
    }
    tokens.insert(token);
  }
  return tokens;
}

// Every key of every object in `j`; with `properties_only`, only the names
// under JSON Schema "properties".
void keys_of(const J& j, bool properties_only, std::set<std::string>& out) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if (!properties_only) out.insert(key);
      if (properties_only && key == "properties" && value.is_object()) {
        for (const auto& [name, ignored] : value.items()) out.insert(name);
      }
      keys_of(value, properties_only, out);
    }
  } else if (j.is_array()) {
    for (const J& e : j) keys_of(e, properties_only, out);
  }
}

void expect_quoted_keys_in(const std::set<std::string>& keys, const std::string& dict) {
  const std::set<std::string> tokens = dictionary(dict);
  ASSERT_FALSE(tokens.empty()) << dict;
  for (const std::string& k : keys) {
    EXPECT_TRUE(tokens.count("\"" + k + "\"")) << dict << " lacks \"\\\"" << k << "\\\"\"";
  }
}

TEST(FuzzInputs, TheScenarioDictionaryHasEveryKeyOfTheSchema) {
  std::set<std::string> keys;
  keys_of(J::parse(slurp(source_dir() / "scenarios" / "schema" / "scenario.schema.json")), true,
          keys);
  ASSERT_GT(keys.size(), 100u);
  expect_quoted_keys_in(keys, "scenario.dict");
}

TEST(FuzzInputs, TheReportDictionaryHasEveryKeyOfTheGoldenReport) {
  std::set<std::string> keys;
  keys_of(
      J::parse(slurp(source_dir() / "tests" / "cli" / "golden" / "rag_orchestrated_report.json")),
      false, keys);
  expect_quoted_keys_in(keys, "report.dict");
}

TEST(FuzzInputs, TheSearchDictionaryHasEveryKeyOfTheGoldenSearch) {
  std::set<std::string> keys;
  keys_of(J::parse(slurp(source_dir() / "tests" / "cli" / "golden" / "model_cascade_search.json")),
          false, keys);
  expect_quoted_keys_in(keys, "search.dict");
  const gui::SearchLoad s = gui::parse_search(
      slurp(source_dir() / "tests" / "cli" / "golden" / "model_cascade_search.json"), "golden");
  EXPECT_TRUE(s.ok()) << s.error;  // the search target's seed loads
}

TEST(FuzzInputs, TheBaselineDictionaryHasEveryKeyABaselineHas) {
  eval::BaselineInfo info;
  info.requests = 10;
  info.overrides = {{"/run/seed", "2"}};
  eval::MetricSummary m;
  m.name = "latency_ms.all.p99";
  m.values = {1.0, 2.0};
  m.ci = eval::stats::confidence_interval(m.values);
  const J baseline = eval::make_baseline(info, {m});
  std::set<std::string> keys;
  keys_of(baseline, false, keys);
  expect_quoted_keys_in(keys, "baseline.dict");
}

TEST(FuzzInputs, ThePlanDictionariesHaveEveryKeyOfAStoredPlan) {
  eval::TaskPlan plan;
  plan.command = "sweep";
  plan.configs.push_back({"point 0", "rag_orchestrated", {{"/run/seed", "2"}}, "rag", "0"});
  plan.limits.requests = 10;
  std::set<std::string> keys;
  keys_of(eval::to_json(plan), false, keys);
  expect_quoted_keys_in(keys, "task_plan.dict");
  expect_quoted_keys_in(keys, "results_store.dict");
}

TEST(FuzzInputs, EveryPlanSeedIsAcceptedAndEveryStoreSeedOpens) {
  std::size_t plans = 0, stores = 0;
  for (const auto& e :
       fs::directory_iterator(source_dir() / "tests" / "fuzz" / "seeds" / "task_plan")) {
    const auto plan = eval::plan_from_json(eval::parse_plan_text(slurp(e.path())), "seed");
    EXPECT_TRUE(plan.ok()) << e.path() << ": " << plan.status().message();
    ++plans;
  }
  for (const auto& e :
       fs::directory_iterator(source_dir() / "tests" / "fuzz" / "seeds" / "results_store")) {
    // A copy: open() takes the file's lock and may write its WAL.
    const fs::path copy =
        fs::temp_directory_path() / ("orchsim_seed_" + e.path().filename().string());
    fs::copy_file(e.path(), copy, fs::copy_options::overwrite_existing);
    {
      const auto store = eval::ResultsStore::open(copy.string());
      EXPECT_TRUE(store.ok()) << e.path() << ": " << store.status().message();
      if (store.ok()) {
        const auto rows = store->read_all();
        EXPECT_TRUE(rows.ok() && !rows->empty()) << e.path();
      }
    }
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(copy.string() + suffix);
    ++stores;
  }
  EXPECT_GE(plans, 3u);
  EXPECT_GE(stores, 3u);
}

TEST(FuzzInputs, EveryReportSeedLoads) {
  std::size_t n = 0;
  for (const auto& e :
       fs::directory_iterator(source_dir() / "tests" / "fuzz" / "seeds" / "report")) {
    const gui::ReportLoad r = gui::parse_report(slurp(e.path()), e.path().string());
    EXPECT_TRUE(r.ok()) << r.error;
    ++n;
  }
  EXPECT_GE(n, 3u);
}

TEST(FuzzInputs, EveryBaselineSeedParses) {
  std::size_t n = 0;
  for (const auto& e :
       fs::directory_iterator(source_dir() / "tests" / "fuzz" / "seeds" / "baseline")) {
    const auto parsed = eval::parse_baseline(slurp(e.path()));
    EXPECT_TRUE(parsed.ok()) << e.path() << ": " << parsed.status().message();
    ++n;
  }
  EXPECT_GE(n, 2u);
}

}  // namespace
}  // namespace orchsim
