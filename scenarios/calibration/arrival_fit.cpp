#include "scenarios/calibration/arrival_fit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "scenarios/calibration/family_fit.hpp"
#include "scenarios/calibration/sample.hpp"

namespace orchsim::calibration {

namespace {

using nlohmann::ordered_json;

// ln P(N = c) for N ~ Poisson(mu); mu = 0 gives 0 for c = 0 and -inf otherwise.
double log_poisson(double c, double mu) {
  if (mu <= 0.0) return c == 0.0 ? 0.0 : -std::numeric_limits<double>::infinity();
  return c * std::log(mu) - mu - std::lgamma(c + 1.0);
}

// Counts are held one per window: a span this many windows long is refused
// (found by fuzz_fit_azure: timestamps years apart asked for 10 GB of counts).
constexpr std::int64_t kMaxCountWindows = 10'000'000;

std::vector<double> window_counts(const std::vector<std::int64_t>& t, std::int64_t window,
                                  bool full_windows_only) {
  const std::int64_t span = t.back();
  std::size_t windows = static_cast<std::size_t>(span / window) + 1;
  if (full_windows_only) windows = static_cast<std::size_t>(span / window);
  std::vector<double> counts(windows, 0.0);
  for (std::int64_t x : t) {
    const auto k = static_cast<std::size_t>(x / window);
    if (k < windows) counts[k] += 1.0;
  }
  return counts;
}

void finish(ArrivalModelFit& m, double ll, int k) {
  m.ok = std::isfinite(ll);
  if (!m.ok) m.failure = "the likelihood is not finite";
  m.log_likelihood = ll;
  m.free_parameters = k;
  m.aic = 2.0 * k - 2.0 * ll;
}

ArrivalModelFit fit_poisson(const std::vector<double>& counts, double window_s, double scale) {
  ArrivalModelFit m;
  m.model = "poisson";
  double total = 0.0;
  for (double c : counts) total += c;
  const double mu = total / static_cast<double>(counts.size());
  double ll = 0.0;
  for (double c : counts) ll += log_poisson(c, mu);
  const double rate = round_significant(mu / window_s * scale);
  m.parameters = {{"rate_per_s", rate}};
  m.json = {{"poisson", {{"rate_per_s", rate}}}};
  finish(m, ll, 1);
  return m;
}

ArrivalModelFit fit_piecewise(const std::vector<double>& counts, double window_s, double piece_s,
                              double scale) {
  ArrivalModelFit m;
  m.model = "piecewise";
  const auto per_piece =
      std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(piece_s / window_s)));
  const std::size_t pieces = (counts.size() + per_piece - 1) / per_piece;
  if (pieces < 2) {
    m.failure = "the trace is shorter than two pieces";
    return m;
  }
  double ll = 0.0;
  ordered_json points = ordered_json::array();
  for (std::size_t j = 0; j < pieces; ++j) {
    const std::size_t begin = j * per_piece, end = std::min(counts.size(), begin + per_piece);
    double total = 0.0;
    for (std::size_t k = begin; k < end; ++k) total += counts[k];
    const double mu = total / static_cast<double>(end - begin);
    for (std::size_t k = begin; k < end; ++k) ll += log_poisson(counts[k], mu);
    const double mid_s =
        (static_cast<double>(begin) + static_cast<double>(end - begin) / 2.0) * window_s;
    points.push_back({round_significant(mid_s), round_significant(mu / window_s * scale)});
  }
  m.parameters = {{"pieces", static_cast<double>(pieces)}, {"piece_s", piece_s}};
  m.json = {{"piecewise_linear", {{"points", points}}}};
  finish(m, ll, static_cast<int>(pieces));
  return m;
}

// A two-state Poisson hidden Markov model of window counts, fitted by
// Baum-Welch with scaled forward-backward recursions. It starts from the
// lower and upper halves of the counts' mean rates, states that stay 90%.
class TwoStatePoissonHmm {
 public:
  explicit TwoStatePoissonHmm(const std::vector<double>& counts)
      : counts_(counts),
        n_(counts.size()),
        alpha_(2 * n_),
        beta_(2 * n_),
        scales_(n_),
        emit_(2 * n_),
        log_factorial_(n_) {
    std::vector<double> sorted = counts;
    std::sort(sorted.begin(), sorted.end());
    double low = 0.0, high = 0.0;
    std::size_t nl = 0, nh = 0;
    for (std::size_t i = 0; i < n_; ++i) {
      if (i < n_ / 2) {
        low += sorted[i];
        ++nl;
      } else {
        high += sorted[i];
        ++nh;
      }
    }
    lambda[0] = std::max(low / static_cast<double>(nl), 1e-3);
    lambda[1] = std::max(high / static_cast<double>(nh), 2e-3);
    if (lambda[1] <= lambda[0]) lambda[1] = lambda[0] * 2.0;
    for (std::size_t t = 0; t < n_; ++t) log_factorial_[t] = std::lgamma(counts[t] + 1.0);
  }

