// Fuzz target: the baseline file that `orchsim check --baseline` reads
// (eval/baseline.hpp): parsing, the header, the comparison against a run and
// the text and JUnit reports, plus the baseline's "sets" applied to a
// scenario as check applies them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "eval/baseline.hpp"
#include "eval/statistics.hpp"
#include "scenarios/scenario.hpp"

namespace {

// The smallest scenario the overrides can be applied to.
constexpr const char* kScenario = R"({
  "version": 1, "name": "fuzz",
  "agents": [{"name": "a", "latency": {"base_ms": {"constant": 5}}}],
  "workload": {"arrivals": {"poisson": {"rate_per_s": 10}}},
  "run": {"seed": 1, "requests": 10},
  "workflow": {"nodes": [{"name": "n", "type": "call", "agents": ["a"], "next": "done"},
                         {"name": "done", "type": "terminal"}]}})";

constexpr std::size_t kMaxMetrics = 64;  // enough to reach every branch, few enough to stay fast

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace orchsim;
  using J = nlohmann::ordered_json;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const eval::StatusOr<J> parsed = eval::parse_baseline(text);
  if (!parsed.ok()) return 0;  // refused, with a message: fine
  const J& doc = *parsed;
  const eval::StatusOr<eval::BaselineInfo> info = eval::baseline_info(doc);
  if (!info.ok()) std::abort();  // parse_baseline accepted what baseline_info refuses

  // A run that moved every metric by a different amount, some not at all.
  std::map<std::string, eval::Tolerance> tolerances;
  std::vector<eval::MetricSummary> current;
  for (const auto& [name, tol] : eval::default_tolerances()) {
    if (doc["metrics"].contains(name)) tolerances[name] = tol;
  }
  std::size_t i = 0;
  for (const auto& [name, metric] : doc["metrics"].items()) {
    if (i++ == kMaxMetrics) break;
    tolerances.emplace(name, eval::Tolerance{eval::Tolerance::Kind::kAbsolute, 0.5});
    if (i % 5 == 0) continue;  // missing from the run
    const double x = metric.is_object() && metric.contains("mean") && metric["mean"].is_number()
                         ? metric["mean"].get<double>()
                         : 1.0;
    const double shift = static_cast<double>(i % 3);
    const std::vector<double> values = {x + shift, x + shift * 1.5, x};
    current.push_back({name, eval::stats::confidence_interval(values), values});
  }
  // Every tolerance names one of the baseline's metrics: no refusal here.
  const eval::StatusOr<eval::CheckReport> report =
      eval::check_against_baseline(doc, current, tolerances);
  if (!report.ok()) std::abort();
  std::ostringstream out;
  eval::write_check_text(out, *report);
  eval::write_junit(out, *report);

  scenarios::LoadOptions options;
  options.overrides = info->overrides;
  (void)scenarios::parse_scenario(kScenario, "fuzz/scenario.json", options);
  return 0;
}
