// The JSON fit report (format "orchsim_fit_report", version 1; fields in
// docs/calibration.md). NaN and infinities are written as null.
#include <cmath>

#include "scenarios/calibration/fit_report.hpp"

namespace orchsim::calibration {

namespace {

using nlohmann::ordered_json;

ordered_json num(double x) { return std::isfinite(x) ? ordered_json(x) : ordered_json(nullptr); }

ordered_json quantity_json(const QuantityFit& q) {
  ordered_json j;
  j["name"] = q.quantity;
  j["n"] = q.n;
  j["effective_n"] = num(q.effective_n);
  j["weighted"] = q.weighted;
  j["measured"] = {{"min", num(q.min)}, {"mean", num(q.mean)}, {"p50", num(q.p50)},
                   {"p90", num(q.p90)}, {"p99", num(q.p99)},   {"max", num(q.max)}};
  j["selected"] = to_string(q.chosen().fit.family);
  j["reason"] = q.reason;
  j["warnings"] = q.warnings;
  ordered_json families = ordered_json::array();
  for (const CandidateFit& c : q.candidates) {
    ordered_json f;
    f["family"] = to_string(c.fit.family);
    f["ok"] = c.fit.ok;
    if (!c.fit.ok) {
      f["failure"] = c.fit.failure;
      families.push_back(f);
      continue;
    }
    ordered_json params = ordered_json::array();
    for (const Parameter& p : c.fit.parameters) {
      params.push_back(
          {{"name", p.name}, {"value", num(p.value)}, {"std_error", num(p.std_error)}});
    }
    f["parameters"] = params;
    f["free_parameters"] = c.fit.free_parameters;
    f["log_likelihood"] =
        c.fit.family == Family::kEmpirical ? ordered_json(nullptr) : num(c.fit.log_likelihood);
    f["aic"] = num(c.fit.aic);
    f["ks_distance"] = num(c.goodness.ks_distance);
    f["ks_p_value"] = num(c.goodness.ks_p_value);
    f["adequate"] = c.adequate;
    ordered_json errors = ordered_json::array();
    for (const QuantileError& e : c.goodness.quantiles) {
      errors.push_back({{"p", e.p},
                        {"measured", num(e.measured)},
                        {"fitted", num(e.fitted)},
                        {"relative_error", num(e.relative_error)}});
    }
    f["quantile_errors"] = errors;
    f["distribution"] = c.fit.json;
    ordered_json pairs = ordered_json::array();
    for (const QuantilePair& p : c.goodness.pairs) {
      pairs.push_back({p.p, num(p.measured), num(p.fitted)});
    }
    f["quantile_pairs"] = pairs;
    families.push_back(f);
  }
  j["families"] = families;
  return j;
}

ordered_json selection_json(const SelectionOptions& s) {
  ordered_json families = ordered_json::array();
  for (Family f : s.families) families.push_back(to_string(f));
  return {{"rule", s.quantile_guard ? "aic_within_quantile_bar" : "aic"},
          {"max_relative_error",
           {{"p50", s.max_error_p50}, {"p90", s.max_error_p90}, {"p99", s.max_error_p99}}},
          {"min_ks_p_value", s.min_ks_p_value},
          {"min_samples", s.min_samples},
          {"families", families}};
}

ordered_json inputs_json(const FitReport& report) {
  ordered_json inputs = ordered_json::array();
  for (const Source& src : report.sources) {
    ordered_json i = {{"path", src.path},
                      {"format", src.format},
                      {"records", src.records},
                      {"skipped", src.skipped},
                      {"notes", src.notes}};
    if (src.concurrency) i["concurrency"] = *src.concurrency;
    inputs.push_back(i);
  }
  return inputs;
}

// Each outcome's count and rate, with its Wilson 95% interval.
ordered_json outcomes_json(const DerivedQuantities& d) {
  ordered_json outcomes;
  for (int o = 0; o < kOutcomeCount; ++o) {
    const std::uint64_t k = d.outcomes[static_cast<std::size_t>(o)];
    const auto ci = wilson_interval(k, d.calls);
    outcomes[std::string(to_string(static_cast<Outcome>(o)))] = {
        {"count", k},
        {"rate", d.calls ? static_cast<double>(k) / static_cast<double>(d.calls) : 0.0},
        {"ci95", {ci[0], ci[1]}}};
  }
  return outcomes;
}

ordered_json group_json(const FitReport& report, const GroupFit& g) {
  const DerivedQuantities& d = g.derived;
  ordered_json gj;
  gj["name"] = g.group.name;
  gj["agent"] = g.agent ? ordered_json(g.group.agent_name) : ordered_json(nullptr);
  ordered_json sources = ordered_json::array();
  for (std::uint32_t i : g.group.sources) sources.push_back(report.sources[i].path);
  gj["sources"] = sources;
  gj["calls"] = d.calls;
  gj["outcomes"] = outcomes_json(d);
  ordered_json codes = ordered_json::array();
  for (const ErrorCodeCount& c : d.error_codes) {
    codes.push_back({{"code", c.code},
                     {"outcome", to_string(c.outcome)},
                     {"recognised", c.recognised},
                     {"count", c.count}});
  }
  gj["error_codes"] = codes;
  gj["prefill_identified"] = d.prefill_identified;
  gj["prefill_ms_per_input_token"] = d.prefill_ms_per_input_token;
  gj["inter_token_constant_ms"] =
      d.inter_token_constant_ms ? num(*d.inter_token_constant_ms) : ordered_json(nullptr);
  gj["error_latency_fraction"] =
      d.error_latency_fraction ? num(*d.error_latency_fraction) : ordered_json(nullptr);
  gj["retry_after_ms"] = d.retry_after_ms ? num(*d.retry_after_ms) : ordered_json(nullptr);
  gj["client_timeout_ms"] = d.client_timeout_ms ? num(*d.client_timeout_ms) : ordered_json(nullptr);
  gj["notes"] = d.notes;
  gj["warnings"] = g.warnings;
  ordered_json quantities = ordered_json::array();
  for (const QuantityFit& q : g.quantities) quantities.push_back(quantity_json(q));
  gj["quantities"] = quantities;
  gj["fitted_agent"] = g.agent ? *g.agent : ordered_json(nullptr);
  return gj;
}

ordered_json arrival_model_json(const ArrivalModelFit& m) {
  ordered_json mj = {{"model", m.model}, {"ok", m.ok}};
  if (!m.ok) {
    mj["failure"] = m.failure;
    return mj;
  }
  mj["log_likelihood"] = num(m.log_likelihood);
  mj["free_parameters"] = m.free_parameters;
  mj["aic"] = num(m.aic);
  ordered_json params;
  for (const auto& [k, v] : m.parameters) params[k] = num(v);
  mj["parameters"] = params;
  mj["arrivals"] = m.json;
  return mj;
}

ordered_json arrivals_json(const ArrivalFit& a) {
  ordered_json aj;
  aj["arrivals"] = a.arrivals;
  aj["span_s"] = a.span_s;
  aj["mean_rate_per_s"] = a.mean_rate_per_s;
  aj["interarrival_ms"] = {{"mean", a.interarrival_mean_ms},
                           {"cv", a.interarrival_cv},
                           {"p50", a.interarrival_p50_ms},
                           {"p90", a.interarrival_p90_ms},
                           {"p99", a.interarrival_p99_ms}};
  ordered_json disp = ordered_json::array();
  for (const DispersionPoint& p : a.dispersion) {
    disp.push_back({{"window_s", p.window_s},
                    {"windows", p.windows},
                    {"mean", p.mean},
                    {"index", num(p.index)}});
  }
  aj["index_of_dispersion"] = disp;
  aj["count_window_s"] = a.count_window_s;
  aj["piece_s"] = a.piece_s;
  aj["rate_scale"] = a.rate_scale;
  ordered_json models = ordered_json::array();
  for (const ArrivalModelFit& m : a.models) models.push_back(arrival_model_json(m));
  aj["models"] = models;
  aj["selected"] = a.chosen().model;
  aj["reason"] = a.reason;
  return aj;
}

}  // namespace

ordered_json report_json(const FitReport& report) {
  ordered_json j;
  j["format"] = "orchsim_fit_report";
  j["version"] = kFitReportVersion;
  j["command"] = report.command;
  j["selection"] = selection_json(report.selection);
  j["inputs"] = inputs_json(report);
  j["notes"] = report.notes;
  ordered_json groups = ordered_json::array();
  for (const GroupFit& g : report.groups) groups.push_back(group_json(report, g));
  j["groups"] = groups;
  j["arrivals"] = report.arrivals ? arrivals_json(*report.arrivals) : ordered_json(nullptr);
  j["workload_input_tokens"] = report.workload_input_tokens
                                   ? quantity_json(*report.workload_input_tokens)
                                   : ordered_json(nullptr);
  return j;
}

}  // namespace orchsim::calibration
