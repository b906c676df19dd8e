// A mock LLM service or tool: servers and a FIFO queue, token-driven latency,
// explicit errors, hangs and silent failures, a quality model, token costs,
// provider rate limits and a fault schedule, all configured by
// MockAgentConfig.
//
//   sim::Simulation sim;
//   sim::RandomSource rng(seed);
//   MockAgent agent(sim, rng, config);       // config.validate() must be empty
//   CallId id = agent.submit(request, listener, tag);
//   sim.run();                               // listener.on_call_finished(...) fires
//
// Common random numbers: every draw about a call (outcome, tokens, quality
// noise, label, verdict, base latency) comes from the stream keyed by
// ("call", agent name, request_id, attempt, variant), drawn in a fixed order
// at submission, so it does not depend on when or in what order calls arrive.
// Only the world's state (queueing, utilisation slowdown, fault windows, rate
// limits) differs between policies.
//
// Rejections (context overflow, bulkhead or queue full, rate limit, outage)
// are delivered through the listener at the submission instant, after
// submit() returns. Cost: O(1) per call; no allocation in steady state.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "mock_agents/agent.hpp"
#include "mock_agents/agent_config.hpp"
#include "mock_agents/token_bucket.hpp"
#include "sim/random.hpp"
#include "sim/simulation.hpp"

namespace orchsim::mock_agents {

// Counters an agent keeps about itself (cheap; always on).
struct AgentStats {
  std::uint64_t submitted = 0;
  std::uint64_t served = 0;     // service started
  std::uint64_t succeeded = 0;  // status success (silent failures included)
  std::uint64_t silent_failures = 0;
  std::uint64_t errors_by_kind[7] = {};  // indexed by ErrorKind
  std::uint64_t hangs = 0;
  std::uint64_t cancelled_queued = 0;
  std::uint64_t cancelled_in_service = 0;
  sim::Duration total_queue_wait = sim::Duration::zero();  // over calls that started service
  sim::Duration busy_server_time = sim::Duration::zero();  // integral of busy servers over time
  std::uint32_t max_queue_length = 0;
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  double cost_usd = 0.0;
};

class MockAgent final : public Agent {
 public:
  // `config` must validate; throws std::invalid_argument listing the problems
  // otherwise. The agent schedules its fault-window boundaries on `sim`.
  MockAgent(sim::Simulation& sim, const sim::RandomSource& rng, MockAgentConfig config);
  ~MockAgent() override;
  MockAgent(const MockAgent&) = delete;
  MockAgent& operator=(const MockAgent&) = delete;

  std::string_view name() const override { return config_.name; }
  std::string_view role() const override { return config_.role; }
  std::int64_t context_window_tokens() const override { return config_.context_window_tokens; }

  CallId submit(const CallRequest& request, CallListener& listener, std::uint64_t tag) override;
  Cancellation cancel(CallId id) override;
  std::optional<sim::Time> end_bound(CallId id) const override;

  std::uint32_t in_service() const override { return busy_; }
  std::uint32_t queued() const override { return queued_live_; }
  std::uint32_t servers() const override { return config_.servers; }
  double usd_per_1k_input_tokens() const override { return config_.tokens.usd_per_1k_input_tokens; }
  double usd_per_1k_output_tokens() const override {
    return config_.tokens.usd_per_1k_output_tokens;
  }
  double rate_limit_headroom(sim::Time now) const override;

  const MockAgentConfig& config() const { return config_; }
  // Counters up to now (busy time is brought up to date on each call).
  const AgentStats& stats();

  // The fault window covering `t`, if any (the first one listed wins).
  const FaultWindow* fault_at(sim::Time t) const;

 private:
  enum class Phase : std::uint8_t { kFree, kQueued, kInService, kRejecting };
  struct Call;
  // What was decided for a call at submission from its keyed stream.
  struct Draws {
    double outcome_u;
    double degraded_error_u;
    double quality_z;
    double silent_quality_u;
    double verdict_u;
    std::uint32_t label;
    std::int64_t output_tokens;
    double base_latency_ms;
    double confidence_z;
    // Drawn last so that agents with constant token times (which draw
    // nothing here) keep every earlier draw where it was.
    double time_to_first_token_ms;
    double inter_token_ms;
  };

  std::uint32_t allocate_call();
  std::uint32_t new_call();
  void release_call(std::uint32_t index);
  Call* find(CallId id);
  const Call* find(CallId id) const;
  // Written in place: the call's slot is the only consumer.
  void draw(const CallRequest& request, Draws& d) const;
  std::optional<ErrorKind> admission_error(const CallRequest& request, const Draws& d,
                                           sim::Duration& retry_after);
  void reject(std::uint32_t index, ErrorKind kind, sim::Duration retry_after);
  void start_service(std::uint32_t index);
  void finish(std::uint32_t index);
  void start_next_queued();
  void account_busy();
  void on_fault_start(const FaultWindow& window);
  void fill_success(Call& c);
  double cost_of(std::int64_t input_tokens, std::int64_t output_tokens) const;

  sim::Simulation& sim_;
  sim::RandomSource rng_;
  MockAgentConfig config_;
  std::uint64_t name_key_;
  // Every call's stream: (request id's low word, attempt, variant) in the
  // counter of the family ("call", agent name). A request id of 2^32 or more
  // takes its high word into the family key (computed per call: rare).
  sim::StreamFamily call_streams_;
  std::optional<TokenBucket> request_bucket_;
  std::optional<TokenBucket> token_bucket_;
  std::unique_ptr<sim::Distribution> label_distribution_;

  std::vector<Call> calls_;
  std::vector<std::uint32_t> free_calls_;
  std::deque<std::uint32_t> queue_;               // call indices; cancelled ones are skipped lazily
  std::vector<std::uint32_t> per_caller_active_;  // bulkhead counts, indexed by caller
  std::uint32_t busy_ = 0;
  std::uint32_t queued_live_ = 0;
  sim::Time busy_since_;  // last time busy_ changed, for the busy-time integral
  AgentStats stats_;
};

}  // namespace orchsim::mock_agents
