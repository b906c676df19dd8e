// Automatic search for routing and resilience settings: model-based
// successive halving (BOHB, Falkner et al. 2018) with a TPE model (tpe.hpp).
//
// The schedule. Rungs are request counts: full, full/η, full/η², ... down to
// the smallest ≥ min_requests (s_max + 1 rungs). Brackets take Hyperband's
// turns (Li et al. 2018), as BOHB does: bracket b starts on rung
// b mod (s_max + 1) with n = ⌈(s_max + 1)/(s + 1) · η^s⌉ candidates (s the
// rungs above it) and keeps the best ⌊n/η^i⌋ on its i-th rung, so the first
// bracket screens many candidates on short runs and the last runs a few at
// full fidelity only. Candidates are drawn uniformly until some rung has d + 3
// results (d parameters); then a share `random_fraction` is drawn uniformly
// and the rest from the TPE model fitted to the highest such rung (BOHB's
// rule). Every candidate of every rung runs the same replication seeds
// (common random numbers), and a shorter rung is a prefix of a longer one's
// arrivals, so candidates are compared on the same requests.
//
// The ranking. A result is feasible when every constraint holds on its mean.
// Results are ranked by total constraint violation (relative to each bound),
// then by the objective's mean, then by candidate id: the same order on every
// machine. A configuration already run at a rung (the same override text) is
// not run again; its result is reused at no cost.
//
// The answer. `best`: the full-fidelity results, ranked, with the confidence
// intervals of every metric. `pareto`: the full-fidelity results that no
// other beats on the objective and all constraint metrics at once.
//
//   SearchSettings s{.full_requests = 20000, .min_requests = 740, .brackets = 6};
//   StatusOr<SearchResult> r = run_search(space, goal, constraints, s, evaluate);
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "eval/replications.hpp"
#include "eval/search_space.hpp"
#include "eval/status.hpp"

namespace orchsim::eval {

struct SearchSettings {
  std::uint64_t full_requests = 20000;  // the top rung: what every reported result ran
  std::uint64_t min_requests = 0;       // the bottom rung's floor; 0 = full / η³
  unsigned eta = 3;                     // keep 1/η of a rung for the next one
  unsigned brackets = 4;                // one Hyperband cycle at the default rungs
  // Stop before a bracket whose cost would take the requests simulated past
  // this (requests × replications, reused results free). nullopt: no cap.
  std::optional<std::uint64_t> budget_requests;
  std::uint64_t replications = 3;      // per candidate and rung (for the accounting)
  std::uint64_t seed = 1;              // the proposals' stream (not the runs' seeds)
  double random_fraction = 1.0 / 3.0;  // BOHB's default
  unsigned top = 5;                    // how many results `best` keeps
};

struct SearchCandidate {
  std::size_t id = 0;  // in order of proposal
  unsigned bracket = 0;
  bool from_model = false;  // proposed by TPE (else drawn uniformly)
  std::vector<double> point;
  std::vector<std::pair<std::string, std::string>> overrides;
};

struct SearchEvaluation {
  std::size_t candidate = 0;
  unsigned bracket = 0, rung = 0;
  std::uint64_t requests = 0;
  bool reused = false;  // the same configuration's earlier result at this rung
  // The objective first, then each constraint's metric, in order.
  std::vector<MetricSummary> metrics;
  double violation = 0.0;  // Σ violation(constraint, mean)
  bool feasible() const { return violation == 0.0; }
};

// Runs each candidate at `requests` per replication and returns every
// metric's summary for each, in candidate order (summarize() of its
// replications). A non-ok Status stops the search and is returned as is.
using SearchEvaluator = std::function<StatusOr<std::vector<std::vector<MetricSummary>>>(
    const std::vector<const SearchCandidate*>& candidates, std::uint64_t requests, unsigned bracket,
    unsigned rung)>;

struct SearchResult {
  std::vector<std::uint64_t> rungs;  // request counts, bottom first
  std::vector<SearchCandidate> candidates;
  std::vector<SearchEvaluation> evaluations;  // in the order they were made
  std::vector<std::size_t> best;              // evaluation indices at full fidelity, ranked
  std::vector<std::size_t> pareto;            // evaluation indices at full fidelity, in order
  unsigned brackets_run = 0;
  std::uint64_t requests_simulated = 0;  // requests × replications, reused results excluded
};

// The rungs for full and min at η: full/η^s, ..., full/η, full.
std::vector<std::uint64_t> search_rungs(std::uint64_t full, std::uint64_t min, unsigned eta);

// Whether result a ranks before b (feasibility, objective, candidate id).
bool ranks_before(const SearchEvaluation& a, const SearchEvaluation& b, const SearchGoal& goal);

// A bad-input Status when a metric the goal or a constraint names is not in
// the evaluator's summaries (listing close names); otherwise the evaluator's
// own Status or the search.
StatusOr<SearchResult> run_search(const std::vector<SearchParameter>& space, const SearchGoal& goal,
                                  const std::vector<SearchConstraint>& constraints,
                                  const SearchSettings& settings, const SearchEvaluator& evaluate);

}  // namespace orchsim::eval