  // One EM iteration. Returns the log-likelihood of the parameters it
  // started from, or nullopt when the forward pass underflowed.
  std::optional<double> iterate() {
    emissions();
    const std::optional<double> ll = forward();
    if (!ll) return std::nullopt;
    backward();
    update();
    return ll;
  }

  double lambda[2] = {0.0, 0.0};              // counts per window in each state
  double a[2][2] = {{0.9, 0.1}, {0.1, 0.9}};  // a[s][r]: from state s to r, per window
  double pi[2] = {0.5, 0.5};                  // the first window's state

 private:
  // The Poisson probabilities of each window's count, scaled by the larger
  // term: one exp per window, and no underflow (scales_ keeps the log).
  void emissions() {
    const double log_lambda[2] = {std::log(lambda[0]), std::log(lambda[1])};
    for (std::size_t t = 0; t < n_; ++t) {
      const double e0 = counts_[t] * log_lambda[0] - lambda[0] - log_factorial_[t];
      const double e1 = counts_[t] * log_lambda[1] - lambda[1] - log_factorial_[t];
      if (e0 >= e1) {
        emit_[2 * t] = 1.0;
        emit_[2 * t + 1] = std::exp(e1 - e0);
        scales_[t] = e0;
      } else {
        emit_[2 * t] = std::exp(e0 - e1);
        emit_[2 * t + 1] = 1.0;
        scales_[t] = e1;
      }
    }
  }

  // Alpha, normalised per window; scales_ becomes each window's normaliser.
  std::optional<double> forward() {
    double ll = 0.0;
    for (std::size_t t = 0; t < n_; ++t) {
      double sum = 0.0;
      for (int s = 0; s < 2; ++s) {
        const double prior =
            t == 0 ? pi[s] : alpha_[2 * (t - 1)] * a[0][s] + alpha_[2 * (t - 1) + 1] * a[1][s];
        alpha_[2 * t + s] = prior * emit_[2 * t + s];
        sum += alpha_[2 * t + s];
      }
      if (!(sum > 0.0)) return std::nullopt;
      alpha_[2 * t] /= sum;
      alpha_[2 * t + 1] /= sum;
      ll += std::log(sum) + scales_[t];
      scales_[t] = sum;
    }
    return ll;
  }

  void backward() {
    const std::size_t n = n_;
    beta_[2 * (n - 1)] = beta_[2 * (n - 1) + 1] = 1.0;
    for (std::size_t t = n - 1; t-- > 0;) {
      for (int s = 0; s < 2; ++s) {
        beta_[2 * t + s] = (a[s][0] * emit_[2 * (t + 1)] * beta_[2 * (t + 1)] +
                            a[s][1] * emit_[2 * (t + 1) + 1] * beta_[2 * (t + 1) + 1]) /
                           scales_[t + 1];
      }
    }
  }

  // M step.
  void update() {
    double gamma_sum[2] = {0, 0}, weighted[2] = {0, 0}, xi[2][2] = {{0, 0}, {0, 0}};
    double from[2] = {0, 0};
    for (std::size_t t = 0; t < n_; ++t) {
      for (int s = 0; s < 2; ++s) {
        const double g = alpha_[2 * t + s] * beta_[2 * t + s];
        gamma_sum[s] += g;
        weighted[s] += g * counts_[t];
        if (t + 1 < n_) {
          from[s] += g;
          for (int r = 0; r < 2; ++r) {
            xi[s][r] += alpha_[2 * t + s] * a[s][r] * emit_[2 * (t + 1) + r] *
                        beta_[2 * (t + 1) + r] / scales_[t + 1];
          }
        }
      }
    }
    const double start = alpha_[0] * beta_[0] + alpha_[1] * beta_[1];
    for (int s = 0; s < 2; ++s) {
      pi[s] = start > 0 ? alpha_[s] * beta_[s] / start : 0.5;
      lambda[s] = gamma_sum[s] > 0 ? std::max(weighted[s] / gamma_sum[s], 1e-9) : lambda[s];
      for (int r = 0; r < 2; ++r) a[s][r] = from[s] > 0 ? xi[s][r] / from[s] : a[s][r];
    }
  }

  const std::vector<double>& counts_;
  std::size_t n_;
  std::vector<double> alpha_, beta_, scales_, emit_, log_factorial_;
};

