// The engine's life cycle: construction (workflow check, one routing policy
// per call node), requests arriving and ending, and the public facade.
#include "orchestration/engine.hpp"

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
  std::vector<std::string> agent_names;
  for (const mock_agents::Agent* a : agents_) agent_names.emplace_back(a->name());
  policies_.resize(workflow_.nodes.size());
  for (NodeId i = 0; i < workflow_.nodes.size(); ++i) {
    const Node& n = workflow_.nodes[i];
    if (n.kind != NodeKind::kCall) continue;
    NodePolicy& p = policies_[i];
    p.candidates = n.call.agents;
    std::vector<ParamProblem> found;
    p.policy = make_node_policy(n.call.routing, n.name, p.candidates, agent_names,
                                config_.class_count, PolicyRegistry::global(), found);
    for (const ParamProblem& f : found) {
      problems.push_back(
          fmt::format("{}: routing: {}{}{}", n.name, f.message, f.hint.empty() ? "" : " ", f.hint));
    }
    if (found.empty() && p.candidates.empty()) {
      problems.push_back(fmt::format("{}: no candidate agents", n.name));
    }
    for (const AgentIndex a : p.candidates) {
      if (a >= agents_.size())
        problems.push_back(fmt::format("{}: agent {} is not an agent", n.name, a));
    }
    p.all_eligible.assign(p.candidates.size(), true);
    if (p.policy) p.hooks = p.policy->hooks();
    if (p.policy && p.hooks.request_finished) told_requests_.push_back(i);
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

// policies_ is not resized after construction, so the pointers into it stay valid.
void Engine::set_context_sources() {
  for (NodeId i = 0; i < policies_.size(); ++i) {
    NodePolicy& p = policies_[i];
    if (!p.policy) continue;
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
  }
}

Engine::~Engine() = default;

void Engine::set_observer(Observer* observer) {
  observer_ = observer;
  explain_ = observer != nullptr && observer->wants_explanations();
  context_unread_ = !explain_ && (observer == nullptr || !observer->reads_decision_context());
  set_context_sources();
}

sim::RandomStream Engine::step_stream(const Step& s, std::string_view purpose) const {
  const Request& r = requests_[s.req];
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
      quality = r.best_quality;
      silent = r.best_silent;
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
    if (r.visits[n] > 0) policies_[n].policy->request_finished(o);
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
