#include "sim/simulation.hpp"

#include <stdexcept>

namespace orchsim::sim {

void Simulation::throw_in_past(Time when) const {
  throw std::invalid_argument("Simulation::schedule_at: " + to_string(when) + " is before now (" +
                              to_string(now_) + ")");
}

bool Simulation::step() {
  return queue_.run_next_until(Time::max(), [this](Time t) {
    now_ = t;
    ++events_run_;
  });
}

bool Simulation::step_until(Time until) {
  return queue_.run_next_until(until, [this](Time t) {
    now_ = t;
    ++events_run_;
  });
}

void Simulation::run() { run_until(Time::max()); }

void Simulation::run_until(Time until) {
  stop_requested_ = false;
  const auto before_run = [this](Time t) {
    now_ = t;
    ++events_run_;
  };
  while (!stop_requested_ && queue_.run_next_until(until, before_run)) {
  }
  if (!stop_requested_ && until != Time::max() && until > now_) now_ = until;
}

}  // namespace orchsim::sim
