// Fuzz target: the report.json loader that orchsim-gui opens run folders
// with (gui/report_data.hpp, plain C++ without Qt).
//
// Beyond "no crash, no sanitizer report": a refused report has a one-line
// message, and a loaded one has series of consistent lengths.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "gui/report_data.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace orchsim::gui;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const ReportLoad r = parse_report(text, "fuzz/report.json");
  if (!r.ok()) {
    if (r.error.empty()) std::abort();
    return 0;
  }
  const ReportData& d = *r.report;
  const TimeSeries& s = d.series;
  if (s.completed.size() != s.size() || s.failed.size() != s.size() ||
      s.latency_mean_ms.size() != s.size() || s.cost_usd.size() != s.size()) {
    std::abort();
  }
  for (const TimeSeries::Agent& a : s.agents) {
    if (a.calls.size() != s.size() || a.busy_mean.size() != s.size()) std::abort();
  }
  for (const TimeSeries::RoutingNode& n : s.routing) {
    if (n.calls.size() != n.agents.size()) std::abort();
    for (const auto& calls : n.calls) {
      if (calls.size() != s.size()) std::abort();
    }
  }
  const LatencyBins& h = d.latency_bins;
  if (!h.edges_ms.empty() && h.all.size() + 1 != h.edges_ms.size()) std::abort();
  for (const AgentRow& a : d.metrics.agents) (void)a.calls_ended.failure_rate();
  for (const NodeRow& n : d.metrics.nodes) (void)n.failure_rate();
  return 0;
}
