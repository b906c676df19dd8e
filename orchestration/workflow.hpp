// The workflow graph the orchestrator executes for every request.
//
// Nodes:
//  - call:     one step served by an agent chosen by a routing policy among
//              candidates, with context fitting, retries, timeouts, hedging,
//              validation, fallback and a time budget. Edges: next, on_failure.
//  - gate:     a decision: ordered rules (condition -> node), else `otherwise`.
//              Conditions read the last step's label, verdict, confidence or
//              error, the request class, the time or money left, or visits.
//  - fan_out:  starts parallel branches (a static list of entry nodes, or N
//              copies of one entry, N fixed or taken from the last output
//              label) that run until they reach the paired join.
//  - join:     waits for branches by policy: all, first success, first k,
//              quorum, or a deadline with partial results; merges their
//              evidence quality (max, mean or union).
//  - terminal: ends the request as a success or a named failure.
// Loops are edges back to earlier nodes; every node may bound its visits per
// request (max_visits), and exhaustion goes to `on_exhausted` or ends the
// request with the best answer so far or a named failure: never an endless run.
//
// Build a Workflow, then call validate(): it lists every problem (unknown
// targets, unreachable nodes, each loop without a bound, ...) before a run
// starts.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "mock_agents/agent.hpp"
#include "orchestration/backoff.hpp"
#include "orchestration/context.hpp"
#include "sim/enum_names.hpp"
#include "sim/time.hpp"

namespace orchsim::orchestration {

using NodeId = std::uint32_t;
inline constexpr NodeId kNoNode = std::numeric_limits<NodeId>::max();
using AgentIndex = std::uint32_t;
inline constexpr AgentIndex kNoAgent = std::numeric_limits<AgentIndex>::max();

enum class NodeKind : std::uint8_t { kCall, kGate, kFanOut, kJoin, kTerminal };
inline constexpr sim::EnumName<NodeKind> kNodeKindNames[] = {
    {NodeKind::kCall, "call", "Calls an agent."},
    {NodeKind::kGate, "gate", "Routes on conditions."},
    {NodeKind::kFanOut, "fan_out", "Runs branches in parallel."},
    {NodeKind::kJoin, "join", "Waits for fan-out branches."},
    {NodeKind::kTerminal, "terminal", "Ends the request."},
};
std::string_view to_string(NodeKind kind);

// Which quality a call step reads as its input, and which it sets.
enum class QualityChannel : std::uint8_t { kNone, kEvidence, kAnswer };
// In the order the scenario format has always listed them.
inline constexpr sim::EnumName<QualityChannel> kQualityChannelNames[] = {
    {QualityChannel::kEvidence, "evidence", "the evidence quality (retrieval, reranking)"},
    {QualityChannel::kAnswer, "answer", "the answer quality"},
    {QualityChannel::kNone, "none", "neither"},
};
inline std::string_view to_string(QualityChannel c) {
  return sim::enum_name(kQualityChannelNames, c);
}

// One of an ordered list of retriers (Step Functions' Retry): the first rule
// that matches a failure decides whether it is retried and after how long,
// with a count of retries and a backoff of its own.
struct RetryRule {
  std::vector<mock_agents::ErrorKind> retry_on;
  bool retry_on_timeout = false;
  bool retry_on_invalid = false;
  std::uint32_t max_retries = 3;  // retries this rule allows a step; 0 = never
  BackoffPolicy backoff;
};
inline constexpr std::size_t kMaxRetryRules = 8;

struct RetryConfig {
  std::uint32_t max_attempts = 1;  // total, the first one included
  BackoffPolicy backoff;
  // Errors worth retrying; defaults to mock_agents::is_retryable().
  std::vector<mock_agents::ErrorKind> retry_on = {
      mock_agents::ErrorKind::kTransient, mock_agents::ErrorKind::kRateLimited,
      mock_agents::ErrorKind::kOverloaded, mock_agents::ErrorKind::kUnavailable};
  bool retry_on_timeout = true;
  bool retry_on_invalid = true;  // a validator rejected the output
  // Wait at least a rate-limited call's retry-after before retrying. false:
  // the backoff alone decides, as in Step Functions, whose Retry never reads
  // a provider's retry-after (and then a "never" retry-after is retried too).
  bool honour_retry_after = true;
  // Non-empty (at most kMaxRetryRules): these decide instead of max_attempts,
  // retry_on, retry_on_timeout, retry_on_invalid and backoff.
  std::vector<RetryRule> rules;
};

struct HedgeConfig {
  std::uint32_t max_extra_attempts = 0;  // 0 = no hedging
  sim::Duration delay = sim::Duration::zero();
  // Agents for the hedges, in order; empty = chosen by the node's routing policy.
  std::vector<AgentIndex> agents;
};

// Silent-failure detection: flags an output as bad with probability
// true_positive_rate when it is bad (silent failure, or quality below
// bad_below), and with false_positive_rate when it is good.
struct ValidatorConfig {
  bool enabled = false;
  double bad_below = 0.3;
  double true_positive_rate = 0.9;
  double false_positive_rate = 0.05;
};

// When a step is still running after `budget`, redirect it: launch an
// attempt on `fast_agent` (first answer wins), or decompose it into `parts`
// parallel sub-calls on `decompose_agent`, each with 1/parts of the input,
// merged when all succeed.
struct TimeBudgetConfig {
  sim::Duration budget = sim::Duration::zero();  // zero = none
  enum class Action : std::uint8_t { kRedirect, kDecompose } action = Action::kRedirect;
  AgentIndex fast_agent = 0;
  AgentIndex decompose_agent = 0;
  std::uint32_t parts = 2;
};
inline constexpr sim::EnumName<TimeBudgetConfig::Action> kTimeBudgetActionNames[] = {
    {TimeBudgetConfig::Action::kRedirect, "redirect", "also launch the step on a faster agent"},
    {TimeBudgetConfig::Action::kDecompose, "decompose", "split the step into parallel parts"},
};

class PolicyParams;
struct NodeSpec;
class RoutingPolicy;

// Which routing policy serves a call node, and its parameters. Policies are
// plug-ins (orchestration/policy_registry.hpp): the loader resolves the name
// to a factory and checks the parameters; the orchestrator asks the factory
// for a fresh policy per node per run.
struct RoutingConfig {
  std::string policy = "static";
  // The node's "routing.params" object (may be null), and the flat keys
  // format version 1 keeps next to "policy" (weights, exploration, tiers, ...).
  std::shared_ptr<const nlohmann::ordered_json> params;
  std::shared_ptr<const nlohmann::ordered_json> legacy;
  std::string pointer;  // where "routing" is in the scenario, for messages
  // Resolved by the loader; empty: looked up in PolicyRegistry::global() by name.
  std::shared_ptr<const std::function<std::unique_ptr<RoutingPolicy>(PolicyParams&, NodeSpec&)>>
      factory;

