// Routing policies: which agent gets the current context next, among a call
// node's candidates. One interface, chosen by name (RoutingConfig::policy);
// the names and what each policy does are in kRoutingPolicies below.
//
// Ineligible candidates (open breaker) are never chosen while an eligible one
// exists. Draws come from the stream the orchestrator passes, keyed by
// request and node, so choices are reproducible.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mock_agents/agent.hpp"
#include "orchestration/events.hpp"
#include "orchestration/workflow.hpp"
#include "sim/random.hpp"

namespace orchsim::orchestration {

// What the orchestrator has learned about an agent from its calls.
struct AgentSignals {
  double ewma_latency_ms = 0.0;
  double ewma_confidence = 1.0;  // optimistic until observed
  double ewma_cost_usd = 0.0;
  std::uint64_t samples = 0;
  std::uint32_t outstanding = 0;  // this orchestrator's calls in flight to it
};

struct RouteInput {
  RequestId request = 0;
  std::uint32_t class_index = 0;
  std::uint32_t class_count = 1;
  std::int64_t input_tokens = 0;
  const std::vector<AgentIndex>* candidates = nullptr;
  const std::vector<bool>* eligible = nullptr;  // per candidate
  const std::vector<mock_agents::Agent*>* agents = nullptr;
  const std::vector<AgentSignals>* signals = nullptr;
};

class RoutingPolicy {
 public:
  virtual ~RoutingPolicy() = default;
  virtual std::string_view name() const = 0;
  // Whether choose() draws from its stream (weighted_random, p2c); others get
  // a stream they never read, so the orchestrator skips keying one.
  virtual bool uses_randomness() const { return false; }
  // Returns a position in *in.candidates. When `scores` is non-null, fills it
  // with every candidate's score and sets `reason` (only done when someone
  // observes, so that routing costs nothing extra otherwise).
  virtual std::size_t choose(const RouteInput& in, sim::RandomStream& stream,
                             std::vector<RoutingCandidate>* scores, std::string* reason) = 0;
  // Feedback after the step succeeded on candidate `position`.
  virtual void learn(const RouteInput&, std::size_t /*position*/, double /*reward*/) {}
};

// The policies make_routing_policy() builds, by name. The scenario format,
// its schema and the docs read this list.
struct RoutingPolicyName {
  std::string_view name;
  std::string_view doc;
};
inline constexpr RoutingPolicyName kRoutingPolicies[] = {
    {"static", "the first eligible candidate"},
    {"round_robin", "candidates in turn"},
    {"weighted_random", "at random, by `weights`"},
    {"least_loaded", "fewest calls in service + queued per server (ties: first)"},
    {"latency_ewma", "lowest EWMA latency of successful calls (untried first)"},
    {"p2c",
     "power of two choices: of two random eligible candidates, the one with the lower EWMA "
     "latency x (1 + load)"},
    {"cost_aware",
     "the cheapest by EWMA cost among those whose EWMA confidence reaches min_confidence (else "
     "the most confident)"},
    {"linucb",
     "a contextual bandit over request features (class one-hot, input tokens / 1000, bias), "
     "learning online from reward = confidence - cost_weight x cost"},
    {"cascade", "cheap tiers first, escalating below accept_confidence (the orchestrator's)"},
};

// Builds the policy named in `config` for a node with `candidate_count` candidates.
std::unique_ptr<RoutingPolicy> make_routing_policy(const RoutingConfig& config,
                                                   std::size_t candidate_count,
                                                   std::uint32_t class_count);

}  // namespace orchsim::orchestration
