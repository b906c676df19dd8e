// ObserverThread: observers on a worker thread see exactly what they would
// have seen inline (every event, every field, what the views point to, in
// the same order), across many batches and every kind of event the built-in
// scenarios make; views that die with the call are copied; an observer's
// exception reaches finish(); an observer that reads decision contexts is
// refused.
#include "eval/observer_thread.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include "eval/runner.hpp"
#include "tests/eval/eval_test_support.hpp"

namespace orchsim::eval {
namespace {

using namespace orchestration;
using test_support::at;
using namespace sim::literals;

// Writes down every event it gets, every field but the decision context (a
// pointer into the simulation's thread), one line each, and counts the kinds.
class Transcript final : public Observer {
 public:
  bool wants_explanations() const override { return true; }
  bool reads_decision_context() const override { return false; }

  void on_request_arrived(const RequestArrived& e) override {
    line(ObserverThread::kRequestArrived, "arrived {} {} {} {} {}", e.at.count_ns(), e.request,
         e.class_index, e.input_tokens, e.deadline.count_ns());
  }
  void on_request_finished(const RequestFinished& e) override {
    line(ObserverThread::kRequestFinished,
         "finished {} {} {} {} '{}' {} {} {} {} {} {} {} {} {} {} {} {}", e.at.count_ns(),
         e.request, e.class_index, e.success, e.outcome, e.latency.count_ns(), e.quality,
         e.answer_silent_failure, e.cost_usd, e.input_tokens, e.output_tokens, e.calls, e.retries,
         e.hedges, e.timeouts, e.fallbacks, e.redirects);
  }
  void on_call_started(const CallStarted& e) override {
    line(ObserverThread::kCallStarted, "call {} {} {} {} {} {} {} {} {} {} {}", e.at.count_ns(),
         e.request, e.node, e.agent, e.attempt, e.call, static_cast<int>(e.kind), e.input_tokens,
         e.decision, e.flow, e.invocation);
  }
  void on_call_ended(const CallEnded& e) override {
    line(ObserverThread::kCallEnded,
         "ended {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {}",
         e.at.count_ns(), e.request, e.node, e.agent, e.attempt, e.call, static_cast<int>(e.kind),
         static_cast<int>(e.end), static_cast<int>(e.error), e.started.count_ns(),
         e.duration.count_ns(), e.queue_wait.count_ns(), e.input_tokens, e.output_tokens,
         e.cost_usd, e.quality, e.confidence, e.silent, e.decision, e.flow, e.invocation,
         e.redundant, e.caught_silent);
  }
  void on_routing_decision(const RoutingDecision& e) override {
    std::string candidates;
    if (e.candidates != nullptr) {
      for (const RoutingCandidate& c : *e.candidates) {
        candidates += fmt::format("[{} {} {}]", c.agent, c.score, c.eligible);
      }
    }
    line(ObserverThread::kRoutingDecision, "route {} {} {} '{}' {} {} '{}' {} {} {} {}",
         e.at.count_ns(), e.request, e.node, e.policy, candidates, e.choice, e.reason.text(), e.id,
         e.probability, static_cast<int>(e.kind), e.visit);
  }
  void on_node_entered(const NodeEntered& e) override {
    line(ObserverThread::kNodeEntered, "enter {} {} {} {} {} {}", e.at.count_ns(), e.request,
         e.from, e.to, e.flow, e.invocation);
  }
  void on_flow_decision(const FlowDecision& e) override {
    line(ObserverThread::kFlowDecision, "flow {} {} {} {} '{}' {} {} {} {}", e.at.count_ns(),
         e.request, e.node, e.next, e.reason.text(), e.flow, e.invocation, e.first_branch,
         e.branches);
  }
  void on_retry_scheduled(const RetryScheduled& e) override {
    line(ObserverThread::kRetryScheduled, "retry {} {} {} {} {} {} {} {}", e.at.count_ns(),
         e.request, e.node, e.agent, e.next_attempt, e.delay.count_ns(),
         static_cast<int>(e.after_error), static_cast<int>(e.after));
  }
  void on_hedge_launched(const HedgeLaunched& e) override {
    line(ObserverThread::kHedgeLaunched, "hedge {} {} {} {} {}", e.at.count_ns(), e.request,
         e.node, e.agent, e.attempt);
  }
  void on_breaker_changed(const BreakerChanged& e) override {
    line(ObserverThread::kBreakerChanged, "breaker {} {} {} {}", e.at.count_ns(), e.agent,
         static_cast<int>(e.from), static_cast<int>(e.to));
  }
  void on_context_fitted(const ContextFitted& e) override {
    line(ObserverThread::kContextFitted, "fit {} {} {} {} {} {} {} {} {} {}", e.at.count_ns(),
         e.request, e.node, e.agent, static_cast<int>(e.policy), e.tokens_before, e.tokens_after,
         e.retained, e.segments_dropped, e.summarized);
  }
  void on_budget_exhausted(const BudgetExhausted& e) override {
    line(ObserverThread::kBudgetExhausted, "budget {} {} {} {}", e.at.count_ns(), e.request,
         e.node, static_cast<int>(e.kind));
  }
  void on_sub_workflow_started(const SubWorkflowStarted& e) override {
    line(ObserverThread::kSubWorkflowStarted, "sub {} {} {} {} {} {} {} {} {} {} {} {}",
         e.at.count_ns(), e.request, e.node, e.sub_workflow, e.attempt, static_cast<int>(e.kind),
         e.invocation, e.parent, e.flow, e.root_flow, e.input_tokens, e.deadline.count_ns());
  }
  void on_sub_workflow_ended(const SubWorkflowEnded& e) override {
    line(ObserverThread::kSubWorkflowEnded,
         "sub_end {} {} {} {} {} {} {} {} {} {} '{}' {} {} {} {} {} {} {} {} {}", e.at.count_ns(),
         e.request, e.node, e.sub_workflow, e.attempt, static_cast<int>(e.kind), e.invocation,
         e.parent, static_cast<int>(e.end), static_cast<int>(e.error), e.outcome,
         e.started.count_ns(), e.duration.count_ns(), e.calls, e.input_tokens, e.output_tokens,
         e.cost_usd, e.quality, e.confidence, e.silent);
  }

