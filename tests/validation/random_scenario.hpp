// Random valid scenarios for property-based tests: a pure function of a seed
// (draws from sim::RandomSource, no std:: distributions), so a failure is
// reproduced from its seed alone.
//
//   Json doc = random_scenario(17);
//   ScenarioRun r = run_document(doc);        // through the real loader
//   EXPECT_TRUE(r.invariant_violations.empty()) << doc.dump(2);
//
// What it covers (docs/validation.md, "Randomized scenarios"):
//  - agents: every latency family (with shift and truncation), token time and
//    prefill, load slowdown, servers and queue caps, per-caller bulkheads,
//    errors of each kind, hangs, silent failures, retry-after, quality and
//    confidence models, prices, rate limits, fault windows, judges, labels,
//    small context windows;
//  - workloads: every arrival process but replay (it needs a file), closed
//    loops, several classes with difficulty, input size and deadlines;
//  - workflows: call, gate (every condition), fan-out (static, map with a
//    fixed count or one from a label, both) and join (every policy and
//    merge), loops bounded by max_visits with every exhaustion outcome,
//    back edges across stages and fan-outs, failure edges;
//  - call steps: every routing policy, timeouts, retries (error kinds,
//    backoff presets and custom shapes and jitters), hedges, validators,
//    fallbacks, time budgets (redirect, decompose), context fitting (every
//    policy, summarize included), include_context, output segments, quality
//    channels, judges;
//  - resilience: retry budgets (both kinds), circuit breakers (both presets,
//    both windows), the orchestrator's bulkhead; warm-up, short drains.
// Runs are small (at most 60 requests) so that many fit in a test.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

namespace orchsim::validation {

nlohmann::ordered_json random_scenario(std::uint64_t seed);

}  // namespace orchsim::validation
