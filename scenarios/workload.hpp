// The stream of requests that hits the orchestrator: when they arrive
// (open-loop arrival process, or closed-loop users with think time) and what
// they are (class, difficulty, input tokens, deadline).
//
//   WorkloadConfig w;
//   w.arrivals = PoissonArrivals{.rate_per_second = 200};
//   w.classes = {{.name = "faq", .weight = 3, ...}, {.name = "research", .weight = 1, ...}};
//   w.max_requests = 100'000;
//   Workload workload(sim, rng, w, sink);   // sink.on_request(spec) at each arrival
//   workload.start();
//   sim.run();
//
// A replayed trace may carry request i's class, input and output tokens
// (WorkloadConfig::replay): they replace the draws, which are still made, so
// that nothing else moves.
//
// Common random numbers: request i's class, difficulty and input tokens come
// from the stream ("request", i), and open-loop arrival times from the stream
// ("arrivals"), so every routing policy meets the same requests at the same
// instants. Closed-loop arrivals depend on completions by nature; their think
// times are keyed by ("think", user, turn).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "scenarios/arrival_process.hpp"
#include "scenarios/replay_trace.hpp"
#include "sim/distribution.hpp"
#include "sim/random.hpp"
#include "sim/simulation.hpp"

namespace orchsim::scenarios {

struct RequestClass {
  std::string name = "default";
  double weight = 1.0;                                                // share of the mix (relative)
  sim::Distribution difficulty = sim::Distribution::constant(0.5);    // clamped to [0, 1]
  sim::Distribution input_tokens = sim::Distribution::constant(500);  // rounded, >= 0
  sim::Duration deadline = sim::Duration::zero();                     // after arrival; zero = none
};

// N users, each submitting a request, waiting for it to finish, thinking,
// and submitting the next one.
struct ClosedLoopUsers {
  std::uint32_t users = 10;
  // A second between a reply and the next request: a scenario's closed_loop
  // without think_time_ms has always meant exactly this.
  sim::Distribution think_time_ms = sim::Distribution::constant(1000.0);
};

struct WorkloadConfig {
  std::variant<ArrivalSpec, ClosedLoopUsers> arrivals = ArrivalSpec{PoissonArrivals{}};
  std::vector<RequestClass> classes = {RequestClass{}};
  // A replayed trace's own attributes, request i taking entry i (replay_trace.hpp):
  // its class, input tokens and output tokens replace the class's draws.
  std::shared_ptr<const ReplayAttributes> replay;
  std::uint64_t max_requests = 0;                 // 0 = no limit
  sim::Time stop_arrivals_at = sim::Time::max();  // no arrival at or after this instant

  // Every problem as "<field>: found ..., expected ..."; empty when usable.
  std::vector<std::string> validate() const;
  // Users who wait for each reply (ClosedLoopUsers) rather than an arrival process.
  bool closed_loop() const { return std::holds_alternative<ClosedLoopUsers>(arrivals); }
};

// One request as the orchestrator receives it.
struct RequestSpec {
  std::uint64_t id = 0;
  std::uint32_t class_index = 0;
  sim::Time arrival;
  double difficulty = 0.5;
  std::int64_t input_tokens = 0;
  sim::Time deadline = sim::Time::max();
  std::uint32_t user = 0;  // closed loop: who sent it
  // The request's own output-token count from a replayed trace, or -1 (the
  // agents draw theirs); see TokenModel::output_tokens_from_request.
  std::int64_t output_tokens = -1;
};

class RequestSink {
 public:
  virtual ~RequestSink() = default;
  virtual void on_request(const RequestSpec& request) = 0;
};

class Workload {
 public:
  // Throws std::invalid_argument if config.validate() finds problems: a
  // precondition, since the loader reports those problems as diagnostics
  // before any Workload is made (a throw here is a bug, not bad input).
  Workload(sim::Simulation& sim, const sim::RandomSource& rng, WorkloadConfig config,
           RequestSink& sink);
  ~Workload();

  // Schedules the first arrival(s). Call once, before running the simulation.
  void start();
  // Closed loop: the request finished (however it ended); its user starts
  // thinking. Ignored for open-loop workloads.
  void on_request_finished(const RequestSpec& request);

  std::uint64_t generated() const { return next_id_; }
  bool closed_loop() const { return config_.closed_loop(); }
  // The request with this id, as it would be generated (pure function of the
  // seed and id: class, difficulty, tokens; arrival and deadline left unset).
  RequestSpec describe(std::uint64_t id) const;
  const WorkloadConfig& config() const { return config_; }

 private:
  bool may_arrive(sim::Time t) const;
  void emit(sim::Time t, std::uint32_t user);
  void schedule_next_open();

  sim::Simulation& sim_;
  sim::RandomSource rng_;
  // Request `id`'s stream: its two 32-bit halves in the counter of the
  // family ("request").
  sim::StreamFamily request_streams_ = rng_.family("request");
  WorkloadConfig config_;
  RequestSink& sink_;
  std::unique_ptr<ArrivalProcess> arrivals_;
  sim::RandomStream arrival_stream_;
  sim::Distribution class_mix_;
  // One class, whose difficulty and input tokens are constants: describe()
  // picks class 0 without drawing. The pick would be the request stream's
  // only draw, so no later value moves, and a request costs no Philox block.
  bool skip_class_draw_ = false;
  std::vector<std::uint32_t> user_turns_;
  std::uint64_t next_id_ = 0;
};

}  // namespace orchsim::scenarios
