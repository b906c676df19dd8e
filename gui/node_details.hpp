// What the Workflow tab shows beside the graph for the selected node: its
// calls, then each agent it routed calls to with that agent's statistics
// (servers, utilisation, queueing delay, call durations, outcomes, errors by
// kind, circuit-breaker transitions and the stretches of simulated time its
// breaker was open, from the time series).
//
//   browser->setHtml(node_details_html(report, "generate"));
//
// Pure (no widgets), so tests read the text.
#pragma once

#include <QString>
#include <string>
#include <utility>
#include <vector>

#include "gui/report_data.hpp"

namespace orchsim::gui {

QString node_details_html(const ReportData& report, const std::string& node);

// Stretches [from_s, to_s) of simulated time in which `share` (one value per
// bucket of `bucket_ms`) was above zero, neighbouring buckets merged.
std::vector<std::pair<double, double>> active_stretches(const std::vector<double>& share,
                                                        double bucket_ms);

}  // namespace orchsim::gui
