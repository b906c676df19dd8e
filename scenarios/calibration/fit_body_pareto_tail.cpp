// A body and a Pareto tail: with probability 1 - w a lognormal truncated to
// (0, u], with probability w a Pareto with scale u and tail index alpha.
// For each candidate threshold u (the sample's 80th, 85th, 90th and 95th
// percentiles, when at least 10 values lie above and 20 at or below), w is
// the share of weight above u, alpha is Hill's estimator
//   alpha = W_tail / sum_{x > u} w ln(x / u),
// and the truncated lognormal is fitted by maximum likelihood (Nelder-Mead
// on mu and ln sigma; its likelihood needs only the weighted sums of ln x
// and (ln x)^2, so each evaluation costs O(1)). The threshold with the
// highest likelihood wins; u counts as a parameter (k = 5: mu, sigma, u, w,
// alpha). Standard errors: alpha / sqrt(W_tail); w from the binomial;
// mu and sigma from the observed information (a numerical Hessian).
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <numbers>

#include "scenarios/calibration/family_fit.hpp"
#include "scenarios/calibration/fit_support.hpp"

namespace orchsim::calibration {

namespace {

// ln Phi(z); erfc keeps its relative accuracy far into the lower tail.
double log_normal_cdf(double z) {
  return std::log(0.5 * boost::math::erfc(-z / std::numbers::sqrt2));
}

struct BodySums {
  double w = 0.0, s1 = 0.0, s2 = 0.0;  // sum w, sum w ln x, sum w (ln x)^2 over x <= u
};

// Log likelihood of the truncated lognormal body, without the -sum w ln x term.
double body_ll(const BodySums& b, double log_u, double mu, double sigma) {
  const double squares = b.s2 - 2.0 * mu * b.s1 + mu * mu * b.w;
  return -b.w * (std::log(sigma) + 0.5 * std::log(2.0 * std::numbers::pi)) -
         squares / (2.0 * sigma * sigma) - b.w * log_normal_cdf((log_u - mu) / sigma);
}

struct Candidate {
  bool ok = false;
  double u = 0, w_tail = 0, alpha = 0, mu = 0, sigma = 0, ll = 0;
  double tail_weight = 0, se_mu = 0, se_sigma = 0;
};

Candidate fit_at(const Sample& s, double u) {
  Candidate c;
  const auto& x = s.values();
  const auto& w = s.weights();
  BodySums body;
  double tail = 0.0, tail_log = 0.0, all_log = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double lx = std::log(x[i]);
    all_log += w[i] * lx;
    if (x[i] <= u) {
      body.w += w[i];
      body.s1 += w[i] * lx;
      body.s2 += w[i] * lx * lx;
    } else {
      tail += w[i];
      tail_log += w[i] * (lx - std::log(u));
    }
  }
  if (tail < 10.0 || body.w < 20.0 || !(tail_log > 0.0)) return c;
  const double total = body.w + tail;
  const double mean = body.s1 / body.w;
  const double var = std::max(body.s2 / body.w - mean * mean, 1e-12);
  const double log_u = std::log(u);
  const auto negative_ll = [&](const std::array<double, 2>& p) {
    const double v = -body_ll(body, log_u, p[0], std::exp(p[1]));
    return std::isfinite(v) ? v : 1e300;
  };
  const auto best =
      nelder_mead_2d(negative_ll, {mean, 0.5 * std::log(var)}, {0.5 * std::sqrt(var), 0.3});
  c.mu = round_significant(best[0]);
  c.sigma = round_significant(std::exp(best[1]));
  c.u = u;
  c.w_tail = round_significant(tail / total);
  c.alpha = round_significant(tail / tail_log);
  c.tail_weight = tail;
  // Observed information of (mu, sigma) by central differences.
  const double h_mu = 1e-4 * std::max(1.0, std::fabs(c.mu)), h_s = 1e-4 * c.sigma;
  const auto f = [&](double m, double sg) { return body_ll(body, log_u, m, sg); };
  const double f0 = f(c.mu, c.sigma);
  const double fmm = (f(c.mu + h_mu, c.sigma) - 2 * f0 + f(c.mu - h_mu, c.sigma)) / (h_mu * h_mu);
  const double fss = (f(c.mu, c.sigma + h_s) - 2 * f0 + f(c.mu, c.sigma - h_s)) / (h_s * h_s);
  const double fms = (f(c.mu + h_mu, c.sigma + h_s) - f(c.mu + h_mu, c.sigma - h_s) -
                      f(c.mu - h_mu, c.sigma + h_s) + f(c.mu - h_mu, c.sigma - h_s)) /
                     (4 * h_mu * h_s);
  const double det = fmm * fss - fms * fms;
  // The weights sum to the count; information scales with the effective size.
  const double scale = static_cast<double>(s.size()) / s.effective_size();
  c.se_mu = det > 0 ? std::sqrt(-fss / det * scale) : std::nan("");
  c.se_sigma = det > 0 ? std::sqrt(-fmm / det * scale) : std::nan("");
  // Whole log likelihood at the rounded parameters.
  const double wt = c.w_tail;
  c.ll = body_ll(body, log_u, c.mu, c.sigma) - body.s1 + body.w * std::log1p(-wt) +
         tail * std::log(wt) + tail * (std::log(c.alpha) + c.alpha * log_u) -
         (c.alpha + 1.0) * (all_log - body.s1);
  c.ok = std::isfinite(c.ll);
  return c;
}

}  // namespace

FamilyFit fit_body_pareto_tail(const Sample& s) {
  if (s.size() < 50) return failed_fit(Family::kBodyParetoTail, "fewer than 50 values");
  if (s.distinct() < 2)
    return failed_fit(Family::kBodyParetoTail, "no spread (one distinct value)");
  if (!all_positive(s)) return failed_fit(Family::kBodyParetoTail, "values <= 0");
  Candidate best;
  for (double p : {0.80, 0.85, 0.90, 0.95}) {
    const double u = round_significant(s.quantile(p));
    if (!(u > s.min() && u < s.max())) continue;
    const Candidate c = fit_at(s, u);
    if (c.ok && (!best.ok || c.ll > best.ll)) best = c;
  }
  if (!best.ok) {
    return failed_fit(Family::kBodyParetoTail,
                      "no threshold with >= 10 values above it and >= 20 below");
  }
  FamilyFit f;
  f.family = Family::kBodyParetoTail;
  const double n = s.effective_size();
  f.parameters = {{"mu", best.mu, best.se_mu},
                  {"sigma", best.sigma, best.se_sigma},
                  {"threshold", best.u, std::nan("")},
                  {"tail_weight", best.w_tail, std::sqrt(best.w_tail * (1 - best.w_tail) / n)},
                  {"alpha", best.alpha,
                   best.alpha / std::sqrt(best.tail_weight * n / static_cast<double>(s.size()))}};
  const double body_weight = round_significant(1.0 - best.w_tail);
  f.distribution = sim::Distribution::mixture(
      {body_weight, best.w_tail},
      {sim::Distribution::lognormal(best.mu, best.sigma).truncated(0.0, best.u),
       sim::Distribution::pareto(best.u, best.alpha)});
  f.json = {
      {"mixture",
       {{{"weight", body_weight},
         {"of",
          {{"lognormal", {{"mu", best.mu}, {"sigma", best.sigma}}}, {"truncate", {0, best.u}}}}},
        {{"weight", best.w_tail},
         {"of", {{"pareto", {{"scale", best.u}, {"alpha", best.alpha}}}}}}}}};
  finish_fit(f, best.ll, 5);
  return f;
}

}  // namespace orchsim::calibration