  const std::string& text() const { return text_; }
  std::size_t count(ObserverThread::Kind kind) const { return counts_[kind]; }

 private:
  template <class... Args>
  void line(ObserverThread::Kind kind, fmt::format_string<Args...> format, Args&&... args) {
    fmt::format_to(std::back_inserter(text_), format, std::forward<Args>(args)...);
    text_ += '\n';
    ++counts_[kind];
  }

  std::string text_;
  std::array<std::size_t, ObserverThread::kKinds> counts_{};
};

// Runs a built-in scenario with one transcript inline and one on the worker.
struct Both {
  Transcript inline_, threaded;
};

void run_both(const scenarios::Scenario& scenario, std::uint64_t requests, Both& both) {
  ObserverThread worker;
  worker.add(&both.threaded);
  ObserverList observers;
  observers.add(&both.inline_);
  observers.add(&worker);
  RunOptions options;
  options.requests = requests;
  options.observer = &observers;
  run_scenario(scenario, options);
  worker.finish();
}

// rag_orchestrated with its retriever down for a while: its breaker opens.
scenarios::Scenario with_an_outage() {
  scenarios::Scenario s = test_support::load("rag_orchestrated");
  s.agents.at(0).faults.push_back({.kind = mock_agents::FaultWindow::Kind::kOutageFail,
                                   .start = at(2_s),
                                   .end = at(12_s)});
  return s;
}

TEST(ObserverThread, SameEventsAsInlineWhenABreakerOpens) {
  Both both;
  run_both(with_an_outage(), 1500, both);
  EXPECT_GT(both.inline_.count(ObserverThread::kBreakerChanged), 0u);
  EXPECT_TRUE(both.threaded.text() == both.inline_.text());
}

// Every kind of event the orchestrator makes, over the built-in scenarios
// that make it: nested sub-workflows, fan-outs, hedges, retries, context
// fitting, budgets, text reasons and formatted ones.
class SameEventsOnTheWorker : public ::testing::TestWithParam<const char*> {};

TEST_P(SameEventsOnTheWorker, AsInline) {
  Both both;
  run_both(test_support::load(GetParam()), 1500, both);
  ASSERT_GT(both.inline_.count(ObserverThread::kRequestFinished), 0u);
  EXPECT_EQ(both.threaded.text().size(), both.inline_.text().size());
  EXPECT_TRUE(both.threaded.text() == both.inline_.text())
      << "the first difference at byte "
      << std::mismatch(both.threaded.text().begin(), both.threaded.text().end(),
                       both.inline_.text().begin(), both.inline_.text().end())
                 .first -
             both.threaded.text().begin();
  for (int k = 0; k < ObserverThread::kKinds; ++k) {
    const auto kind = static_cast<ObserverThread::Kind>(k);
    EXPECT_EQ(both.threaded.count(kind), both.inline_.count(kind)) << "kind " << k;
  }
}

INSTANTIATE_TEST_SUITE_P(BuiltIns, SameEventsOnTheWorker,
                         ::testing::Values("rag_orchestrated", "nested_retries", "query_fanout",
                                           "hedged_requests", "retry_storm", "langgraph_chain",
                                           "timeout_fallback_decompose", "tool_calling_loop",
                                           "learned_router", "evaluator_optimizer"));

// The scenarios above make every kind of event between them, and more than
// one batch's worth: the test above saw each kind cross the thread.
TEST(ObserverThread, TheBuiltInsMakeEveryKindOfEventAcrossManyBatches) {
  std::array<std::size_t, ObserverThread::kKinds> seen{};
  std::size_t bytes = 0;
  std::vector<scenarios::Scenario> all{with_an_outage()};
  for (const char* s : {"rag_orchestrated", "nested_retries", "query_fanout", "hedged_requests",
                        "retry_storm", "langgraph_chain", "timeout_fallback_decompose",
                        "tool_calling_loop", "learned_router", "evaluator_optimizer"}) {
    all.push_back(test_support::load(s));
  }
  for (const scenarios::Scenario& s : all) {
    Both both;
    run_both(s, 1500, both);
    for (int k = 0; k < ObserverThread::kKinds; ++k) {
      seen[k] += both.threaded.count(static_cast<ObserverThread::Kind>(k));
    }
    bytes = std::max(bytes, both.threaded.text().size());
  }
  for (int k = 0; k < ObserverThread::kKinds; ++k) EXPECT_GT(seen[k], 0u) << "kind " << k;
  EXPECT_GT(bytes, 1'000'000u);  // one scenario alone: far more than one 256 KiB batch
}

// Views die with the call: what arrives on the worker is what they showed
// then, even once the memory they pointed to holds something else.
TEST(ObserverThread, CopiesWhatViewsPointTo) {
  Transcript seen;
  ObserverThread worker;
  worker.add(&seen);
  std::string outcome = "answered";
  std::string reason = "a text reason";
  std::string policy = "static";
  std::vector<RoutingCandidate> candidates{{0, 1.5, true}, {2, -0.25, false}};
  RequestFinished f{};
  f.at = at(5_ms);
  f.request = 7;
  f.outcome = outcome;
  worker.on_request_finished(f);
  worker.on_flow_decision({.at = at(1_ms),
                           .request = 7,
                           .node = 1,
                           .next = 2,
                           .reason = Reason(std::string_view(reason))});
  worker.on_flow_decision({.at = at(2_ms),
                           .request = 7,
                           .node = 2,
                           .next = kNoNode,
                           .reason = Reason::format("{} of {} ({:.2f}, {})", 3, 4u, 0.25, true)});
  const std::string name = "fast";
  worker.on_flow_decision({.at = at(3_ms),
                           .request = 7,
                           .node = 2,
                           .next = 1,
                           .reason = Reason::format("to {}", name)});
  worker.on_routing_decision({.at = at(4_ms),
                              .request = 7,
                              .node = 0,
                              .policy = policy,
                              .candidates = &candidates,
                              .choice = 2,
                              .reason = Reason(std::string_view(reason)),
                              .id = 9});
  outcome.assign(outcome.size(), 'x');
  reason.assign(reason.size(), 'y');
  policy.assign(policy.size(), 'z');
  candidates.assign(2, {5, 0, false});
  worker.finish();
  EXPECT_EQ(seen.text(),
            "finished 5000000 7 0 false 'answered' 0 0 false 0 0 0 0 0 0 0 0 0\n"
            "flow 1000000 7 1 2 'a text reason' 0 0 0 0\n"
            "flow 2000000 7 2 4294967295 '3 of 4 (0.25, true)' 0 0 0 0\n"
            "flow 3000000 7 2 1 'to fast' 0 0 0 0\n"
            "route 4000000 7 0 'static' [0 1.5 true][2 -0.25 false] 2 'a text reason' 9 1 0 1\n");
}

// An observer that handles one kind gets that kind only, in order.
class FinishedOnly final : public Observer {
 public:
  void on_request_finished(const RequestFinished& e) override { ids.push_back(e.request); }
  std::vector<RequestId> ids;
};

TEST(ObserverThread, AnObserverGetsTheKindsItHandles) {
  FinishedOnly finished;
  ObserverThread worker;
  EXPECT_TRUE(worker.empty());
  worker.add(&finished);
  EXPECT_FALSE(worker.empty());
  EXPECT_FALSE(worker.wants_explanations());
  for (RequestId id = 1; id <= 100'000; ++id) {
    worker.on_request_arrived({at(1_ms), id, 0, 10, sim::Time::max()});
    RequestFinished f{};
    f.request = id;
    f.outcome = "answered";
    worker.on_request_finished(f);
  }
  worker.finish();
  worker.finish();  // idempotent
  ASSERT_EQ(finished.ids.size(), 100'000u);
  for (std::size_t i = 0; i < finished.ids.size(); ++i) ASSERT_EQ(finished.ids[i], i + 1);
}

class Throws final : public Observer {
 public:
  void on_request_finished(const RequestFinished& e) override {
    if (e.request == 3) throw std::runtime_error("disk full");
  }
};

TEST(ObserverThread, AnObserversExceptionReachesFinish) {
  Throws throws;
  ObserverThread worker;
  worker.add(&throws);
  for (RequestId id = 1; id <= 5; ++id) {
    RequestFinished f{};
    f.request = id;
    worker.on_request_finished(f);
  }
  EXPECT_THROW(worker.finish(), std::runtime_error);
}

class ReadsContexts final : public Observer {
 public:
  bool reads_decision_context() const override { return true; }
  void on_routing_decision(const RoutingDecision&) override {}
};

TEST(ObserverThread, RefusesAnObserverThatReadsDecisionContexts) {
  ReadsContexts reads;
  ObserverThread worker;
  EXPECT_THROW(worker.add(&reads), std::invalid_argument);
  EXPECT_TRUE(worker.empty());
}

TEST(ObserverThread, NothingSentNothingStarted) {
  FinishedOnly finished;
  ObserverThread worker;
  worker.add(&finished);
  worker.finish();
  EXPECT_TRUE(finished.ids.empty());
}

}  // namespace
}  // namespace orchsim::eval
