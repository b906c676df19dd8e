// RunMetrics as text: metrics.csv for scripts and the summary table for people.
//
//   write_csv(file, run.metrics);     // metric,scope,value (long format)
//   write_table(std::cout, run.metrics);
//
// CSV: one row per number, `metric,scope,value`, scope "all",
// "class:<name>", "agent:<name>", "outcome:<name>", "cause:<name>",
// "node:<name>", "workflow:<name>", "edge:<from>-><to>",
// "decision:<node>-><agent>", "budget:<kind>"; a null is an empty value and
// numbers are written as in report.json (shortest round trip). The table is
// fixed-width and meant to be read, not parsed.
#pragma once

#include <ostream>

#include "eval/run_metrics.hpp"

namespace orchsim::eval {

void write_csv(std::ostream& out, const RunMetrics& m);
void write_table(std::ostream& out, const RunMetrics& m);

}  // namespace orchsim::eval
