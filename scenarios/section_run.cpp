// The "run" section: how long a run lasts and what counts.
#include "scenarios/sections.hpp"

namespace orchsim::scenarios {

const Fields<RunSettings>& run_fields() {
  using R = RunSettings;
  static const Fields<R> t{
      .doc = "Run settings.",
      .fields = {
          unsigned64("seed", &R::seed, "Random seed."),
          integer("requests", &R::requests, Range::non_negative(), "",
                  "Stop arrivals after this many requests; 0 = no limit."),
          duration("duration_s", &R::duration, TimeUnit::kSeconds, Range::non_negative(),
                   "Stop arrivals at this simulated time; 0 = no limit."),
          duration("warmup_s", &R::warmup, TimeUnit::kSeconds, Range::non_negative(),
                   "Requests arriving before this simulated time are left out of the metrics "
                   "(warm-up deletion); 0 = none."),
          duration("drain_s", &R::drain, TimeUnit::kSeconds, Range::non_negative(),
                   "After arrivals stop, how long in-flight requests may take."),
          number("quality_threshold", &R::quality_threshold, Range::probability(), "",
                 "A successful answer passes at or above this quality."),
      }};
  return t;
}

}  // namespace orchsim::scenarios
