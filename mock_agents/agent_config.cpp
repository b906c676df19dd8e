#include "mock_agents/agent_config.hpp"

#include <cmath>
#include <optional>

#include <fmt/format.h>

namespace orchsim::mock_agents {

namespace {

class Problems {
 public:
  explicit Problems(std::vector<std::string>& out) : out_(out) {}
  void probability(const char* field, double p) {
    if (!(p >= 0.0 && p <= 1.0)) add(field, fmt::format("{}", p), "a probability in [0, 1]");
  }
  void non_negative(const char* field, double v) {
    if (!(v >= 0.0) || !std::isfinite(v)) add(field, fmt::format("{}", v), "a finite number >= 0");
  }
  void positive(const char* field, double v) {
    if (!(v > 0.0) || !std::isfinite(v)) add(field, fmt::format("{}", v), "a finite number > 0");
  }
  void never_negative(const char* field, const sim::Distribution& d) {
    if (d.cdf(-1e-12) > 0.0) add(field, d.describe(), "a distribution that is never negative");
  }
  void add(const std::string& field, const std::string& found, const std::string& expected) {
    out_.push_back(fmt::format("{}: found {}, expected {}", field, found, expected));
  }

 private:
  std::vector<std::string>& out_;
};

}  // namespace

std::vector<std::string> MockAgentConfig::validate() const {
  std::vector<std::string> out;
  Problems p(out);
  if (name.empty()) p.add("name", "\"\"", "a non-empty name");
  if (context_window_tokens <= 0) {
    p.add("context_window_tokens", std::to_string(context_window_tokens), "> 0");
  }
  if (servers == 0) p.add("servers", "0", ">= 1");
  if (queue_capacity < -1) {
    p.add("queue_capacity", std::to_string(queue_capacity), ">= 0, or -1 for unbounded");
  }

  p.never_negative("latency.base_ms", latency.base_ms);
  p.never_negative("latency.time_to_first_token_ms", latency.time_to_first_token_ms);
  p.non_negative("latency.output_tokens_per_second", latency.output_tokens_per_second);
  p.never_negative("latency.inter_token_ms", latency.inter_token_ms);
  // Two decode speeds would add up, which nobody means: give one.
  const bool has_inter_token = latency.inter_token_ms.mean() != std::optional<double>(0.0) ||
                               latency.inter_token_ms.variance() != std::optional<double>(0.0);
  if (latency.output_tokens_per_second > 0.0 && has_inter_token) {
    p.add("latency.inter_token_ms", latency.inter_token_ms.describe(),
          "no inter-token time when output_tokens_per_second is set (give one decode speed)");
  }
  p.non_negative("latency.prefill_ms_per_input_token", latency.prefill_ms_per_input_token);
  p.non_negative("latency.slowdown_alpha", latency.slowdown_alpha);
  p.non_negative("latency.slowdown_beta", latency.slowdown_beta);

  p.probability("outcomes.transient_error", outcomes.transient_error);
  p.probability("outcomes.permanent_error", outcomes.permanent_error);
  p.probability("outcomes.rate_limited", outcomes.rate_limited);
  p.probability("outcomes.hang", outcomes.hang);
  p.probability("outcomes.silent_failure", outcomes.silent_failure);
  const double total = outcomes.transient_error + outcomes.permanent_error +
                       outcomes.rate_limited + outcomes.hang + outcomes.silent_failure;
  if (total > 1.0 + 1e-12) {
    p.add("outcomes", fmt::format("rates summing to {:.6g}", total), "a sum of at most 1");
  }
  p.probability("outcomes.error_latency_fraction", outcomes.error_latency_fraction);
  if (outcomes.spontaneous_retry_after < sim::Duration::zero()) {
    p.add("outcomes.spontaneous_retry_after", sim::to_string(outcomes.spontaneous_retry_after),
          ">= 0");
  }

  p.probability("quality.base", quality.base);
  p.non_negative("quality.difficulty_weight", quality.difficulty_weight);
  p.non_negative("quality.input_weight", quality.input_weight);
  p.non_negative("quality.context_weight", quality.context_weight);
  p.non_negative("quality.noise_sd", quality.noise_sd);
  p.probability("quality.silent_quality_max", quality.silent_quality_max);
  p.non_negative("quality.confidence_noise_sd", quality.confidence_noise_sd);

  p.never_negative("tokens.output_tokens", tokens.output_tokens);
  p.non_negative("tokens.usd_per_1k_input_tokens", tokens.usd_per_1k_input_tokens);
  p.non_negative("tokens.usd_per_1k_output_tokens", tokens.usd_per_1k_output_tokens);

  for (const auto& [field, v] : {std::pair{"limits.requests_per_minute", limits.requests_per_minute},
                                 std::pair{"limits.tokens_per_minute", limits.tokens_per_minute}}) {
    if (v < 0 || v > 150'000'000) p.add(field, std::to_string(v), "0 (unlimited) or up to 1.5e8");
  }

  for (std::size_t i = 0; i < faults.size(); ++i) {
    const FaultWindow& w = faults[i];
    const std::string at = fmt::format("faults[{}]", i);
    if (w.start < sim::Time::zero() || !(w.start < w.end)) {
      p.add(at, fmt::format("[{}, {})", w.start, w.end), "0 <= start < end");
    }
    if (!(w.latency_factor > 0.0) || !std::isfinite(w.latency_factor)) {
      p.add(at + ".latency_factor", fmt::format("{}", w.latency_factor), "a finite number > 0");
    }
    if (!(w.extra_error_rate >= 0.0 && w.extra_error_rate <= 1.0)) {
      p.add(at + ".extra_error_rate", fmt::format("{}", w.extra_error_rate),
            "a probability in [0, 1]");
    }
  }

  p.probability("judge.accuracy", judge.accuracy);
  p.probability("judge.pass_threshold", judge.pass_threshold);

  if (labels.size() != label_weights.size()) {
    p.add("label_weights", fmt::format("{} weights for {} labels", label_weights.size(), labels.size()),
          "one weight per label");
  } else if (!labels.empty()) {
    double sum = 0.0;
    for (double w : label_weights) {
      if (!(w >= 0.0) || !std::isfinite(w)) p.add("label_weights", fmt::format("{}", w), ">= 0");
      sum += w;
    }
    if (!(sum > 0.0)) p.add("label_weights", "all zero", "at least one positive weight");
  }
  return out;
}

}  // namespace orchsim::mock_agents
