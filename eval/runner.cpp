#include "eval/runner.hpp"

#include <algorithm>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>

#include "eval/decision_log.hpp"
#include "eval/observer_thread.hpp"
#include "mock_agents/mock_agent.hpp"
#include "orchestration/choreographer.hpp"
#include "orchestration/orchestrator.hpp"
#include "scenarios/workload.hpp"

namespace orchsim::eval {

namespace {

// What serves the requests: the orchestrator, or a choreography's
// subscribers. The run loop sees only this.
class Engine {
 public:
  virtual ~Engine() = default;
  virtual void set_observer(orchestration::Observer* o) = 0;
  virtual void submit(const orchestration::RequestInput& r) = 0;
  virtual std::uint64_t arrived() const = 0;
  virtual std::uint64_t completed() const = 0;
  virtual std::uint64_t failed() const = 0;
  std::uint64_t in_flight() const { return arrived() - completed() - failed(); }
  // Work that goes on after its request ended (a choreography's); the run
  // waits for it as for requests in flight.
  virtual std::uint64_t leftover_work() const { return 0; }
};

template <class T>
class EngineOf final : public Engine {
 public:
  template <class... Args>
  explicit EngineOf(Args&&... args) : e_(std::forward<Args>(args)...) {}
  void set_observer(orchestration::Observer* o) override { e_.set_observer(o); }
  void submit(const orchestration::RequestInput& r) override { e_.submit(r); }
  std::uint64_t arrived() const override { return e_.arrived(); }
  std::uint64_t completed() const override { return e_.completed(); }
  std::uint64_t failed() const override { return e_.failed(); }
  std::uint64_t leftover_work() const override {
    if constexpr (std::is_same_v<T, orchestration::Choreographer>) {
      return e_.work_in_flight();
    } else {
      return 0;
    }
  }

 private:
  T e_;
};

// Feeds the workload's requests to the orchestrator and, for closed-loop
// workloads, tells the workload when each request finished.
class Bridge final : public scenarios::RequestSink, public orchestration::Observer {
 public:
  explicit Bridge(Engine& orch) : orch_(orch) {}
  void attach(scenarios::Workload* workload) { workload_ = workload; }

  void on_request(const scenarios::RequestSpec& r) override {
    if (workload_ && workload_->closed_loop()) in_flight_.emplace(r.id, r);
    orch_.submit({.id = r.id,
                  .class_index = r.class_index,
                  .difficulty = r.difficulty,
                  .input_tokens = r.input_tokens,
                  .deadline = r.deadline,
                  .output_tokens = r.output_tokens});
  }
  void on_request_finished(const orchestration::RequestFinished& e) override {
    if (!workload_ || !workload_->closed_loop()) return;
    // Looked up by id, never iterated: the map's order cannot reach results.
    const auto it = in_flight_.find(e.request);
    if (it == in_flight_.end()) return;
    const scenarios::RequestSpec spec = it->second;
    in_flight_.erase(it);
    workload_->on_request_finished(spec);
  }

