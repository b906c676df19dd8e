// ObserverThread on its own: views that die with the call are copied, an
// observer gets the kinds it handles in order, an observer's exception
// reaches finish(), an observer that reads decision contexts is refused.
// These also run under ThreadSanitizer (threads_tsan_tests). Over whole runs:
// observer_thread_run_test.cpp.
#include "eval/observer_thread.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/eval/eval_test_support.hpp"
#include "tests/eval/event_transcript.hpp"

namespace orchsim::eval::observer_thread_test {
namespace {

using namespace orchestration;
using test_support::at;
using test_support::Transcript;
using namespace sim::literals;

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
  std::string name = "fast";
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
  name.assign(name.size(), 'w');
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

// An observer that throws early in a long run: the events after it are
// dropped, batch by batch, and finish() reports the exception.
TEST(ObserverThread, AnObserversExceptionEarlyInALongRunReachesFinish) {
  Throws throws;
  ObserverThread worker;
  worker.add(&throws);
  RequestFinished f{};
  for (RequestId id = 1; id <= 200'000; ++id) {
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
}  // namespace orchsim::eval::observer_thread_test
