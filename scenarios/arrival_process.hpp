// Open-loop arrival processes: when the next request arrives, independent of
// how the system copes (that is what makes them open-loop).
//
//   auto arrivals = make_arrival_process(PoissonArrivals{.rate_per_second = 50});
//   sim::RandomStream s = rng.stream("arrivals");
//   sim::Time t = sim::Time::zero();
//   while (auto next = arrivals->next(t, s)) t = *next;
//
// Each process draws only from the stream it is given, in order, so a seed
// fixes the arrival times whatever the routing policy does.
#pragma once

#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sim/random.hpp"
#include "sim/time.hpp"

namespace orchsim::scenarios {

// Exponential inter-arrival times.
struct PoissonArrivals {
  double rate_per_second = 1.0;
};
// One arrival every `interval`, the first at `interval`.
struct DeterministicArrivals {
  sim::Duration interval = sim::Duration::seconds(1);
};
// Bursty: a two-state Markov-modulated Poisson process. The state lasts an
// exponential time with the given mean, arrivals are Poisson at the state's
// rate (off_rate may be 0). Starts "on".
struct OnOffArrivals {
  double on_rate_per_second = 10.0;
  double off_rate_per_second = 0.0;
  sim::Duration mean_on = sim::Duration::seconds(10);
  sim::Duration mean_off = sim::Duration::seconds(10);
};
// Time-varying rate, piecewise linear through (time, rate) points sorted by
// time; constant before the first and after the last (so a last rate of 0
// ends the process: next() returns nullopt). Sampled by thinning
// (Lewis & Shedler 1979) against the largest rate.
struct PiecewiseLinearArrivals {
  std::vector<std::pair<sim::Duration, double>> points;  // (offset from start, rate/s)
};
// rate(t) = mean * (1 + amplitude * sin(2 pi t / period + phase)), by thinning.
struct DiurnalArrivals {
  double mean_rate_per_second = 10.0;
  double amplitude = 0.5;  // in [0, 1]
  sim::Duration period = sim::Duration::seconds(86'400);
  double phase_radians = 0.0;
};
// Replays arrival instants (offsets from the start), non-decreasing.
struct ReplayArrivals {
  std::vector<sim::Duration> offsets;
  std::string source;  // file the offsets came from, for messages
};

using ArrivalSpec = std::variant<PoissonArrivals, DeterministicArrivals, OnOffArrivals,
                                 PiecewiseLinearArrivals, DiurnalArrivals, ReplayArrivals>;

class ArrivalProcess {
 public:
  virtual ~ArrivalProcess() = default;
  // The next arrival strictly after... or at `after` (equal instants allowed
  // for replay); nullopt when the process has no more arrivals, or none
  // before Time::max() (a rate too small for the ~292-year clock).
  virtual std::optional<sim::Time> next(sim::Time after, sim::RandomStream& stream) = 0;
  // Long-run mean arrival rate, per second (for reports and Little's law).
  virtual double mean_rate_per_second() const = 0;
};

// Validates and builds. Throws std::invalid_argument naming the bad field:
// WorkloadConfig::validate() calls it to word the loader's diagnostics, so
// for a scenario that loaded, a throw is a bug rather than bad input.
std::unique_ptr<ArrivalProcess> make_arrival_process(const ArrivalSpec& spec);

// Reads arrival offsets from a CSV file: one value per line in milliseconds,
// an optional header line `arrival_ms`, blank lines and lines starting with
// '#' ignored. Offsets must be non-negative and non-decreasing. Throws
// std::runtime_error "<file>:<line>: <problem>" on the first bad row.
// Only regular files: a device or a pipe (/dev/zero, /dev/stdin) would never end.
ReplayArrivals load_replay_csv(const std::string& path);
// The same from a stream; `source` names it in messages ("<source>:<line>: ...").
ReplayArrivals parse_replay_csv(std::istream& in, const std::string& source);

}  // namespace orchsim::scenarios
