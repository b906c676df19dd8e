#include "eval/tpe.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/distribution.hpp"

namespace orchsim::eval {
namespace {

constexpr double kPriorMean = 0.5;
constexpr double kPriorSigma = 1.0;  // the whole unit range, as Optuna's prior

struct Component {
  double mean, sigma;
};

// One component per center plus the prior. A center's bandwidth is the larger
// distance to its neighbours (the range's ends and the prior's mean count as
// neighbours), clipped to [1/min(100, n + 1), 1]: Optuna's rule, which keeps
// a lone point from collapsing to a spike and many from spreading past the range.
std::vector<Component> components(const std::vector<double>& centers) {
  std::vector<double> sorted = centers;
  sorted.push_back(kPriorMean);
  std::sort(sorted.begin(), sorted.end());
  const double min_sigma = 1.0 / std::min(100.0, static_cast<double>(centers.size()) + 1.0);
  std::vector<Component> out;
  out.reserve(centers.size() + 1);
  for (double c : centers) {
    const auto at = std::lower_bound(sorted.begin(), sorted.end(), c);
    const double left = at == sorted.begin() ? c : c - *(at - 1);
    const auto next = std::upper_bound(sorted.begin(), sorted.end(), c);
    const double right = next == sorted.end() ? 1.0 - c : *next - c;
    out.push_back({c, std::clamp(std::max(left, right), min_sigma, 1.0)});
  }
  out.push_back({kPriorMean, kPriorSigma});
  return out;
}

// The mass of N(mean, sigma²) inside [0, 1].
double unit_mass(const Component& k) {
  return sim::special::normal_cdf((1.0 - k.mean) / k.sigma) -
         sim::special::normal_cdf(-k.mean / k.sigma);
}

double log_density(const std::vector<Component>& mixture, double u) {
  double sum = 0.0;
  for (const Component& k : mixture) {
    const double z = (u - k.mean) / k.sigma;
    sum += std::exp(-0.5 * z * z) / (k.sigma * unit_mass(k));
  }
  constexpr double kInvSqrt2Pi = 0.39894228040143267794;
  return std::log(sum * kInvSqrt2Pi / static_cast<double>(mixture.size()));
}

double draw(const std::vector<Component>& mixture, sim::RandomStream& rng) {
  const Component& k = mixture[rng.below(mixture.size())];
  // Rejection from the untruncated normal: each try lands inside with
  // probability unit_mass(k) ≥ 0.38 (for sigma ≤ 1), so 64 tries fail with
  // probability < 1e-13; clamping then is harmless.
  double u = k.mean;
  for (int tries = 0; tries < 64; ++tries) {
    u = k.mean + k.sigma * rng.standard_normal();
    if (u >= 0.0 && u <= 1.0) return u;
  }
  return std::clamp(u, 0.0, 1.0);
}

// Choice frequencies with one pseudo-count per choice.
std::vector<double> choice_probabilities(const std::vector<double>& indices, std::size_t k) {
  std::vector<double> p(k, 1.0);
  for (double i : indices) p[static_cast<std::size_t>(i)] += 1.0;
  const double total = static_cast<double>(indices.size() + k);
  for (double& v : p) v /= total;
  return p;
}

std::size_t draw_choice(const std::vector<double>& p, sim::RandomStream& rng) {
  double u = rng.uniform01();
  for (std::size_t i = 0; i + 1 < p.size(); ++i) {
    if (u < p[i]) return i;
    u -= p[i];
  }
  return p.size() - 1;
}

// One parameter's good and rest models, numeric or categorical.
struct Marginal {
  std::vector<Component> good, rest;
  std::vector<double> good_p, rest_p;
};

Marginal marginal(const SearchParameter& p, std::size_t dim,
                  const std::vector<std::vector<double>>& ranked, std::size_t n_good) {
  std::vector<double> good, rest;
  for (std::size_t i = 0; i < ranked.size(); ++i)
    (i < n_good ? good : rest).push_back(ranked[i][dim]);
  Marginal m;
  if (p.categorical()) {
    m.good_p = choice_probabilities(good, p.cardinality());
    m.rest_p = choice_probabilities(rest, p.cardinality());
  } else {
    m.good = components(good);
    m.rest = components(rest);
  }
  return m;
}

}  // namespace

double parzen_log_density(const std::vector<double>& centers, double u) {
  return log_density(components(centers), u);
}

std::vector<double> random_point(const std::vector<SearchParameter>& space,
                                 sim::RandomStream& rng) {
  std::vector<double> x;
  x.reserve(space.size());
  for (const SearchParameter& p : space) {
    x.push_back(p.categorical() ? static_cast<double>(rng.below(p.cardinality()))
                                : rng.uniform01());
  }
  return x;
}

std::vector<double> propose_tpe(const std::vector<SearchParameter>& space,
                                const std::vector<std::vector<double>>& ranked,
                                sim::RandomStream& rng, const TpeSettings& settings) {
  const std::size_t n_good = std::clamp<std::size_t>(
      static_cast<std::size_t>(std::ceil(settings.gamma * static_cast<double>(ranked.size()))), 1,
      ranked.size() - 1);
  std::vector<Marginal> marginals;
  marginals.reserve(space.size());
  for (std::size_t d = 0; d < space.size(); ++d)
    marginals.push_back(marginal(space[d], d, ranked, n_good));

  std::vector<double> best;
  double best_score = -std::numeric_limits<double>::infinity();
  for (unsigned c = 0; c < std::max(1u, settings.candidates); ++c) {
    std::vector<double> x(space.size());
    double score = 0.0;
    for (std::size_t d = 0; d < space.size(); ++d) {
      const Marginal& m = marginals[d];
      if (space[d].categorical()) {
        const std::size_t i = draw_choice(m.good_p, rng);
        x[d] = static_cast<double>(i);
        score += std::log(m.good_p[i]) - std::log(m.rest_p[i]);
      } else {
        x[d] = draw(m.good, rng);
        score += log_density(m.good, x[d]) - log_density(m.rest, x[d]);
      }
    }
    if (best.empty() || score > best_score) {
      best = std::move(x);
      best_score = score;
    }
  }
  return best;
}

}  // namespace orchsim::eval
