// The simulation loop: a clock plus an event queue.
//
// Processes are plain callbacks (see docs/design.md for why not coroutines):
// a model keeps its own state and schedules what happens next.
//
//   sim::Simulation sim;
//   sim.schedule_after(5_ms, [&] { fmt::print("at {}\n", sim.now()); });
//   auto timeout = sim.schedule_after(1_s, [&] { give_up(); }, sim::kPriorityLate);
//   sim.cancel(timeout);
//   sim.run();
//
// Events at the same instant run by (priority, insertion order); see
// event_queue.hpp. Time never goes back: scheduling in the past throws
// std::invalid_argument. One Simulation is used by one thread at a time.
#pragma once

#include <cstdint>
#include <utility>

#include "sim/event_queue.hpp"
#include "sim/time.hpp"

namespace orchsim::sim {

class Simulation {
 public:
  Simulation() = default;
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  Time now() const { return now_; }

  // Schedules any `void()` callable; it is stored in place (no allocation when
  // it captures at most InlineFunction::kInlineBytes). Throws
  // std::invalid_argument if `when` is before now().
  template <class F>
  EventId schedule_at(Time when, F&& fn, Priority priority = kPriorityDefault) {
    if (when < now_) throw_in_past(when);
    return queue_.push(when, priority, std::forward<F>(fn));
  }
  template <class F>
  EventId schedule_after(Duration delay, F&& fn, Priority priority = kPriorityDefault) {
    return schedule_at(now_ + delay, std::forward<F>(fn), priority);
  }
  // True if the event was pending and will now never run. An empty id (a
  // timer never armed, most of them) is answered here, without the call.
  bool cancel(EventId id) { return id.valid() && queue_.cancel(id); }
  bool is_pending(EventId id) const { return queue_.pending(id); }

  // Runs until no event is pending or stop() is called.
  void run();
  // Runs every event at or before `until`, then sets now() to `until` (unless
  // stop() ended the run first, in which case now() is the stopping event's
  // time). Events after `until` stay pending; a later run continues them.
  void run_until(Time until);
  // Runs exactly the next event, if any; returns false when none is pending.
  // For stepping through a run (debuggers, the GUI) and for benchmarks.
  bool step();
  // Runs the next event if it is at or before `until`; returns false, with
  // now() unchanged, when none is pending by then.
  bool step_until(Time until);
  // Ends the current run()/run_until() after the running event returns.
  void stop() { stop_requested_ = true; }
  bool stopped() const { return stop_requested_; }

  std::size_t pending_events() const { return queue_.size(); }
  std::uint64_t events_run() const { return events_run_; }
  const EventQueue& queue() const { return queue_; }

 private:
  [[noreturn]] void throw_in_past(Time when) const;

  EventQueue queue_;
  Time now_;
  std::uint64_t events_run_ = 0;
  bool stop_requested_ = false;
};

}  // namespace orchsim::sim