// On/off traffic: a two-state Poisson hidden Markov model of the counts.
ArrivalModelFit fit_mmpp(const std::vector<double>& counts, double window_s, double scale) {
  ArrivalModelFit m;
  m.model = "mmpp";
  const std::size_t n = counts.size();
  if (n < 10) {
    m.failure = "fewer than 10 windows";
    return m;
  }
  TwoStatePoissonHmm hmm(counts);
  double ll = -std::numeric_limits<double>::infinity();
  // EM converges in tens of iterations when the states separate; on traffic
  // with one rate it creeps, so it stops at a relative change of 1e-8 or 300
  // iterations (the likelihood is then flat: the parameters barely matter).
  // Past 10^4 windows (2.8 hours of 1 s windows) the cap shrinks so that the
  // work stays near 3x10^6 window-steps, at least 10 iterations:
  // fuzz_fit_azure found 15 arrivals six days apart (518,400 windows, nearly
  // all empty) taking minutes under the sanitizers, seconds without.
  constexpr std::size_t kMaxWindowSteps = 3'000'000;
  const int max_iterations =
      static_cast<int>(std::clamp<std::size_t>(kMaxWindowSteps / n, 10, 300));
  for (int iteration = 0; iteration < max_iterations; ++iteration) {
    const std::optional<double> next_ll = hmm.iterate();
    if (!next_ll) {
      m.failure = "the forward pass underflowed";
      return m;
    }
    const double change = *next_ll - ll;
    ll = *next_ll;
    if (iteration > 0 && std::fabs(change) <= 1e-8 * std::fabs(ll)) break;
  }
  const double* lambda = hmm.lambda;
  const int on = lambda[1] >= lambda[0] ? 1 : 0, off = 1 - on;
  const double leave_on = hmm.a[on][off], leave_off = hmm.a[off][on];
  if (!(leave_on > 1e-12) || !(leave_off > 1e-12) || !(lambda[on] > lambda[off] * 1.0001)) {
    m.failure = "the two states did not separate (the counts look like one Poisson rate)";
    return m;
  }
  const double on_rate = round_significant(lambda[on] / window_s * scale);
  const double off_rate = round_significant(lambda[off] / window_s * scale);
  const double mean_on = round_significant(window_s / leave_on);
  const double mean_off = round_significant(window_s / leave_off);
  m.parameters = {{"on_rate_per_s", on_rate},
                  {"off_rate_per_s", off_rate},
                  {"mean_on_s", mean_on},
                  {"mean_off_s", mean_off}};
  m.json = {{"on_off",
             {{"on_rate_per_s", on_rate},
              {"off_rate_per_s", off_rate},
              {"mean_on_s", mean_on},
              {"mean_off_s", mean_off}}}};
  finish(m, ll, 4);
  return m;
}

// --rate-scale and --arrival-model.
std::optional<InputError> check_options(const ArrivalOptions& options) {
  if (!(options.rate_scale > 0.0) || !std::isfinite(options.rate_scale)) {
    return InputError{.message = fmt::format("--rate-scale: found {}, expected a number > 0",
                                             options.rate_scale)};
  }
  if (options.model != "auto" && options.model != "poisson" && options.model != "piecewise" &&
      options.model != "mmpp") {
    return InputError{.message = fmt::format("--arrival-model: found '{}', expected auto, "
                                             "poisson, piecewise or mmpp",
                                             options.model)};
  }
  return std::nullopt;
}

// The arrivals (sorted, from 0) span at least two count windows and at most
// kMaxCountWindows.
std::optional<InputError> check_span(const std::vector<std::int64_t>& start_ns,
                                     const ArrivalOptions& options) {
  const std::int64_t window = options.count_window.count_ns();
  if (window <= 0 || start_ns.back() / 2 < window) {  // not 2 * window: it may overflow
    return InputError{.message = fmt::format("--arrivals: the arrivals span {:.3f} s, expected at "
                                             "least two count windows ({} s each)",
                                             static_cast<double>(start_ns.back()) * 1e-9,
                                             options.count_window.seconds_f())};
  }
  if (start_ns.back() / window > kMaxCountWindows) {
    return InputError{.message = fmt::format(
                          "--arrivals: the arrivals span {:.0f} s, {} count windows of {} s; "
                          "expected at most {} windows (a longer --arrival-window)",
                          static_cast<double>(start_ns.back()) * 1e-9, start_ns.back() / window,
                          options.count_window.seconds_f(), kMaxCountWindows)};
  }
  return std::nullopt;
}

// The gaps between arrivals: mean, coefficient of variation, quantiles.
void describe_gaps(const std::vector<std::int64_t>& start_ns, ArrivalFit& f) {
  std::vector<double> gaps;
  for (std::size_t i = 1; i < start_ns.size(); ++i) {
    gaps.push_back(static_cast<double>(start_ns[i] - start_ns[i - 1]) * 1e-6);
  }
  const Sample g = Sample::of(gaps);
  f.interarrival_mean_ms = g.mean();
  double var = 0.0;
  for (double x : gaps) var += (x - g.mean()) * (x - g.mean());
  var /= static_cast<double>(gaps.size());
  f.interarrival_cv = g.mean() > 0 ? std::sqrt(var) / g.mean() : 0.0;
  f.interarrival_p50_ms = g.quantile(0.5);
  f.interarrival_p90_ms = g.quantile(0.9);
  f.interarrival_p99_ms = g.quantile(0.99);
}

