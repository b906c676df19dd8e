#include "scenarios/calibration/agent_quantities.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "scenarios/calibration/theil_sen.hpp"

namespace orchsim::calibration {

namespace {

// The linear-interpolation median (as Sample::quantile(0.5)), by selection
// rather than a full sort.
double median(std::vector<double> v) {
  const std::size_t n = v.size();
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>((n - 1) / 2);
  std::nth_element(v.begin(), mid, v.end());
  if (n % 2 == 1) return *mid;
  return 0.5 * (*mid + *std::min_element(mid + 1, v.end()));
}

// At least 10 distinct values spanning a factor of 2: enough spread in a
// regressor to estimate a slope on it.
bool varies(const std::vector<double>& v) {
  if (v.size() < 10) return false;
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  if (!(*hi >= 2.0 * std::max(*lo, 1.0))) return false;
  std::vector<double> seen;
  for (double x : v) {
    if (std::find(seen.begin(), seen.end(), x) == seen.end()) {
      seen.push_back(x);
      if (seen.size() >= 10) return true;
    }
  }
  return false;
}

}  // namespace

std::array<double, 2> wilson_interval(std::uint64_t k, std::uint64_t n) {
  if (n == 0) return {0.0, 1.0};
  constexpr double z = 1.959963984540054;
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(k) / nn;
  const double centre = (p + z * z / (2 * nn)) / (1 + z * z / nn);
  const double half = z / (1 + z * z / nn) * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn));
  // At k = 0 (or n) the bound is exactly 0 (or 1); the formula leaves rounding dust.
  return {k == 0 ? 0.0 : std::max(0.0, centre - half), k == n ? 1.0 : std::min(1.0, centre + half)};
}

