#include "mock_agents/quality_model.hpp"

#include <algorithm>
#include <cmath>

namespace orchsim::mock_agents {

namespace {
double clamp01(double x) { return std::clamp(x, 0.0, 1.0); }
}  // namespace

double quality_mean(const QualityModel& model, double difficulty, double input_quality,
                    double context_retained) {
  const double intrinsic = clamp01(model.base - model.difficulty_weight * clamp01(difficulty));
  return intrinsic * std::pow(clamp01(input_quality), model.input_weight) *
         std::pow(clamp01(context_retained), model.context_weight);
}

double quality_with_noise(const QualityModel& model, double mean, double z) {
  return clamp01(mean + model.noise_sd * z);
}

}  // namespace orchsim::mock_agents
