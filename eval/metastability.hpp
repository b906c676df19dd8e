// Metastable failures: a trigger (an agent's fault window) pushes the system
// into overload, and something it does itself (retries, above all) keeps it
// there after the trigger is gone (Bronson et al., "Metastable Failures in
// Distributed Systems", HotOS 2021). This finds, for every trigger of a run,
// whether the overload outlived it, and for how long.
//
// Read from the run's time series, in windows of at least `window` (whole
// buckets). A window is unhealthy when any of these holds:
//   - goodput collapsed: completed / arrived < goodput_collapse x baseline;
//   - offered load above capacity: some agent's servers are busy
//     >= saturation of the time with calls waiting in numbers (queue mean
//     >= a tenth of its servers, and >= 1);
//   - a retry storm: calls started per arriving request > amplification x
//     baseline (retries, hedges and re-runs included).
// The baseline is the windows before the first trigger, or the whole run
// without one (the first window, the run's ramp-up, left out).
//
// Per trigger (overlapping fault windows merge into one):
//   onset      - the first unhealthy window from the trigger's start;
//   recovery   - the first window from the trigger's end that begins
//                `hold` of healthy windows (or healthy windows up to the end
//                of the arrivals); its distance from the trigger's end is the
//                recovery time;
//   sustained  - the overload outlived the trigger: recovery begins later
//                than one window after the trigger's end, or never ("did
//                not recover"). This is what `detected` reports.
//   peak_retry_amplification - the largest calls per request from the
//                onset on, over the baseline's.
// Only windows that end before the arrivals do are judged (after that
// the run drains, and per-request ratios mean nothing); a trigger is judged
// up to the next one. A run without fault windows has no trigger: nothing is
// detected, whatever its load does.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/time.hpp"

namespace orchsim::eval {

class TimeSeriesCollector;

struct MetastabilityOptions {
  sim::Duration window = sim::Duration::seconds(5);
  sim::Duration hold = sim::Duration::seconds(10);
  double goodput_collapse = 0.5;
  double saturation = 0.95;
  double amplification = 2.0;
};

// An agent's fault window: what the detector calls a trigger.
struct Trigger {
  sim::Time start, end;
  std::vector<std::string> agents;  // whose faults these are (merged windows: several)
};

struct MetastabilityEpisode {
  Trigger trigger;
  std::optional<sim::Time> onset;       // none: the trigger left the system healthy
  std::optional<sim::Time> recovery;    // none: did not recover
  bool sustained = false;               // the overload outlived the trigger
  double peak_retry_amplification = 0;  // calls per request over the baseline's
};

struct Metastability {
  sim::Duration window, hold;
  double baseline_goodput = 1.0;            // completed per arrival before any trigger
  double baseline_calls_per_request = 0.0;  // 0: no baseline (no arrivals before a trigger)
  std::vector<MetastabilityEpisode> episodes;
  bool detected() const;  // some episode is sustained
};

// `servers` per agent index (as the series' agents). `arrivals_end`:
// sim::Time::max() when arrivals never stopped.
Metastability detect_metastability(const TimeSeriesCollector& series, std::vector<Trigger> triggers,
                                   const std::vector<std::uint32_t>& servers,
                                   sim::Time arrivals_end,
                                   const MetastabilityOptions& options = {});

// The "metastability" section of report.json:
//   {"window_ms","hold_ms","baseline":{"goodput_ratio","calls_per_request"},
//    "detected":bool,
//    "episodes":[{"trigger_start_ms","trigger_end_ms","agents":[..],
//                 "onset_ms":number|null,"sustained":bool,"recovered":bool,
//                 "recovery_ms":number|null,   // from the trigger's end
//                 "peak_retry_amplification":number}]}
nlohmann::ordered_json to_json(const Metastability& m);
// One line for the summary table ("" when there is no trigger).
std::string summary_line(const Metastability& m);

}  // namespace orchsim::eval
