// The documented quality model of a mock agent (docs/quality-model.md).
//
//   double m = expected_quality_before_noise(model, difficulty, input_q, retained);
//   double q = sample_quality(model, m, z);   // z ~ N(0, 1), keyed per call
//
// Monotone by construction: for fixed noise z, q never rises with difficulty
// and never falls with input quality or retained context (weights >= 0).
#pragma once

#include "mock_agents/agent_config.hpp"

namespace orchsim::mock_agents {

// m = clamp(base - difficulty_weight * difficulty, 0, 1)
//     * input_quality^input_weight * context_retained^context_weight
double quality_mean(const QualityModel& model, double difficulty, double input_quality,
                    double context_retained);

// clamp(mean + noise_sd * z, 0, 1).
double quality_with_noise(const QualityModel& model, double mean, double z);

}  // namespace orchsim::mock_agents
