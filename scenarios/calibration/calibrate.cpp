#include "scenarios/calibration/calibrate.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "scenarios/calibration/agent_synthesis.hpp"

namespace orchsim::calibration {

const QuantityFit* GroupFit::quantity(std::string_view name) const {
  for (const QuantityFit& q : quantities) {
    if (q.quantity == name) return &q;
  }
  return nullptr;
}

GroupFit fit_group(const Measurements& m, const Group& group, const FitOptions& options) {
  GroupFit g;
  g.group = group;
  g.derived = derive_quantities(m, group);
  const DerivedQuantities& d = g.derived;
  const auto add = [&](const char* name, const std::optional<Sample>& sample) {
    if (!sample || sample->empty()) return;
    g.quantities.push_back(fit_quantity(name, *sample, options.selection));
    for (const std::string& w : g.quantities.back().warnings) {
      g.warnings.push_back(fmt::format("{}: {}", name, w));
    }
  };
  add("ttft_ms", d.ttft_ms);
  add("inter_token_ms", d.inter_token_ms);
  add("output_tokens", d.output_tokens);
  add("input_tokens", d.input_tokens);
  std::uint64_t unrecognised = 0;
  std::string codes;
  for (const ErrorCodeCount& c : d.error_codes) {
    if (c.recognised) continue;
    unrecognised += c.count;
    codes += (codes.empty() ? "" : ", ") + fmt::format("'{}'", c.code);
  }
  if (unrecognised > 0) {
    g.warnings.push_back(
        fmt::format("{} calls with unrecognised errors ({}) counted as transient; "
                    "--map-error CODE=KIND says otherwise",
                    unrecognised, codes));
  }
  if (d.outcomes[static_cast<std::size_t>(Outcome::kHang)] > 0) {
    g.warnings.push_back(
        d.client_timeout_ms
            ? fmt::format("hangs (client timeouts) after a median {:.0f} ms: give the calling "
                          "node a timeout_ms like it, or they never end",
                          *d.client_timeout_ms)
            : "hangs (client timeouts): give the calling node a timeout_ms, or they never end");
  }
  return g;
}

Result<FitReport> calibrate(const FitOptions& options) {
  if (options.inputs.empty()) {
    return InputError{.message = "found no input files, expected at least one"};
  }
  Measurements m;
  FitReport report;
  report.command = options.command;
  report.selection = options.selection;
  for (const std::string& path : options.inputs) {
    if (auto e = read_measurements(path, options.format, options.read, m, report.notes)) return *e;
  }
  if (m.observations.empty()) {
    return InputError{.file = options.inputs.front(),
                      .message = "found no calls to fit (only summaries, or empty files)"};
  }
  report.sources = m.sources;
  for (const Source& s : m.sources) {
    if (s.concurrency)
      report.concurrency = std::max(report.concurrency.value_or(0), *s.concurrency);
  }
  for (const Group& group : group_observations(m, options.group_by)) {
    GroupFit g = fit_group(m, group, options);
    g.agent = synthesize_agent(g, options, m.sources);
    if (!g.agent) {
      g.warnings.push_back(
          "no latency in the measurements: no agent (token and arrival fits only)");
    }
    report.groups.push_back(std::move(g));
  }
  if (options.arrivals) {
    std::vector<std::int64_t> starts;
    std::vector<double> inputs;
    for (const Observation& o : m.observations) {
      if (o.start_ns) starts.push_back(*o.start_ns);
      if (o.input_tokens) inputs.push_back(static_cast<double>(*o.input_tokens));
    }
    if (starts.empty()) {
      return InputError{.file = options.inputs.front(),
                        .message =
                            "--arrivals: found no arrival times, expected a format that "
                            "records when calls started (OTLP spans, the Azure trace, a "
                            "CSV timestamp, arrival_ms or arrival_s column)"};
    }
    auto fit = fit_arrivals(std::move(starts), options.arrival);
    if (!fit.ok()) {
      InputError e = fit.error();
      if (e.file.empty()) e.file = options.inputs.front();
      return e;
    }
    report.arrivals = std::move(fit.value());
    if (!inputs.empty()) {
      report.workload_input_tokens =
          fit_quantity("input_tokens", Sample::of(std::move(inputs)), options.selection);
    }
  }
  return report;
}

}  // namespace orchsim::calibration