// The index of dispersion of counts at 0.1 s, 1 s, 10 s, 60 s and the
// count window, over full windows only.
std::vector<DispersionPoint> dispersion(const std::vector<std::int64_t>& start_ns,
                                        std::int64_t window) {
  std::vector<DispersionPoint> out;
  std::vector<std::int64_t> windows = {100'000'000, 1'000'000'000, 10'000'000'000, 60'000'000'000};
  if (std::find(windows.begin(), windows.end(), window) == windows.end()) windows.push_back(window);
  std::sort(windows.begin(), windows.end());
  for (std::int64_t w : windows) {
    if (start_ns.back() / w > kMaxCountWindows) continue;  // too fine for this span
    const std::vector<double> c = window_counts(start_ns, w, /*full_windows_only=*/true);
    if (c.size() < 2) continue;
    double mean = 0.0;
    for (double x : c) mean += x;
    mean /= static_cast<double>(c.size());
    double v = 0.0;
    for (double x : c) v += (x - mean) * (x - mean);
    v /= static_cast<double>(c.size() - 1);
    out.push_back({.window_s = static_cast<double>(w) * 1e-9,
                   .windows = c.size(),
                   .mean = mean,
                   .index = mean > 0 ? v / mean : 0.0});
  }
  return out;
}

// The model: the lowest AIC of those that fitted, or the one asked for
// (which must have fitted).
std::optional<InputError> select_model(ArrivalFit& f, const ArrivalOptions& options) {
  if (options.model == "auto") {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < f.models.size(); ++i) {
      if (f.models[i].ok && (!best || f.models[i].aic < f.models[*best].aic)) best = i;
    }
    f.selected = best.value_or(0);
    f.reason = "lowest AIC";
    return std::nullopt;
  }
  for (std::size_t i = 0; i < f.models.size(); ++i) {
    if (f.models[i].model == options.model) f.selected = i;
  }
  f.reason = "asked for";
  if (!f.models[f.selected].ok) {
    return InputError{.message = fmt::format("--arrival-model {}: {}", options.model,
                                             f.models[f.selected].failure)};
  }
  return std::nullopt;
}

}  // namespace

Result<ArrivalFit> fit_arrivals(std::vector<std::int64_t> start_ns, const ArrivalOptions& options) {
  if (std::optional<InputError> e = check_options(options)) return std::move(*e);
  if (start_ns.size() < 10) {
    return InputError{.message = fmt::format("--arrivals: found {} arrival times, expected at "
                                             "least 10",
                                             start_ns.size())};
  }
  std::sort(start_ns.begin(), start_ns.end());
  // Times from different clocks, or a damaged file, may lie centuries apart:
  // more than an int64 of nanoseconds (292 years) would overflow below.
  if (start_ns.front() < 0 &&
      start_ns.back() > std::numeric_limits<std::int64_t>::max() + start_ns.front()) {
    return InputError{.message =
                          "--arrivals: the arrival times span more than 292 years, "
                          "expected the times of one trace"};
  }
  const std::int64_t origin = start_ns.front();
  for (auto& t : start_ns) t -= origin;
  if (std::optional<InputError> e = check_span(start_ns, options)) return std::move(*e);
  const std::int64_t window = options.count_window.count_ns();
  ArrivalFit f;
  f.arrivals = start_ns.size();
  f.span_s = static_cast<double>(start_ns.back()) * 1e-9;
  f.mean_rate_per_s = static_cast<double>(f.arrivals - 1) / f.span_s;
  f.rate_scale = options.rate_scale;
  f.count_window_s = options.count_window.seconds_f();
  f.piece_s = options.piece.seconds_f();
  describe_gaps(start_ns, f);
  f.dispersion = dispersion(start_ns, window);

  const std::vector<double> counts = window_counts(start_ns, window, /*full_windows_only=*/false);
  const double window_s = options.count_window.seconds_f();
  f.models.push_back(fit_poisson(counts, window_s, options.rate_scale));
  f.models.push_back(
      fit_piecewise(counts, window_s, options.piece.seconds_f(), options.rate_scale));
  f.models.push_back(fit_mmpp(counts, window_s, options.rate_scale));
  if (std::optional<InputError> e = select_model(f, options)) return std::move(*e);
  return f;
}

}  // namespace orchsim::calibration
