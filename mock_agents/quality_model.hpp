// The documented quality model of a mock agent (docs/quality-model.md).
//
//   double m = quality_mean(model, difficulty, input_q, retained);
//   double q = quality_with_noise(model, m, z);   // z ~ N(0, 1), keyed per call
//
// Monotone by construction: for fixed noise z, q never rises with difficulty
// and never falls with input quality or retained context (weights >= 0).
// Header-only: both run once per successful call.
#pragma once

#include <algorithm>
#include <cmath>

#include "mock_agents/agent_config.hpp"

namespace orchsim::mock_agents {

namespace quality_detail {
inline double clamp01(double x) { return std::clamp(x, 0.0, 1.0); }
// x^w with the common weights 0 and 1 exact and without a pow() call.
inline double power(double x, double w) { return w == 1.0 ? x : w == 0.0 ? 1.0 : std::pow(x, w); }
}  // namespace quality_detail

// m = clamp(base - difficulty_weight * difficulty, 0, 1)
//     * input_quality^input_weight * context_retained^context_weight
inline double quality_mean(const QualityModel& model, double difficulty, double input_quality,
                           double context_retained) {
  using quality_detail::clamp01;
  using quality_detail::power;
  const double intrinsic = clamp01(model.base - model.difficulty_weight * clamp01(difficulty));
  return intrinsic * power(clamp01(input_quality), model.input_weight) *
         power(clamp01(context_retained), model.context_weight);
}

// clamp(mean + noise_sd * z, 0, 1).
inline double quality_with_noise(const QualityModel& model, double mean, double z) {
  return quality_detail::clamp01(mean + model.noise_sd * z);
}

}  // namespace orchsim::mock_agents
