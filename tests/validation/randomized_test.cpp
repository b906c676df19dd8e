// Property-based tests: random valid scenarios (random_scenario.hpp) go
// through the real loader, run with the invariant checker attached, and feed
// every metamorphic relation that applies to them (relations.hpp).
//
// A failure prints the seed and the whole scenario. To reproduce one seed:
//   ORCHSIM_RANDOM_SEED=<seed> build/dev/bin/validation_tests --gtest_filter='Randomized.*'
// (ORCHSIM_RANDOM_EVENTS=1 also prints every event of that run), and to try
// more scenarios than CI does:
//   ORCHSIM_RANDOM_SCENARIOS=5000 build/dev/bin/validation_tests --gtest_filter='Randomized.*'
// (docs/validation.md, "Randomized scenarios").
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "tests/validation/random_scenario.hpp"
#include "tests/validation/relations.hpp"
#include "tests/validation/scenario_run.hpp"

namespace orchsim::validation {
namespace {

// CI runs this many scenarios, seeds 1 .. N: enough for every relation to
// apply many times and every feature to appear (GeneratorCoversEveryFeature),
// and a few seconds in the dev build.
constexpr std::uint64_t kScenariosInCi = 40;

std::vector<std::uint64_t> seeds() {
  if (const char* one = std::getenv("ORCHSIM_RANDOM_SEED"); one && *one) {
    return {std::stoull(one)};
  }
  std::uint64_t n = kScenariosInCi;
  if (const char* many = std::getenv("ORCHSIM_RANDOM_SCENARIOS"); many && *many) {
    n = std::stoull(many);
  }
  std::vector<std::uint64_t> out;
  for (std::uint64_t s = 1; s <= n; ++s) out.push_back(s);
  return out;
}

std::string reproduce(std::uint64_t seed, const Json& doc) {
  return fmt::format(
      "\nrandom scenario seed {} (reproduce: ORCHSIM_RANDOM_SEED={} "
      "build/dev/bin/validation_tests --gtest_filter='Randomized.*'):\n{}\n",
      seed, seed, doc.dump(2));
}

TEST(Randomized, ScenariosLoadRunAndKeepEveryInvariant) {
  std::uint64_t completed = 0;
  const std::vector<std::uint64_t> all = seeds();
  for (const std::uint64_t seed : all) {
    const Json doc = random_scenario(seed);
    // Reproducing one seed: show the scenario first, in case the run crashes.
    if (all.size() == 1) std::cout << reproduce(seed, doc) << std::flush;
    const ScenarioRun r = run_document(doc);
    // ... and, asked for, every event of the run.
    if (all.size() == 1 && std::getenv("ORCHSIM_RANDOM_EVENTS")) {
      for (const std::string& line : r.events) std::cout << line << '\n';
    }
    if (!r.ok()) {
      ADD_FAILURE() << r.error << reproduce(seed, doc);
      continue;
    }
    if (r.invariant_violation_count > 0) {
      std::string list;
      for (const std::string& v : r.invariant_violations) list += "\n  " + v;
      ADD_FAILURE() << r.invariant_violation_count << " invariant violations:" << list
                    << reproduce(seed, doc);
    }
    completed += r.result.completed;
  }
  EXPECT_GT(completed, 0u) << "no random scenario completed a single request";
}

TEST(Randomized, RelationsHoldOnRandomScenarios) {
  std::map<std::string, int> applied;
  const std::vector<std::uint64_t> all = seeds();
  for (const std::uint64_t seed : all) {
    const Json doc = random_scenario(seed);
    for (const Relation& relation : relations::for_any_scenario(seed)) {
      const Verdict v = evaluate(relation, doc);
      applied[relation.name] += v.kind == Verdict::Kind::kHolds;
      if (v.kind == Verdict::Kind::kBroken) {
        ADD_FAILURE() << "relation " << relation.name << " broken: " << v.detail
                      << reproduce(seed, doc);
      }
    }
  }
  // A relation that never applies tests nothing: each must have held on a
  // share of the scenarios (the ones with the narrowest preconditions
  // apply least often).
  for (const auto& [name, n] : applied) {
    std::cout << "[randomized] " << name << " held on " << n << " of " << all.size()
              << " scenarios\n";
  }
  if (all.size() < kScenariosInCi) return;  // one seed being reproduced
  for (const Relation& relation : relations::for_any_scenario(0)) {
    EXPECT_GE(applied[relation.name], static_cast<int>(all.size() / 10))
        << relation.name << " applied to only " << applied[relation.name] << " of " << all.size()
        << " scenarios";
  }
}

}  // namespace
}  // namespace orchsim::validation
