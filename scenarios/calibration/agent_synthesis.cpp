#include "scenarios/calibration/agent_synthesis.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iterator>

#include "scenarios/calibration/family_fit.hpp"

namespace orchsim::calibration {

namespace {

std::string describe_choice(const QuantityFit& q) {
  const CandidateFit& c = q.chosen();
  return fmt::format("{} {} ({})", q.quantity, to_string(c.fit.family), q.reason);
}

}  // namespace

std::optional<nlohmann::ordered_json> synthesize_agent(const GroupFit& fit,
                                                       const FitOptions& options,
                                                       const std::vector<Source>& sources) {
  const QuantityFit* ttft = fit.quantity("ttft_ms");
  if (ttft == nullptr || !ttft->chosen().fit.ok) return std::nullopt;
  const DerivedQuantities& d = fit.derived;
  using nlohmann::ordered_json;

  std::string files;
  for (std::uint32_t s : fit.group.sources) {
    files +=
        (files.empty() ? "" : ", ") + std::filesystem::path(sources[s].path).filename().string();
  }
  std::string choices = describe_choice(*ttft);
  for (const char* name : {"inter_token_ms", "output_tokens"}) {
    if (const QuantityFit* q = fit.quantity(name)) choices += "; " + describe_choice(*q);
  }
  const auto count = [&d](Outcome o) { return d.outcomes[static_cast<std::size_t>(o)]; };

  ordered_json agent;
  agent["//"] = fmt::format(
      "fitted by `{}` from {}: {} calls, {} succeeded; {}. Quality, cost and capacity are not in "
      "the measurements: defaults.",
      options.command.empty() ? "orchsim fit" : options.command, files, d.calls,
      count(Outcome::kSuccess), choices);
  agent["name"] = fit.group.agent_name;
  agent["role"] = "generator";
  agent["servers"] = options.servers;

  ordered_json latency;
  latency["time_to_first_token_ms"] = ttft->chosen().fit.json;
  if (const QuantityFit* q = fit.quantity("inter_token_ms"); q && q->chosen().fit.ok) {
    latency["inter_token_ms"] = q->chosen().fit.json;
  } else if (d.inter_token_constant_ms && *d.inter_token_constant_ms > 0) {
    latency["inter_token_ms"] = round_significant(*d.inter_token_constant_ms);
  }
  if (d.prefill_ms_per_input_token > 0) {
    latency["prefill_ms_per_input_token"] = round_significant(d.prefill_ms_per_input_token);
  }
  agent["latency"] = latency;

  ordered_json outcomes;
  const double calls = static_cast<double>(d.calls);
  const auto rate = [&](Outcome o) {
    return round_significant(static_cast<double>(count(o)) / calls);
  };
  double rates[] = {rate(Outcome::kTransient), rate(Outcome::kPermanent),
                    rate(Outcome::kRateLimited), rate(Outcome::kHang)};
  // Rounded shares may sum to a hair above 1 when every call failed.
  double sum = 0.0;
  for (double r : rates) sum += r;
  if (sum > 1.0) *std::max_element(std::begin(rates), std::end(rates)) -= sum - 1.0;
  outcomes["transient_error"] = rates[0];
  outcomes["permanent_error"] = rates[1];
  outcomes["rate_limited"] = rates[2];
  outcomes["hang"] = rates[3];
  if (d.error_latency_fraction) {
    outcomes["error_latency_fraction"] = round_significant(*d.error_latency_fraction);
  }
  if (d.retry_after_ms) outcomes["retry_after_ms"] = round_significant(*d.retry_after_ms);
  agent["outcomes"] = outcomes;

  if (const QuantityFit* q = fit.quantity("output_tokens"); q && q->chosen().fit.ok) {
    agent["tokens"] = ordered_json{{"output_tokens", q->chosen().fit.json}};
  }
  return agent;
}

}  // namespace orchsim::calibration
