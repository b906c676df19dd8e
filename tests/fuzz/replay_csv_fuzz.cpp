// Fuzz target: the CSV parser of arrival replays (workload.arrivals.replay).
//
// Beyond "no crash, no sanitizer report": what the parser accepts, the
// arrival process accepts too, and replays in order, every row once.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>

#include "scenarios/arrival_process.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace orchsim;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  scenarios::ReplayArrivals replay;
  try {
    replay = scenarios::parse_replay_csv(in, "fuzz.csv");
  } catch (const std::runtime_error&) {
    return 0;  // refused, with a message: fine
  }
  const auto process = scenarios::make_arrival_process(replay);  // throws: a bug
  sim::RandomStream stream(1, sim::StreamId{});
  sim::Time last = sim::Time::zero();
  std::size_t n = 0;
  while (const auto t = process->next(last, stream)) {
    if (*t < last) std::abort();
    last = *t;
    ++n;
  }
  if (n != replay.offsets.size()) std::abort();
  (void)process->mean_rate_per_second();
  return 0;
}