  // A config for C++ callers: `params` as JSON text (an object), e.g.
  // RoutingConfig::named("weighted_random", R"({"weights": [3, 1]})").
  static RoutingConfig named(std::string policy, std::string_view params_json = {});
};

struct CallNode {
  std::vector<AgentIndex> agents;  // candidates
  RoutingConfig routing;
  sim::Duration attempt_timeout = sim::Duration::zero();  // zero = none
  RetryConfig retry;
  HedgeConfig hedge;
  ValidatorConfig validator;
  std::vector<AgentIndex> fallback_agents;  // one attempt each, in order, after retries fail
  TimeBudgetConfig time_budget;
  // Context.
  FitPolicy fit = FitPolicy::kTruncateOldest;
  AgentIndex summarizer = 0;      // for FitPolicy::kSummarize
  double summary_ratio = 0.2;     // summary tokens / summarized tokens
  double summary_fidelity = 0.8;  // information the summary keeps
  bool include_context = true;    // false: the call sees only system prompt + query
  SegmentKind output_segment = SegmentKind::kIntermediate;
  double output_relevance = 1.0;
  bool output_to_context = true;
  // Quality flow.
  QualityChannel input = QualityChannel::kEvidence;
  QualityChannel output = QualityChannel::kAnswer;
  bool judges_answer = false;  // a critic/judge: its verdict is on the answer quality
};

struct Condition {
  enum class What : std::uint8_t {
    kAlways,
    kLabelIs,            // last call's output label is `label_name` (per agent; see label_by_agent)
    kConfidenceBelow,    // last call's confidence < value
    kConfidenceAtLeast,  // last call's confidence >= value
    kVerdictPass,        // last judge/critic verdict
    kVerdictFail,
    kLastFailed,     // the last call step failed (after retries and fallback)
    kErrorIs,        // ... with this error kind
    kClassIs,        // request class index == class_index
    kCostAbove,      // money spent so far > value (USD)
    kTimeLeftBelow,  // deadline - now < duration
    kVisitsAtLeast,  // visits of `node` >= count
  };
  What what = What::kAlways;
  std::uint32_t label = 0;
  std::string label_name = {};  // for explanations
  // Labels are per agent: the index of `label_name` in each agent's labels
  // (-1: that agent never outputs it). Empty: compare `label` directly.
  std::vector<std::int32_t> label_by_agent = {};
  double value = 0.0;
  mock_agents::ErrorKind error = mock_agents::ErrorKind::kNone;
  std::uint32_t class_index = 0;
  sim::Duration duration = sim::Duration::zero();
  NodeId node = kNoNode;
  std::uint32_t count = 0;
};
inline constexpr sim::EnumName<Condition::What> kConditionNames[] = {
    {Condition::What::kAlways, "always", "Always true (any value)."},
    {Condition::What::kLabelIs, "label_is",
     "The last output's label is this one (an agent's label)."},
    {Condition::What::kConfidenceBelow, "confidence_below",
     "The last output's confidence is below this."},
    {Condition::What::kConfidenceAtLeast, "confidence_at_least",
     "The last output's confidence is at least this."},
    {Condition::What::kVerdictPass, "verdict_pass",
     "The last judge passed the answer (write true)."},
    {Condition::What::kVerdictFail, "verdict_fail",
     "The last judge failed the answer (write true)."},
    {Condition::What::kLastFailed, "last_failed", "The last call failed (write true)."},
    {Condition::What::kErrorIs, "error_is", "The last call failed with this error kind."},
    {Condition::What::kClassIs, "class_is", "The request's class is this one (a class name)."},
    {Condition::What::kCostAbove, "cost_above_usd", "The request has cost more than this, USD."},
    {Condition::What::kTimeLeftBelow, "time_left_below_ms",
     "Less than this is left before the deadline, milliseconds."},
    {Condition::What::kVisitsAtLeast, "visits_at_least",
     "A node has been visited at least `count` times."},
};

struct GateRule {
  Condition when;
  NodeId then = kNoNode;
};

struct GateNode {
  std::vector<GateRule> rules;
  NodeId otherwise = kNoNode;
};

enum class JoinPolicy : std::uint8_t { kAll, kFirstSuccess, kFirstK, kQuorum, kDeadline };
inline constexpr sim::EnumName<JoinPolicy> kJoinPolicyNames[] = {
    {JoinPolicy::kAll, "all", "every branch"},
    {JoinPolicy::kFirstSuccess, "first_success", "the first branch to succeed"},
    {JoinPolicy::kFirstK, "first_k", "the first k successes"},
    {JoinPolicy::kQuorum, "quorum", "a majority of the branches succeeded"},
    {JoinPolicy::kDeadline, "deadline", "the branches done after deadline_ms"},
};
std::string_view to_string(JoinPolicy policy);

enum class Merge : std::uint8_t { kMax, kMean, kUnion };
inline constexpr sim::EnumName<Merge> kMergeNames[] = {
    {Merge::kMax, "max", "the best branch's quality"},
    {Merge::kMean, "mean", "the mean of the branches' qualities"},
    {Merge::kUnion, "union", "1 - prod(1 - q): independent evidence adds up"},
};
inline std::string_view to_string(Merge m) { return sim::enum_name(kMergeNames, m); }

struct FanOutNode {
  std::vector<NodeId> branches;  // static fan-out: one branch per entry node
  NodeId map_entry = kNoNode;    // dynamic fan-out: `map_count` copies of this entry
  std::uint32_t map_count = 0;
  bool count_from_label = false;  // dynamic count = last output label + 1 (planner decides)
  NodeId join = kNoNode;
  // Branches running at once; the next starts when one ends (Step Functions'
  // Map MaxConcurrency). 0 = all at once.
  std::uint32_t max_concurrency = 0;
};

// What an `all` join does when branches fail. Failures up to the tolerance
// are accepted (Step Functions' Map: ToleratedFailureCount and
// ToleratedFailurePercentage; the join fails when either is exceeded). With
// kFailFast the join fails as soon as the tolerance is exceeded and cancels
// the rest (Step Functions' Parallel, LangGraph's superstep, Promise.all);
// with kWaitAll it waits for every branch, then succeeds if the failures are
// within the tolerance (Promise.allSettled plus a threshold).
enum class BranchFailure : std::uint8_t { kFailFast, kWaitAll };

struct JoinNode {
  JoinPolicy policy = JoinPolicy::kAll;
  std::uint32_t k = 1;                             // first_k
  sim::Duration deadline = sim::Duration::zero();  // kDeadline: after the fan-out started
  Merge merge = Merge::kMax;
  NodeId on_failure = kNoNode;  // too few successes; kNoNode = the flow fails
  // kAll only.
  BranchFailure on_branch_failure = BranchFailure::kFailFast;
  static constexpr std::uint32_t kUnset = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t tolerated_failures = kUnset;  // kUnset: not given
  double tolerated_failure_percent = -1.0;    // < 0: not given

  // The most failures of `total` branches this join accepts.
  std::uint32_t tolerated(std::uint32_t total) const;
};

struct TerminalNode {
  bool success = true;
  std::string outcome = "answered";
};

struct Node {
  std::string name;
  NodeKind kind = NodeKind::kTerminal;
  CallNode call;
  GateNode gate;
  FanOutNode fan_out;
  JoinNode join;
  TerminalNode terminal;
  NodeId next = kNoNode;          // call, join: where to go on success
  NodeId on_failure = kNoNode;    // call: after retries and fallback; kNoNode = the request fails
  std::uint32_t max_visits = 0;   // per request; 0 = unbounded
  NodeId on_exhausted = kNoNode;  // kNoNode: end the request (see exhausted_is_success)
  bool exhausted_is_success = true;  // best answer so far, or failure "loop_exhausted"
};

struct Workflow {
  std::string name;
  std::vector<Node> nodes;
  NodeId entry = 0;
  // Context every request starts with (besides its query).
  std::int64_t system_prompt_tokens = 0;

  NodeId find(const std::string& node_name) const;
  // Every problem as "<node>: <what>", given the number of agents; empty = runnable.
  std::vector<std::string> validate(std::size_t agent_count) const;
};

}  // namespace orchsim::orchestration
