// Fits an open-loop arrival process to measured arrival instants
// (`orchsim fit --arrivals`), so that a scenario can generate "traffic like
// this", also at another volume (rate_scale), instead of replaying it.
//
//   ArrivalOptions options;                       // 60 s bins, 1 s counts, auto
//   Result<ArrivalFit> r = fit_arrivals(start_ns, options);
//   r.value().dispersion;                         // index of dispersion per window
//   r.value().chosen().json;                      // {"on_off": {...}} for a scenario
//
// Everything is computed on the counts of arrivals in consecutive windows
// of `count_window` (1 s by default) over [first arrival, last arrival]:
//   - index of dispersion of counts IDC(w) = Var N(w) / E N(w) for windows of
//     0.1, 1, 10 and 60 s (and the count window): 1 for a Poisson process,
//     above 1 for bursty traffic;
//   - poisson: one rate (k = 1);
//   - piecewise: the mean rate in each `piece` (60 s) as a piecewise_linear
//     arrival process through the pieces' midpoints (k = number of pieces);
//   - mmpp: a 2-state Markov-modulated Poisson process, fitted by EM
//     (Baum-Welch) as a hidden Markov model whose states emit Poisson counts
//     per window; its mean sojourns are window / (1 - p_stay), and it maps
//     onto the scenario format's on_off process (on = the busier state),
//     k = 4.
// The log likelihoods are all of the same window counts, so AIC compares
// them; `model` = "auto" picks the lowest AIC.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/calibration/input_error.hpp"
#include "sim/time.hpp"

namespace orchsim::calibration {

struct ArrivalOptions {
  sim::Duration count_window = sim::Duration::seconds(1);
  sim::Duration piece = sim::Duration::seconds(60);
  std::string model = "auto";  // auto | poisson | piecewise | mmpp
  // Multiplies every fitted rate (state and piece durations are kept): the
  // same burstiness at another volume.
  double rate_scale = 1.0;
};

struct DispersionPoint {
  double window_s = 0.0;
  std::size_t windows = 0;
  double mean = 0.0;   // arrivals per window
  double index = 0.0;  // variance / mean
};

struct ArrivalModelFit {
  std::string model{};  // poisson | piecewise | mmpp
  bool ok = false;
  std::string failure{};
  double log_likelihood = 0.0;
  int free_parameters = 0;
  double aic = 0.0;
  std::vector<std::pair<std::string, double>> parameters{};  // rates per second, durations in s
  nlohmann::ordered_json json{};  // the scenario's "arrivals" object (with rate_scale applied)
};

struct ArrivalFit {
  std::size_t arrivals = 0;
  double span_s = 0.0;
  double mean_rate_per_s = 0.0;
  double interarrival_mean_ms = 0.0, interarrival_cv = 0.0;
  double interarrival_p50_ms = 0.0, interarrival_p90_ms = 0.0, interarrival_p99_ms = 0.0;
  std::vector<DispersionPoint> dispersion{};
  std::vector<ArrivalModelFit> models{};  // poisson, piecewise, mmpp
  std::size_t selected = 0;
  std::string reason{};
  double rate_scale = 1.0;
  double count_window_s = 1.0;
  double piece_s = 60.0;

  const ArrivalModelFit& chosen() const { return models[selected]; }
};

// `start_ns`: arrival instants on any clock (sorted here). At least 10, over
// a span of at least two count windows; else an InputError (file left empty
// for the caller to fill).
Result<ArrivalFit> fit_arrivals(std::vector<std::int64_t> start_ns, const ArrivalOptions& options);

}  // namespace orchsim::calibration
