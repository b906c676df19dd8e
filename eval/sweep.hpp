// Grid sweeps, Pareto frontiers and the RouteLLM cost–quality metrics.
//
// A grid is a list of axes (/json/pointer, values); the configurations are
// their cartesian product, the last axis varying fastest. Each configuration
// is the scenario loaded with the base overrides then the point's overrides,
// run for R replications on the same seeds (common random numbers across
// points), one row per configuration. Definitions: docs/evaluation.md.
//
//   std::vector<GridAxis> grid = {parse_grid("/run/requests=200,400").value()};
//   StatusOr<SweepResult> r = run_sweep("rag_orchestrated", {}, grid, options);
//   if (r.ok()) mark_pareto(r->points);
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "eval/metric_names.hpp"
#include "eval/replications.hpp"
#include "eval/status.hpp"

namespace orchsim::eval {

struct GridAxis {
  std::string pointer;
  std::vector<std::string> values;
};

// "/ptr=v1,v2,..." → axis; commas inside [...], {...} or "..." do not split
// (so /a/agents=["x","y"],["y"] has two values). nullopt when malformed.
std::optional<GridAxis> parse_grid(const std::string& spec);
// Splits at commas outside brackets, braces and quotes.
std::vector<std::string> split_top_level(const std::string& s, char separator = ',');
// The cartesian product: each element one (pointer, value) per axis.
std::vector<std::vector<std::pair<std::string, std::string>>> grid_points(
    const std::vector<GridAxis>& axes);

// Pareto frontier over (p99 latency ↓, cost per request ↓, quality ↑): a
// point is on the frontier when no other point is at least as good on all
// three and strictly better on one. Points with a missing objective are not.
struct Objectives {
  std::optional<double> p99_ms, cost_usd, quality;
};
std::vector<bool> pareto_front(const std::vector<Objectives>& points);

// RouteLLM (Ong et al. 2024). PGR = (q − q_weak) / (q_strong − q_weak).
// Precondition: q_strong != q_weak (summarize_sweep checks it first); a call
// that breaks it is a bug and throws std::invalid_argument, a logic_error.
double performance_gap_recovered(double q_router, double q_weak, double q_strong);
struct RouterPoint {
  double strong_fraction;  // share of calls sent to the strong model, in [0, 1]
  double pgr;
};
// The curve sorted by strong fraction (ties by PGR) with (0, 0) and (1, 1)
// added; fractions are clamped to [0, 1].
std::vector<RouterPoint> router_curve(std::vector<RouterPoint> points);
// Area under PGR against strong fraction over [0, 1] (trapezoid on router_curve()).
double apgr(const std::vector<RouterPoint>& points);
// The smallest strong fraction at which PGR ≥ target (e.g. 0.5 for CPT(50%)),
// linearly interpolated along router_curve(); nullopt when never reached.
std::optional<double> call_performance_threshold(const std::vector<RouterPoint>& points,
                                                 double target);

struct SweepPoint {
  std::vector<std::pair<std::string, std::string>> overrides;  // this point's grid values
  std::vector<MetricSummary> summaries;
  bool pareto = false;
  std::optional<double> strong_fraction, pgr;  // with a RouterSpec
};

struct RouterSpec {
  std::string strong_agent;  // its calls_started / requests.arrived is the strong fraction
  std::vector<std::pair<std::string, std::string>> weak_overrides;    // an always-weak reference
  std::vector<std::pair<std::string, std::string>> strong_overrides;  // an always-strong reference
  std::string quality_metric = std::string(metric::kQualityMean);
};

struct SweepResult {
  std::vector<SweepPoint> points;
  std::optional<double> q_weak, q_strong, apgr;
  std::optional<double> cpt50, cpt80;
};

// Strong fraction of one replication's metrics: the strong agent's
// calls_started over requests.arrived, clamped to [0, 1]; nullopt when the
// agent is not in the run.
std::optional<double> strong_fraction(const RunMetrics& metrics, const std::string& strong_agent);

// kBadInput (with the loader's diagnostics) when a point's scenario does not load.
StatusOr<SweepResult> run_sweep(
    const std::string& scenario,
    const std::vector<std::pair<std::string, std::string>>& base_overrides,
    const std::vector<GridAxis>& grid, const ReplicationOptions& options,
    const std::optional<RouterSpec>& router = std::nullopt);

// The same result from replication sets already run (by run_sweep, or read
// from a results store): `points[i]` is grid_points(grid)[i]; with a router,
// `weak` and `strong` are the reference runs. Marks the Pareto frontier.
SweepResult summarize_sweep(const std::vector<GridAxis>& grid,
                            const std::vector<const ReplicationSet*>& points,
                            const std::optional<RouterSpec>& router = std::nullopt,
                            const ReplicationSet* weak = nullptr,
                            const ReplicationSet* strong = nullptr);

// Marks SweepPoint::pareto from the summaries' means.
void mark_pareto(std::vector<SweepPoint>& points);

// The key columns: latency_ms.all.p99, per_request.cost_usd, quality.mean, ...
const std::vector<std::string>& sweep_key_metrics();
void write_sweep_csv(std::ostream& out, const std::vector<GridAxis>& grid, const SweepResult& r);
nlohmann::ordered_json sweep_to_json(const std::vector<GridAxis>& grid, const SweepResult& r);

}  // namespace orchsim::eval
