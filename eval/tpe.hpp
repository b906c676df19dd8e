// The Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kégl,
// NeurIPS 2011), the sampler of Hyperopt and Optuna's default, as BOHB
// (Falkner, Klein & Hutter, ICML 2018) pairs it with successive halving.
//
// The points seen so far, ranked best first, are split into the best
// ⌈γ·n⌉ ("good") and the rest. Each group gets a density per parameter: a
// mixture of normals truncated to [0, 1], one at each point with a bandwidth
// from its neighbours' distances, plus a wide prior component; a categorical
// parameter gets choice frequencies with one pseudo-count each. Candidates are
// drawn from the good density and the one with the largest ratio
// good(x) / rest(x) is proposed: where good points are dense and the others
// are not. Parameters are modelled independently, as in Hyperopt.
//
// Why TPE and not a Gaussian process or NLopt: it handles integer and
// categorical parameters natively (NLopt's algorithms are continuous), costs
// O(n) a proposal, has no kernel hyperparameters to fit, and is a few dozen
// lines over the project's own RNG, so proposals are the same bits on every
// machine.
//
//   sim::RandomStream rng = sim::RandomSource(seed).stream("search", bracket);
//   std::vector<double> x = propose_tpe(space, ranked_points, rng);
#pragma once

#include <vector>

#include "eval/search_space.hpp"
#include "sim/random.hpp"

namespace orchsim::eval {

struct TpeSettings {
  double gamma = 0.25;       // share of the ranked points that are "good" (Hyperopt's default)
  unsigned candidates = 24;  // draws from the good density per proposal (Hyperopt/Optuna: 24)
};

// A point drawn uniformly: u ~ U[0, 1) per numeric parameter, a choice index
// uniformly per categorical one.
std::vector<double> random_point(const std::vector<SearchParameter>& space, sim::RandomStream& rng);

// The next point to try, given `ranked` (points of the space, best first; at
// least 2). Deterministic in (space, ranked, rng's state).
std::vector<double> propose_tpe(const std::vector<SearchParameter>& space,
                                const std::vector<std::vector<double>>& ranked,
                                sim::RandomStream& rng, const TpeSettings& settings = {});

// log of the Parzen density of u ∈ [0, 1] for one numeric parameter over
// `centers` (the bandwidth rule above, prior included). Exposed for tests.
double parzen_log_density(const std::vector<double>& centers, double u);

}  // namespace orchsim::eval
