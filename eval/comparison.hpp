// Paired comparison of variants on common random numbers.
//
// Every variant runs the same replication seeds as the base, so replication i
// of both faces the same world (request difficulties, agent latencies and
// failures are keyed by seed and identity, not by draw order). The paired
// difference variant[i] − base[i] then carries far less noise than the
// difference of two independent means. compare() reports, per metric, the
// paired mean difference with its 95% CI, Welch's unpaired CI on the same
// data, and how many times narrower the paired interval is.
//
//   ReplicationSet base = run_replications(s0, o), v = run_replications(s1, o);
//   for (const MetricComparison& c : compare(base.metrics, v.metrics)) ...
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eval/run_metrics.hpp"
#include "eval/statistics.hpp"

namespace orchsim::eval {

struct MetricComparison {
  std::string name;
  std::size_t pairs = 0;  // replications where both values exist
  double base_mean = 0.0, variant_mean = 0.0;
  stats::ConfidenceInterval paired;    // of variant − base
  stats::ConfidenceInterval unpaired;  // Welch, same data
  // unpaired.half_width / paired.half_width: > 1 when pairing narrowed the
  // interval; NaN when either is undefined or the paired width is 0.
  double width_ratio = 0.0;
  bool significant() const {  // the paired CI excludes 0
    return paired.has_interval() && (paired.low() > 0.0 || paired.high() < 0.0);
  }
};

// Metrics in the base's flatten order; both inputs are per-replication metrics
// on the same seeds, in the same order. Sizes that differ are a bug in the
// caller (a plan runs every configuration on the same seeds): it throws
// std::invalid_argument, a logic_error that no command catches.
std::vector<MetricComparison> compare(const std::vector<RunMetrics>& base,
                                      const std::vector<RunMetrics>& variant, double level = 0.95);

nlohmann::ordered_json to_json(const MetricComparison& c);

}  // namespace orchsim::eval
