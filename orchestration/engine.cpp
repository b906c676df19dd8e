// The engine's life cycle: construction (workflow check, one routing policy
// per call node), requests arriving and ending, and the public facade.
#include "orchestration/engine.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "orchestration/policy_registry.hpp"

namespace orchsim::orchestration {
namespace detail {

Engine::Engine(sim::Simulation& sim, const sim::RandomSource& rng, const Workflow& workflow,
               std::vector<mock_agents::Agent*> agents, OrchestratorConfig config)
    : res_(config, agents.size()),
      sim_(sim),
      rng_(rng),
      workflow_(workflow),
      agents_(std::move(agents)),
      config_(std::move(config)) {
  std::vector<std::string> problems = workflow_.validate(agents_.size());
  policies_.resize(workflow_.nodes.size());
  revisit_policies_.resize(workflow_.nodes.size());
  for (NodeId i = 0; i < workflow_.nodes.size(); ++i) {
    const Node& n = workflow_.nodes[i];
    if (n.kind != NodeKind::kCall) continue;
    policies_[i] = make_policy(i, n.call, problems);
    for (const Revisit& r : n.on_revisit) {
      revisit_policies_[i].push_back(make_policy(i, r.call, problems));
    }
    const bool told = wants_request_finished(policies_[i]) ||
                      std::any_of(revisit_policies_[i].begin(), revisit_policies_[i].end(),
                                  wants_request_finished);
    if (told) told_requests_.push_back(i);
  }
  for (const SubWorkflow& sub : workflow_.sub_workflows) {
    sub_budgets_.push_back(sub.retry_budget ? std::make_unique<RetryBudget>(*sub.retry_budget)
                                            : nullptr);
  }
  if (!problems.empty()) {
    std::string msg = fmt::format("workflow '{}' is invalid:", workflow_.name);
    for (const auto& p : problems) msg += "\n  " + p;
    throw std::invalid_argument(msg);
  }
  res_.on_breaker_change([this](AgentIndex a, BreakerState from, BreakerState to, sim::Time t) {
    if (observer_) observer_->on_breaker_changed({.at = t, .agent = a, .from = from, .to = to});
  });
  set_context_sources();
}

// policies_ and revisit_policies_ are not resized after construction, so the
// pointers into them stay valid.
void Engine::set_context_sources() {
  const auto set = [this](NodeId i, NodePolicy& p) {
    if (!p.policy) return;
    p.context.class_count = config_.class_count;
    p.context.node = i;
    p.context.node_name = workflow_.nodes[i].name;
    p.context.set_sources({.candidates = &p.candidates,
                           .eligible = &p.all_eligible,
                           .agents = &agents_,
                           .signals = &res_.signals(),
                           .breakers = &res_.breaker_views(),
                           .rng = &rng_},
                          explain_);
  };
  for (NodeId i = 0; i < policies_.size(); ++i) {
    set(i, policies_[i]);
    for (NodePolicy& p : revisit_policies_[i]) set(i, p);
  }
}

Engine::~Engine() = default;

// The routing policy of one configuration of a call node (none for a node
// that runs a sub-workflow), with what keeps it from being made in `problems`.
Engine::NodePolicy Engine::make_policy(NodeId node, const CallNode& c,
                                       std::vector<std::string>& problems) {
  NodePolicy made;
  if (c.sub_workflow != kNoSubWorkflow) return made;
  const Node& n = workflow_.nodes[node];
  std::vector<std::string> agent_names;
  for (const mock_agents::Agent* a : agents_) agent_names.emplace_back(a->name());
  made.candidates = c.agents;
  std::vector<ParamProblem> found;
  made.policy = make_node_policy(c.routing, n.name, made.candidates, agent_names,
                                 config_.class_count, PolicyRegistry::global(), found);
  for (const ParamProblem& f : found) {
    problems.push_back(
        fmt::format("{}: routing: {}{}{}", n.name, f.message, f.hint.empty() ? "" : " ", f.hint));
  }
  if (found.empty() && made.candidates.empty()) {
    problems.push_back(fmt::format("{}: no candidate agents", n.name));
  }
  for (const AgentIndex a : made.candidates) {
    if (a >= agents_.size())
      problems.push_back(fmt::format("{}: agent {} is not an agent", n.name, a));
  }
  made.all_eligible.assign(made.candidates.size(), true);
  if (made.policy) made.hooks = made.policy->hooks();
  return made;
}

std::int64_t Engine::window_of(AgentIndex agent, const CallNode& c) const {
  if (agent != kNoAgent) return agents_[agent]->context_window_tokens();
  const std::int64_t w = workflow_.sub_workflows[c.sub_workflow].context_window_tokens;
  return w > 0 ? w : std::numeric_limits<std::int64_t>::max();
}

void Engine::set_observer(Observer* observer) {
  observer_ = observer;
  explain_ = observer != nullptr && observer->wants_explanations();
  context_unread_ = !explain_ && (observer == nullptr || !observer->reads_decision_context());
  set_context_sources();
}

sim::RandomStream Engine::step_stream(const Step& s, std::string_view purpose) const {
  const Request& r = requests_[s.req];
  const std::uint64_t key = scope_key(r, r.flows[s.flow]);
  if (key != 0) {
    return rng_.stream("orchestrator", purpose, r.in.id, s.node, s.visit, s.attempts_started, key);
  }
  return rng_.stream("orchestrator", purpose, r.in.id, s.node, s.visit, s.attempts_started);
}

void Engine::submit(const RequestInput& in) {
  const Handle<Request> req = requests_.acquire();
  Request& r = requests_[req];
  r.in = in;
  r.arrival = sim_.now();
  r.visits.assign(workflow_.nodes.size(), 0);
  ++arrived_;
  res_.budget().request_started();
  r.root = r.flows.acquire();
  Flow& main = r.flows[r.root];
  main.active = true;
  if (workflow_.system_prompt_tokens > 0) {
    main.context.add({SegmentKind::kSystem, workflow_.system_prompt_tokens, 1.0});
  }
  main.context.add({SegmentKind::kQuery, in.input_tokens, 1.0});
  if (observer_) {
    observer_->on_request_arrived({.at = sim_.now(),
                                   .request = in.id,
                                   .class_index = in.class_index,
                                   .input_tokens = in.input_tokens,
                                   .deadline = in.deadline});
  }
  enter(req, r.root, workflow_.entry);
}

void Engine::finish_request(Handle<Request> req, bool success, std::string_view outcome) {
  Request* rp = requests_.get(req);
  if (!rp) return;
  // Everything still running for the request stops: its steps' calls are
  // cancelled (and billed), in the order the flows started.
  cancel_flow(req, rp->root);
  Request& r = requests_[req];
  res_.budget().request_finished();
  success ? ++completed_ : ++failed_;
  const Flow& main = r.flows[r.root];
  double quality = 0.0;
  bool silent = false;
  if (success) {
    if (outcome == "best_so_far") {
      quality = r.best.quality;
      silent = r.best.silent;
    } else {
      quality = main.has_answer ? main.answer : 0.0;
      silent = main.answer_silent;
    }
  }
  const RequestFinished e{.at = sim_.now(),
                          .request = r.in.id,
                          .class_index = r.in.class_index,
                          .success = success,
                          .outcome = outcome,
                          .latency = sim_.now() - r.arrival,
                          .quality = quality,
                          .answer_silent_failure = silent,
                          .cost_usd = r.cost,
                          .input_tokens = r.input_tokens,
                          .output_tokens = r.output_tokens,
                          .calls = r.calls,
                          .retries = r.retries,
                          .hedges = r.hedges,
                          .timeouts = r.timeouts,
                          .fallbacks = r.fallbacks,
                          .redirects = r.redirects};
  if (observer_) observer_->on_request_finished(e);
  tell_policies_request_finished(r, e);
  requests_.release(req);
}

void Engine::tell_policies_request_finished(const Request& r, const RequestFinished& e) {
  if (told_requests_.empty()) return;
  const Flow& main = r.flows[r.root];
  RequestOutcome o{.at = e.at,
                   .request = e.request,
                   .class_index = e.class_index,
                   .success = e.success,
                   .outcome = e.outcome,
                   .latency = e.latency,
                   .cost_usd = e.cost_usd,
                   .input_tokens = e.input_tokens,
                   .output_tokens = e.output_tokens,
                   .calls = e.calls,
                   .judged = main.judged,
                   .verdict_pass = main.judged && main.verdict,
                   .answer_confidence = main.has_answer ? main.answer_confidence : 0.0,
                   .oracle_quality = e.quality,
                   .oracle_silent_failure = e.answer_silent_failure};
  for (const NodeId n : told_requests_) {
    if (r.visits[n] == 0) continue;
    if (wants_request_finished(policies_[n])) policies_[n].policy->request_finished(o);
    for (NodePolicy& p : revisit_policies_[n]) {
      if (wants_request_finished(p)) p.policy->request_finished(o);
    }
  }
}

}  // namespace detail

// --- The public facade ----------------------------------------------------------------

Orchestrator::Orchestrator(sim::Simulation& sim, const sim::RandomSource& rng,
                           const Workflow& workflow, std::vector<mock_agents::Agent*> agents,
                           OrchestratorConfig config)
    : engine_(std::make_unique<detail::Engine>(sim, rng, workflow, std::move(agents),
                                               std::move(config))) {}
Orchestrator::~Orchestrator() = default;
void Orchestrator::set_observer(Observer* observer) { engine_->set_observer(observer); }
void Orchestrator::submit(const RequestInput& request) { engine_->submit(request); }
std::uint64_t Orchestrator::arrived() const { return engine_->arrived_; }
std::uint64_t Orchestrator::completed() const { return engine_->completed_; }
std::uint64_t Orchestrator::failed() const { return engine_->failed_; }
std::uint64_t Orchestrator::calls_in_flight() const { return engine_->calls_in_flight_; }
const std::vector<AgentSignals>& Orchestrator::signals() const { return engine_->res_.signals(); }
const RetryBudget& Orchestrator::retry_budget() const { return engine_->res_.budget(); }
const CircuitBreaker* Orchestrator::breaker(AgentIndex agent) const {
  return engine_->res_.breaker(agent);
}

}  // namespace orchsim::orchestration
