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

// A group's measured values. The successful calls' are paired by index:
// TTFT with the call's input tokens, latency and output tokens (-1 where a
// value is missing), or, without TTFT, latency with output tokens.
struct GroupValues {
  std::vector<double> ttft, latency_with_ttft, out_with_ttft, in_with_ttft;
  std::vector<double> latency_only, out_with_latency;
  std::vector<double> outputs, inputs, success_latency, error_latency, retry_after, hang_latency;
};

// The group's calls counted into `q` (calls, outcomes, error codes), and
// their values sorted for the estimates.
GroupValues tally(const Measurements& m, const Group& group, DerivedQuantities& q) {
  GroupValues v;
  std::map<std::string, ErrorCodeCount> codes;
  for (std::size_t index : group.observations) {
    const Observation& o = m.observations[index];
    ++q.calls;
    ++q.outcomes[static_cast<std::size_t>(o.outcome)];
    if (o.input_tokens) v.inputs.push_back(static_cast<double>(*o.input_tokens));
    if (o.outcome != Outcome::kSuccess) {
      auto& c = codes[o.error_code];
      c.code = o.error_code;
      c.outcome = o.outcome;
      c.recognised = o.error_recognised;
      ++c.count;
      if (o.outcome == Outcome::kHang) {
        if (o.latency_ms) v.hang_latency.push_back(*o.latency_ms);
      } else if (o.latency_ms) {
        v.error_latency.push_back(*o.latency_ms);
      }
      if (o.retry_after_ms) v.retry_after.push_back(*o.retry_after_ms);
      continue;
    }
    if (o.output_tokens) v.outputs.push_back(static_cast<double>(*o.output_tokens));
    if (o.latency_ms) v.success_latency.push_back(*o.latency_ms);
    if (o.ttft_ms) {
      v.ttft.push_back(*o.ttft_ms);
      v.in_with_ttft.push_back(o.input_tokens ? static_cast<double>(*o.input_tokens) : -1.0);
      v.latency_with_ttft.push_back(o.latency_ms ? *o.latency_ms : -1.0);
      v.out_with_ttft.push_back(o.output_tokens ? static_cast<double>(*o.output_tokens) : -1.0);
    } else if (o.latency_ms && o.output_tokens) {
      v.latency_only.push_back(*o.latency_ms);
      v.out_with_latency.push_back(static_cast<double>(*o.output_tokens));
    } else if (o.latency_ms) {
      v.latency_only.push_back(*o.latency_ms);
      v.out_with_latency.push_back(-1.0);
    }
  }
  for (auto& [code, c] : codes) q.error_codes.push_back(c);
  return v;
}

// Prefill: only where the inputs vary enough to see it.
void estimate_prefill(const GroupValues& v, DerivedQuantities& q) {
  std::vector<double> xs, ys;
  for (std::size_t i = 0; i < v.ttft.size(); ++i) {
    if (v.in_with_ttft[i] >= 0) {
      xs.push_back(v.in_with_ttft[i]);
      ys.push_back(v.ttft[i]);
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
}

// Time to first token without the prefill estimated for its input; at least
// 0.001 ms.
std::vector<double> first_token_times(const GroupValues& v, DerivedQuantities& q) {
  std::vector<double> first;
  std::size_t clamped = 0;
  for (std::size_t i = 0; i < v.ttft.size(); ++i) {
    double t = v.ttft[i];
    if (q.prefill_ms_per_input_token > 0 && v.in_with_ttft[i] >= 0) {
      t -= q.prefill_ms_per_input_token * v.in_with_ttft[i];
    }
    if (t <= 0.0) {
      ++clamped;
      t = 1e-3;
    }
    first.push_back(t);
  }
  if (clamped > 0) {
    q.notes.push_back(
        fmt::format("{} calls had TTFT below their prefill estimate: taken as "
                    "0.001 ms",
                    clamped));
  }
  return first;
}

// Decode: per call, weighted by its tokens.
void estimate_decode(const GroupValues& v, DerivedQuantities& q) {
  std::vector<double> per_token, weight;
  for (std::size_t i = 0; i < v.ttft.size(); ++i) {
    if (v.latency_with_ttft[i] < 0 || v.out_with_ttft[i] < 1) continue;
    per_token.push_back(std::max(0.0, v.latency_with_ttft[i] - v.ttft[i]) / v.out_with_ttft[i]);
    weight.push_back(v.out_with_ttft[i]);
  }
  std::size_t positive = 0;
  for (double t : per_token) positive += t > 0 ? 1 : 0;
  if (positive == 0) return;
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

// Without TTFT: latency split into a time to first token and a constant
// inter-token time, when output tokens vary enough to see the slope.
void split_latency(const GroupValues& v, DerivedQuantities& q) {
  std::vector<double> xs, ys;
  for (std::size_t i = 0; i < v.latency_only.size(); ++i) {
    if (v.out_with_latency[i] >= 0) {
      xs.push_back(v.out_with_latency[i]);
      ys.push_back(v.latency_only[i]);
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
  for (std::size_t i = 0; i < v.latency_only.size(); ++i) {
    const double tokens = v.out_with_latency[i] >= 0 ? v.out_with_latency[i] : 0.0;
    first.push_back(std::max(1e-3, v.latency_only[i] - slope * tokens));
  }
  q.ttft_ms = Sample::of(std::move(first));
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
  const GroupValues v = tally(m, group, q);
  if (!v.outputs.empty()) q.output_tokens = Sample::of(v.outputs);
  if (!v.inputs.empty()) q.input_tokens = Sample::of(v.inputs);
  if (!v.success_latency.empty()) {
    q.success_latency_p50_ms = median(v.success_latency);
    q.measured_latency_ms = Sample::of(v.success_latency);
  }
  if (!v.ttft.empty()) q.measured_ttft_ms = Sample::of(v.ttft);

  if (!v.ttft.empty()) {
    estimate_prefill(v, q);
    q.ttft_ms = Sample::of(first_token_times(v, q));
    estimate_decode(v, q);
  } else if (!v.latency_only.empty()) {
    split_latency(v, q);
  }

  if (!v.error_latency.empty() && q.success_latency_p50_ms && *q.success_latency_p50_ms > 0) {
    q.error_latency_fraction =
        std::clamp(median(v.error_latency) / *q.success_latency_p50_ms, 0.0, 1.0);
  }
  if (!v.retry_after.empty()) q.retry_after_ms = median(v.retry_after);
  if (!v.hang_latency.empty()) q.client_timeout_ms = median(v.hang_latency);
  return q;
}

}  // namespace orchsim::calibration