DerivedQuantities derive_quantities(const Measurements& m, const Group& group) {
  DerivedQuantities q;
  std::map<std::string, ErrorCodeCount> codes;
  // Successful calls' paired values.
  std::vector<double> ttft, latency_with_ttft, out_with_ttft, in_with_ttft;
  std::vector<double> latency_only, out_with_latency;
  std::vector<double> outputs, inputs, success_latency, error_latency, retry_after, hang_latency;
  for (std::size_t index : group.observations) {
    const Observation& o = m.observations[index];
    ++q.calls;
    ++q.outcomes[static_cast<std::size_t>(o.outcome)];
    if (o.input_tokens) inputs.push_back(static_cast<double>(*o.input_tokens));
    if (o.outcome != Outcome::kSuccess) {
      auto& c = codes[o.error_code];
      c.code = o.error_code;
      c.outcome = o.outcome;
      c.recognised = o.error_recognised;
      ++c.count;
      if (o.outcome == Outcome::kHang) {
        if (o.latency_ms) hang_latency.push_back(*o.latency_ms);
      } else if (o.latency_ms) {
        error_latency.push_back(*o.latency_ms);
      }
      if (o.retry_after_ms) retry_after.push_back(*o.retry_after_ms);
      continue;
    }
    if (o.output_tokens) outputs.push_back(static_cast<double>(*o.output_tokens));
    if (o.latency_ms) success_latency.push_back(*o.latency_ms);
    if (o.ttft_ms) {
      ttft.push_back(*o.ttft_ms);
      in_with_ttft.push_back(o.input_tokens ? static_cast<double>(*o.input_tokens) : -1.0);
      latency_with_ttft.push_back(o.latency_ms ? *o.latency_ms : -1.0);
      out_with_ttft.push_back(o.output_tokens ? static_cast<double>(*o.output_tokens) : -1.0);
    } else if (o.latency_ms && o.output_tokens) {
      latency_only.push_back(*o.latency_ms);
      out_with_latency.push_back(static_cast<double>(*o.output_tokens));
    } else if (o.latency_ms) {
      latency_only.push_back(*o.latency_ms);
      out_with_latency.push_back(-1.0);
    }
  }
  for (auto& [code, c] : codes) q.error_codes.push_back(c);
  if (!outputs.empty()) q.output_tokens = Sample::of(outputs);
  if (!inputs.empty()) q.input_tokens = Sample::of(inputs);
  if (!success_latency.empty()) {
    q.success_latency_p50_ms = median(success_latency);
    q.measured_latency_ms = Sample::of(success_latency);
  }
  if (!ttft.empty()) q.measured_ttft_ms = Sample::of(ttft);

  if (!ttft.empty()) {
    // Prefill: only where the inputs vary enough to see it.
    std::vector<double> xs, ys;
    for (std::size_t i = 0; i < ttft.size(); ++i) {
      if (in_with_ttft[i] >= 0) {
        xs.push_back(in_with_ttft[i]);
        ys.push_back(ttft[i]);
      }
    }
    if (varies(xs)) {
      q.prefill_identified = true;
      const auto slope = theil_sen_slope(xs, ys);
      q.prefill_ms_per_input_token = slope && *slope > 0 ? *slope : 0.0;
      q.notes.push_back(fmt::format(
          "prefill: {:.6g} ms per input token (Theil-Sen slope of TTFT on input tokens{})",
          q.prefill_ms_per_input_token, slope && *slope <= 0 ? ", which was <= 0" : ""));
    } else if (!xs.empty()) {
      q.notes.push_back(
          "prefill: not identifiable (input tokens do not vary): it is part of "
          "the time to first token");
    }
    std::vector<double> first;
    std::size_t clamped = 0;
    for (std::size_t i = 0; i < ttft.size(); ++i) {
      double v = ttft[i];
      if (q.prefill_ms_per_input_token > 0 && in_with_ttft[i] >= 0) {
        v -= q.prefill_ms_per_input_token * in_with_ttft[i];
      }
      if (v <= 0.0) {
        ++clamped;
        v = 1e-3;
      }
      first.push_back(v);
    }
    if (clamped > 0) {
      q.notes.push_back(
          fmt::format("{} calls had TTFT below their prefill estimate: taken as "
                      "0.001 ms",
                      clamped));
    }
    q.ttft_ms = Sample::of(std::move(first));
    // Decode: per call, weighted by its tokens.
    std::vector<double> per_token, weight;
    for (std::size_t i = 0; i < ttft.size(); ++i) {
      if (latency_with_ttft[i] < 0 || out_with_ttft[i] < 1) continue;
      per_token.push_back(std::max(0.0, latency_with_ttft[i] - ttft[i]) / out_with_ttft[i]);
      weight.push_back(out_with_ttft[i]);
    }
    std::size_t positive = 0;
    for (double v : per_token) positive += v > 0 ? 1 : 0;
    if (positive > 0) {
      // Zero decode times (one token, or a clock that did not move) cannot be
      // fitted by the positive families; they carry almost no token weight.
      std::vector<double> pv, pw;
      for (std::size_t i = 0; i < per_token.size(); ++i) {
        if (per_token[i] > 0) {
          pv.push_back(per_token[i]);
          pw.push_back(weight[i]);
        }
      }
      if (pv.size() < per_token.size()) {
        q.notes.push_back(fmt::format("{} calls with no decode time left out of inter_token_ms",
                                      per_token.size() - pv.size()));
      }
      q.inter_token_ms = Sample::weighted(std::move(pv), std::move(pw));
    }
  } else if (!latency_only.empty()) {
    std::vector<double> xs, ys;
    for (std::size_t i = 0; i < latency_only.size(); ++i) {
      if (out_with_latency[i] >= 0) {
        xs.push_back(out_with_latency[i]);
        ys.push_back(latency_only[i]);
      }
    }
    double slope = 0.0;
    if (varies(xs)) {
      const auto s = theil_sen_slope(xs, ys);
      slope = s && *s > 0 ? *s : 0.0;
      q.inter_token_constant_ms = slope;
      q.notes.push_back(fmt::format(
          "TTFT not recorded: inter-token time {:.6g} ms from the Theil-Sen slope of latency on "
          "output tokens; time to first token = latency - slope x output tokens",
          slope));
    } else {
      q.notes.push_back(
          "TTFT not recorded and output tokens do not vary: the whole latency is "
          "the time to first token (decode time cannot be separated)");
    }
    std::vector<double> first;
    for (std::size_t i = 0; i < latency_only.size(); ++i) {
      const double tokens = out_with_latency[i] >= 0 ? out_with_latency[i] : 0.0;
      first.push_back(std::max(1e-3, latency_only[i] - slope * tokens));
    }
    q.ttft_ms = Sample::of(std::move(first));
  }

  if (!error_latency.empty() && q.success_latency_p50_ms && *q.success_latency_p50_ms > 0) {
    q.error_latency_fraction =
        std::clamp(median(error_latency) / *q.success_latency_p50_ms, 0.0, 1.0);
  }
  if (!retry_after.empty()) q.retry_after_ms = median(retry_after);
  if (!hang_latency.empty()) q.client_timeout_ms = median(hang_latency);
  return q;
}

}  // namespace orchsim::calibration