 private:
  Engine& orch_;
  scenarios::Workload* workload_ = nullptr;
  std::unordered_map<std::uint64_t, scenarios::RequestSpec> in_flight_;
};

}  // namespace

RunResult run_scenario(const scenarios::Scenario& s, const RunOptions& options) {
  RunResult result;
  result.seed = options.seed.value_or(s.run.seed);
  result.requests_limit = options.requests.value_or(s.run.requests);
  result.duration_limit = options.duration.value_or(s.run.duration);
  // A precondition, not bad input: the commands refuse such a run with exit
  // status 2 before calling (cli/run_command.cpp, cli/eval_setup.cpp), so a
  // throw here (a logic_error) is a caller's bug; the Python and GUI callers
  // get the message as an exception.
  if (result.requests_limit == 0 && result.duration_limit == sim::Duration::zero()) {
    throw std::invalid_argument(
        "the run has no end: set run.requests or run.duration_s in the scenario, or pass "
        "--requests / --duration");
  }

  sim::Simulation sim;
  const sim::RandomSource rng(result.seed);
  std::vector<std::unique_ptr<mock_agents::MockAgent>> agents;
  std::vector<mock_agents::Agent*> agent_ptrs;
  std::vector<std::string> agent_names;
  for (const auto& config : s.agents) {
    agents.push_back(std::make_unique<mock_agents::MockAgent>(sim, rng, config));
    agent_ptrs.push_back(agents.back().get());
    agent_names.push_back(config.name);
  }
  std::unique_ptr<Engine> engine;
  if (s.choreography) {
    engine = std::make_unique<EngineOf<orchestration::Choreographer>>(sim, rng, *s.choreography,
                                                                      agent_ptrs);
  } else {
    engine = std::make_unique<EngineOf<orchestration::Orchestrator>>(sim, rng, s.workflow,
                                                                     agent_ptrs, s.orchestrator);
  }
  Engine& orch = *engine;

  result.metrics = std::make_unique<MetricsCollector>(s.workflow, agent_names, s.class_names,
                                                      s.run.quality_threshold);
  result.metrics->set_warmup(options.warmup.value_or(s.run.warmup));
  std::vector<std::string> node_names;
  node_names.reserve(s.workflow.nodes.size());
  for (const auto& n : s.workflow.nodes) node_names.push_back(n.name);
  result.timeseries = std::make_unique<TimeSeriesCollector>(agent_names, std::move(node_names));
  Bridge bridge(orch);
  orchestration::ObserverList observers;
  // The bridge hears of finished requests only to start a closed loop's next
  // turn: an open-loop run leaves it out of the per-event dispatch.
  if (s.workload.closed_loop()) observers.add(&bridge);
  observers.add(result.metrics.get());
  observers.add(result.timeseries.get());
  if (options.trace) {
    result.trace = std::make_unique<TraceWriter>(s.workflow, agent_names, options.trace_max_events);
    observers.add(result.trace.get());
  }
  // The two logs do work on every event of every request (a lookup, a
  // record): they run on a worker thread, beside the simulation, and see the
  // same events in the same order, so they write the same bytes. Decision
  // features read the policies' contexts, which live on this thread.
  std::unique_ptr<DecisionLog> decisions;
  // Declared after the logs it feeds: if the run throws, its worker stops
  // (destroyed first) before they go.
  ObserverThread logs_thread;
  if (options.decision_log) {
    decisions =
        std::make_unique<DecisionLog>(*options.decision_log, s.workflow, agent_names,
                                      DecisionLogOptions{.scenario = s.name,
                                                         .seed = result.seed,
                                                         .features = options.decision_features,
                                                         .own_thread = options.decision_features});
    if (options.decision_features) {
      observers.add(decisions.get());
    } else {
      logs_thread.add(decisions.get());
    }
  }
  if (options.request_log) {
    result.request_log =
        std::make_unique<RequestLog>(s.workflow, agent_names, s.class_names, *options.request_log);
    logs_thread.add(result.request_log.get());
  }
  if (!logs_thread.empty()) observers.add(&logs_thread);
  if (options.observer) observers.add(options.observer);
  orch.set_observer(&observers);

  scenarios::WorkloadConfig workload_config = s.workload;
  workload_config.max_requests = result.requests_limit;
  if (result.duration_limit > sim::Duration::zero()) {
    workload_config.stop_arrivals_at = sim::Time::zero() + result.duration_limit;
  }
  scenarios::Workload workload(sim, rng, workload_config, bridge);
  bridge.attach(&workload);
  workload.start();

  // Event by event, so the run stops exactly when the arrivals are over and
  // the system has drained, and the end time is the last event's, not a
  // slice boundary. No event past the drain limit ever runs: once the
  // arrivals are over, only events by arrivals_over + drain; before that,
  // only events by duration_end + drain (arrivals_over is at most
  // duration_end, and it is known right after the event that made it so).
  // When the next event lies beyond the limit, the run ends at the limit.
  const sim::Time duration_end = result.duration_limit > sim::Duration::zero()
                                     ? sim::Time::zero() + result.duration_limit
                                     : sim::Time::max();
  const auto plus_drain = [&s](sim::Time t) {
    return t > sim::Time::max() - s.run.drain ? sim::Time::max() : t + s.run.drain;
  };
  sim::Time arrivals_over = sim::Time::max();
  // Changes once, when the arrivals are over: not recomputed per event.
  sim::Time limit = plus_drain(duration_end);
  std::optional<sim::Time> drain_cut;  // the run reached its drain limit
  std::uint64_t until_progress = 0;
  for (;;) {
    if (arrivals_over == sim::Time::max()) {
      const bool done =
          (result.requests_limit != 0 && workload.generated() >= result.requests_limit) ||
          sim.now() >= duration_end;
      if (done) {
        arrivals_over = std::min(sim.now(), duration_end);
        limit = plus_drain(arrivals_over);
      }
    }
    if (arrivals_over != sim::Time::max() && orch.in_flight() == 0 && orch.leftover_work() == 0) {
      break;
    }
    if (!sim.step_until(limit)) {
      // Nothing by the limit. Requests still in flight (hung calls, or
      // calls that end past the drain) wait for it: the run lasts until the
      // limit whatever is scheduled after it, since an event that never
      // runs must not move the end. With none in flight, nothing can happen
      // any more: the run ends with its last event.
      if ((orch.in_flight() > 0 || orch.leftover_work() > 0) && limit != sim::Time::max()) {
        drain_cut = limit;
      }
      break;
    }
    if (options.progress && until_progress-- == 0) {
      until_progress = 1u << 16;
      const double done = result.requests_limit != 0
                              ? static_cast<double>(orch.completed() + orch.failed()) /
                                    static_cast<double>(result.requests_limit)
                              : sim.now().seconds_f() / result.duration_limit.seconds_f();
      options.progress(std::min(1.0, done));
    }
  }
  if (options.progress) options.progress(1.0);

  // No event runs by the cut: this only moves the clock there, so that the
  // servers still held (hung calls) are busy until the end, as they were.
  if (drain_cut) sim.run_until(*drain_cut);
  result.end = sim.now();
  result.arrivals_end = arrivals_over;
  result.events = sim.events_run();
  result.arrived = orch.arrived();
  result.completed = orch.completed();
  result.failed = orch.failed();
  result.in_flight = orch.in_flight();
  std::vector<AgentUsage> usage;
  for (const auto& a : agents) {
    const mock_agents::AgentStats& st = a->stats();
    usage.push_back(
        {std::string(a->name()), a->servers(), st.busy_server_time, st.max_queue_length});
  }
  logs_thread.finish();                // the logs have seen every event
  if (decisions) decisions->finish();  // requests still in flight
  result.metrics->finalize(result.end, std::move(usage));
  result.timeseries->finalize(result.end);
  std::vector<Trigger> triggers;
  std::vector<std::uint32_t> servers;
  for (const auto& config : s.agents) {
    servers.push_back(config.servers);
    for (const mock_agents::FaultWindow& f : config.faults) {
      triggers.push_back({f.start, f.end, {config.name}});
    }
  }
  result.metastability =
      detect_metastability(*result.timeseries, std::move(triggers), servers, result.arrivals_end);
  orch.set_observer(nullptr);
  return result;
}

}  // namespace orchsim::eval
