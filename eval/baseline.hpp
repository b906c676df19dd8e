// Baselines and regression checks.
//
// save: the per-metric mean, sd and 95% CI over R replications, with what was
// run (scenario, overrides, first seed, replications, requests), as JSON.
// check: the same metrics of a new run against the baseline, each within a
// tolerance: rel:x (|new − base| ≤ x·|base|) or abs:x (|new − base| ≤ x).
// Metrics with a known direction (latency and cost lower is better, success
// and quality higher) fail only when they got worse beyond the tolerance;
// other metrics fail on a change either way. Only metrics with a tolerance
// (the defaults plus --tolerance ones) are checked.
//
//   nlohmann::ordered_json b = make_baseline(info, summaries);
//   StatusOr<CheckReport> rep = check_against_baseline(b, new_summaries, tolerances);
//   if (!rep.ok()) return rep.status();  // not a baseline: bad input
//   write_check_text(std::cout, *rep);  // then rep->passed()
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "eval/replications.hpp"
#include "eval/status.hpp"

namespace orchsim::eval {

inline constexpr const char* kBaselineFormat = "orchsim-baseline";
inline constexpr int kBaselineVersion = 1;

struct BaselineInfo {
  std::string scenario;
  std::vector<std::pair<std::string, std::string>> overrides;
  std::uint64_t seed = 1;
  std::uint64_t replications = 1;
  std::optional<std::uint64_t> requests;
};

nlohmann::ordered_json make_baseline(const BaselineInfo& info,
                                     const std::vector<MetricSummary>& summaries);
// Reads back what make_baseline wrote. A document that is not a baseline is
// kBadInput, its message naming the key (a JSON pointer), what was found and
// what was expected: "baseline: /seed: found -1, expected an integer ...".
StatusOr<BaselineInfo> baseline_info(const nlohmann::ordered_json& baseline);
// The text of a baseline file, as `orchsim check` reads it: parsed and its
// header checked by baseline_info(); kBadInput when it is not JSON or not a
// baseline.
StatusOr<nlohmann::ordered_json> parse_baseline(const std::string& text);

struct Tolerance {
  enum class Kind { kRelative, kAbsolute } kind = Kind::kRelative;
  double value = 0.05;
};
// "metric=rel:0.05" or "metric=abs:10"; nullopt when malformed.
std::optional<std::pair<std::string, Tolerance>> parse_tolerance(const std::string& spec);
// Tolerances for the key metrics, used unless overridden.
std::map<std::string, Tolerance> default_tolerances();

enum class Direction { kLowerIsBetter, kHigherIsBetter, kEither };
Direction metric_direction(const std::string& metric);

struct MetricCheck {
  std::string name;
  Tolerance tolerance;
  Direction direction = Direction::kEither;
  std::optional<double> base_mean, new_mean;
  std::optional<double> base_low, base_high, new_low, new_high;
  double diff = 0.0;  // new − base
  bool passed = true;
  std::string status;  // "ok", "regressed", "changed", "improved", "missing"
};

struct CheckReport {
  std::string scenario;
  std::vector<MetricCheck> metrics;  // sorted by name
  bool passed() const;
  std::size_t failures() const;
};

// kBadInput when the baseline is not one (baseline_info) or a tolerance names
// a metric that the baseline does not have.
StatusOr<CheckReport> check_against_baseline(const nlohmann::ordered_json& baseline,
                                             const std::vector<MetricSummary>& current,
                                             const std::map<std::string, Tolerance>& tolerances);

std::string to_string(const Tolerance& t);
void write_check_text(std::ostream& out, const CheckReport& report);
void write_junit(std::ostream& out, const CheckReport& report);

}  // namespace orchsim::eval
