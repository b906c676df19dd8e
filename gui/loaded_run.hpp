// A run as the explorer holds it: the report, and the per-request detail
// when there is some (requests.jsonl beside the report, or the sample kept by
// a run made in the explorer).
//
//   LoadedRunResult r = load_run("results/");
//   if (!r.run) show(r.error);
//   else if (!r.run->requests) note(r.run->requests_note);
//
// A run folder without requests.jsonl still opens (the request view then says
// why it is empty), and so does one whose requests.jsonl names another
// scenario or seed than the report (left there by an earlier run: not
// shown, and the note says why); a damaged requests.jsonl is an error, like a
// damaged report. Plain C++, no Qt.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "gui/report_data.hpp"
#include "gui/request_data.hpp"

namespace orchsim::gui {

struct LoadedRun {
  std::shared_ptr<const ReportData> report;
  std::shared_ptr<const RequestSet> requests;  // null: no per-request detail
  std::string requests_note;                   // why there is none
};

struct LoadedRunResult {
  std::shared_ptr<const LoadedRun> run;
  std::string error;
};

// `path` is a run folder or a report file (requests.jsonl is looked for beside it).
LoadedRunResult load_run(const std::string& path);

}  // namespace orchsim::gui
