#include "gui/loaded_run.hpp"

#include <filesystem>
#include <string>

namespace orchsim::gui {

LoadedRunResult load_run(const std::string& path) {
  namespace fs = std::filesystem;
  LoadedRunResult out;
  ReportLoad report = load_report(path);
  if (!report.ok()) {
    out.error = report.error;
    return out;
  }
  auto run = std::make_shared<LoadedRun>();
  run->report = std::make_shared<const ReportData>(std::move(*report.report));
  std::error_code ec;
  const fs::path folder =
      fs::is_directory(path, ec) ? fs::path(path) : fs::path(path).parent_path();
  const fs::path requests = (folder.empty() ? fs::path(".") : folder) / "requests.jsonl";
  if (!fs::exists(requests, ec)) {
    run->requests_note =
        "No requests.jsonl beside this report, so there is no per-request detail. "
        "Runs written by `orchsim run --out DIR` have one (unless --request-sample 0).";
  } else {
    RequestLoad loaded = load_requests(requests.string());
    if (!loaded.ok()) {
      out.error = loaded.error;
      return out;
    }
    // A requests.jsonl left from another run in the same folder must not be
    // shown as this run's.
    const ReportData& shown = *run->report;
    if (loaded.set->scenario != shown.scenario_name || loaded.set->seed != shown.seed) {
      run->requests_note = requests.string() + " belongs to another run (scenario " +
                           loaded.set->scenario + ", seed " + std::to_string(loaded.set->seed) +
                           "; this report is " + shown.scenario_name + ", seed " +
                           std::to_string(shown.seed) + "), so it is not shown.";
    } else {
      run->requests = std::make_shared<const RequestSet>(std::move(*loaded.set));
    }
  }
  out.run = std::move(run);
  return out;
}

}  // namespace orchsim::gui
