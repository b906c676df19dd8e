#include "sim/simulation.hpp"

#include <stdexcept>

namespace orchsim::sim {

void Simulation::throw_in_past(Time when) const {
  throw std::invalid_argument("Simulation::schedule_at: " + to_string(when) + " is before now (" +
                              to_string(now_) + ")");
}

bool Simulation::step() {
  const auto next = queue_.next_time();
  if (!next) return false;
  now_ = *next;
  ++events_run_;
  queue_.run_next();
  return true;
}

void Simulation::run() { run_until(Time::max()); }

void Simulation::run_until(Time until) {
  stop_requested_ = false;
  while (!stop_requested_) {
    const auto next = queue_.next_time();
    if (!next || *next > until) break;
    now_ = *next;
    ++events_run_;
    queue_.run_next();
  }
  if (!stop_requested_ && until != Time::max() && until > now_) now_ = until;
}

}  // namespace orchsim::sim
