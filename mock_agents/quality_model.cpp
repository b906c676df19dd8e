#include "mock_agents/quality_model.hpp"

#include <algorithm>
#include <cmath>

namespace orchsim::mock_agents {

namespace {
double clamp01(double x) { return std::clamp(x, 0.0, 1.0); }
// x^w with the common weights 0 and 1 exact and without a pow() call.
double power(double x, double w) { return w == 1.0 ? x : w == 0.0 ? 1.0 : std::pow(x, w); }
}  // namespace

double quality_mean(const QualityModel& model, double difficulty, double input_quality,
                    double context_retained) {
  const double intrinsic = clamp01(model.base - model.difficulty_weight * clamp01(difficulty));
  return intrinsic * power(clamp01(input_quality), model.input_weight) *
         power(clamp01(context_retained), model.context_weight);
}

double quality_with_noise(const QualityModel& model, double mean, double z) {
  return clamp01(mean + model.noise_sd * z);
}

}  // namespace orchsim::mock_agents
