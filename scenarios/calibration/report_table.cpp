// The table `orchsim fit` prints: per group, its calls and outcomes, then
// per quantity the measured p50/p90/p99 and one row per family.
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <ostream>

#include "scenarios/calibration/fit_report.hpp"

namespace orchsim::calibration {

namespace {

std::string percent(double relative) {
  if (!std::isfinite(relative)) return "    -";
  return fmt::format("{:+6.1f}%", 100.0 * relative);
}

std::string number(double x) {
  if (!std::isfinite(x)) return "-";
  return fmt::format("{:.4g}", x);
}

// The files read, their notes, and the rule that chose the families.
void write_inputs(const FitReport& report, std::ostream& out) {
  std::uint64_t calls = 0;
  for (const Source& s : report.sources) calls += s.records;
  out << fmt::format("orchsim fit: {} file{}, {} calls, {} group{}\n", report.sources.size(),
                     report.sources.size() == 1 ? "" : "s", calls, report.groups.size(),
                     report.groups.size() == 1 ? "" : "s");
  for (const Source& s : report.sources) {
    out << fmt::format("  {}  ({}, {} calls{})\n", s.path, s.format, s.records,
                       s.skipped ? fmt::format(", {} records skipped", s.skipped) : "");
    for (const std::string& n : s.notes) out << "    note: " << n << '\n';
  }
  for (const std::string& n : report.notes) out << "  note: " << n << '\n';
  const auto& sel = report.selection;
  out << fmt::format(
      "  choice: {} (bar: |error| <= {:.0f}% at p50, {:.0f}% at p90, {:.0f}% at "
      "p99, KS p >= {:g}; < {:.0f} values: empirical)\n",
      sel.quantile_guard ? "lowest AIC within the bar, else empirical" : "lowest AIC",
      100 * sel.max_error_p50, 100 * sel.max_error_p90, 100 * sel.max_error_p99, sel.min_ks_p_value,
      sel.min_samples);
}

// A quantity's measured quantiles and choice, then a row per family.
void write_quantity(const QuantityFit& q, std::ostream& out) {
  out << fmt::format("  {}: n {}{}  p50 {}  p90 {}  p99 {}  max {}  -> {} ({})\n", q.quantity, q.n,
                     q.weighted ? fmt::format(" (token-weighted, eff. {:.0f})", q.effective_n) : "",
                     number(q.p50), number(q.p90), number(q.p99), number(q.max),
                     to_string(q.chosen().fit.family), q.reason);
  out << fmt::format("    {:1} {:<20} {:>11} {:>7} {:>7} {:>8} {:>8} {:>8}\n", "", "family", "AIC",
                     "KS D", "KS p", "p50", "p90", "p99");
  for (std::size_t i = 0; i < q.candidates.size(); ++i) {
    const CandidateFit& c = q.candidates[i];
    const char mark = i == q.selected ? '*' : ' ';
    if (!c.fit.ok) {
      out << fmt::format("    {:1} {:<20} {}\n", mark, to_string(c.fit.family),
                         "not fitted: " + c.fit.failure);
      continue;
    }
    const auto& e = c.goodness.quantiles;
    out << fmt::format(
        "    {:1} {:<20} {:>11} {:>7.4f} {:>7} {:>8} {:>8} {:>8}{}\n", mark,
        to_string(c.fit.family), std::isfinite(c.fit.aic) ? fmt::format("{:.1f}", c.fit.aic) : "-",
        c.goodness.ks_distance,
        std::isfinite(c.goodness.ks_p_value) ? fmt::format("{:.3f}", c.goodness.ks_p_value) : "-",
        percent(e[0].relative_error), percent(e[1].relative_error), percent(e[2].relative_error),
        c.fit.family == Family::kEmpirical || c.adequate ? "" : "  (off bar)");
  }
}

// A group: its calls by outcome and error code, its quantities, what was
// derived, notes and warnings.
void write_group(const GroupFit& g, std::ostream& out) {
  const DerivedQuantities& d = g.derived;
  out << fmt::format("\n{} -> agent {}\n", g.group.name,
                     g.agent ? g.group.agent_name : std::string("(none)"));
  std::string outcomes;
  for (int o = 0; o < kOutcomeCount; ++o) {
    const std::uint64_t k = d.outcomes[static_cast<std::size_t>(o)];
    if (k == 0 && o != 0) continue;
    outcomes += fmt::format("{}{} {} ({:.1f}%)", outcomes.empty() ? "" : ", ",
                            to_string(static_cast<Outcome>(o)), k,
                            100.0 * static_cast<double>(k) / static_cast<double>(d.calls));
  }
  out << fmt::format("  calls {}: {}\n", d.calls, outcomes);
  for (const ErrorCodeCount& c : d.error_codes) {
    out << fmt::format("    error '{}' x{} -> {}{}\n", c.code, c.count, to_string(c.outcome),
                       c.recognised ? "" : " (unrecognised)");
  }
  for (const QuantityFit& q : g.quantities) write_quantity(q, out);
  if (d.prefill_ms_per_input_token > 0) {
    out << fmt::format("  prefill_ms_per_input_token {:.6g}\n", d.prefill_ms_per_input_token);
  }
  if (d.error_latency_fraction) {
    out << fmt::format("  error_latency_fraction {:.3g}\n", *d.error_latency_fraction);
  }
  if (d.retry_after_ms) out << fmt::format("  retry_after_ms {:.6g}\n", *d.retry_after_ms);
  for (const std::string& n : d.notes) out << "  note: " << n << '\n';
  for (const std::string& w : g.warnings) out << "  warning: " << w << '\n';
}

// The arrivals: their gaps, dispersion, and a row per model.
void write_arrivals(const ArrivalFit& a, std::ostream& out) {
  out << fmt::format(
      "\narrivals: {} over {:.1f} s, mean {:.4g}/s; inter-arrival mean {:.4g} ms, "
      "CV {:.3f}, p50 {:.4g} ms, p90 {:.4g} ms, p99 {:.4g} ms\n",
      a.arrivals, a.span_s, a.mean_rate_per_s, a.interarrival_mean_ms, a.interarrival_cv,
      a.interarrival_p50_ms, a.interarrival_p90_ms, a.interarrival_p99_ms);
  out << "  index of dispersion of counts (1 = Poisson):";
  for (const DispersionPoint& p : a.dispersion) {
    out << fmt::format("  {:g} s: {:.3g}", p.window_s, p.index);
  }
  out << '\n';
  out << fmt::format("    {:1} {:<10} {:>12} {:>4}  parameters{}\n", "", "model", "AIC", "k",
                     a.rate_scale != 1.0 ? fmt::format(" (rates x {:g})", a.rate_scale) : "");
  for (std::size_t i = 0; i < a.models.size(); ++i) {
    const ArrivalModelFit& m = a.models[i];
    const char mark = i == a.selected ? '*' : ' ';
    if (!m.ok) {
      out << fmt::format("    {:1} {:<10} not fitted: {}\n", mark, m.model, m.failure);
      continue;
    }
    std::string params;
    for (const auto& [k, v] : m.parameters) params += fmt::format(" {}={:.6g}", k, v);
    out << fmt::format("    {:1} {:<10} {:>12.1f} {:>4} {}\n", mark, m.model, m.aic,
                       m.free_parameters, params);
  }
}

}  // namespace

void write_table(const FitReport& report, std::ostream& out) {
  write_inputs(report, out);
  for (const GroupFit& g : report.groups) write_group(g, out);
  if (report.arrivals) write_arrivals(*report.arrivals, out);
}

}  // namespace orchsim::calibration
