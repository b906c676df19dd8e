// ObserverThread over whole runs: an observer on the worker sees every event
// an inline one sees, every field and what the views point to, in the same
// order, over the built-in scenarios and an outage that opens a breaker.
#include <gtest/gtest.h>

#include <array>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "eval/observer_thread.hpp"
#include "eval/runner.hpp"
#include "tests/eval/eval_test_support.hpp"
#include "tests/eval/event_transcript.hpp"

namespace orchsim::eval::observer_thread_run_test {
namespace {

using namespace orchestration;
using test_support::at;
using test_support::Transcript;
using namespace sim::literals;

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
  s.agents.at(0).faults.push_back(
      {.kind = mock_agents::FaultWindow::Kind::kOutageFail, .start = at(2_s), .end = at(12_s)});
  return s;
}

// Every kind of event the orchestrator makes, over the built-in scenarios
// that make it (nested sub-workflows, fan-outs, hedges, retries, context
// fitting, budgets, text reasons and formatted ones) and an outage that
// opens a breaker: each run's events on the worker are the inline ones, and
// each run sends many batches.
TEST(ObserverThread, SameEventsAsInlineOverTheBuiltInsAndAnOutage) {
  std::vector<std::pair<std::string, scenarios::Scenario>> all;
  all.emplace_back("rag_orchestrated with an outage", with_an_outage());
  for (const char* s : {"rag_orchestrated", "nested_retries", "query_fanout", "hedged_requests",
                        "retry_storm", "langgraph_chain", "timeout_fallback_decompose",
                        "tool_calling_loop", "learned_router", "evaluator_optimizer"}) {
    all.emplace_back(s, test_support::load(s));
  }
  std::array<std::size_t, orchestration::kEventKinds> seen{};
  for (const auto& [name, scenario] : all) {
    SCOPED_TRACE(name);
    std::size_t events = 0;
    Both both;
    run_both(scenario, 1500, both);
    ASSERT_GT(both.inline_.count(orchestration::EventKind::kRequestFinished), 0u);
    EXPECT_EQ(both.threaded.text().size(), both.inline_.text().size());
    EXPECT_TRUE(both.threaded.text() == both.inline_.text())
        << "the first difference at byte "
        << std::mismatch(both.threaded.text().begin(), both.threaded.text().end(),
                         both.inline_.text().begin(), both.inline_.text().end())
                   .first -
               both.threaded.text().begin();
    for (std::size_t k = 0; k < orchestration::kEventKinds; ++k) {
      const auto kind = static_cast<orchestration::EventKind>(k);
      EXPECT_EQ(both.threaded.count(kind), both.inline_.count(kind)) << "kind " << k;
      seen[k] += both.threaded.count(kind);
      events += both.threaded.count(kind);
    }
    // A batch holds ~2,000-3,000 events (256 KiB, 8 to 30 words an event).
    EXPECT_GT(events, 10'000u);
  }
  for (std::size_t k = 0; k < orchestration::kEventKinds; ++k)
    EXPECT_GT(seen[k], 0u) << "kind " << k;
}

// A run that throws half-way (here its progress callback, as a GUI's cancel
// would) stops the logs' worker before the logs it feeds are destroyed: the
// worker still has batches to replay when the exception leaves the run
// (ASan would report a use after free otherwise).
TEST(ObserverThread, ARunThatThrowsStopsTheWorkerBeforeTheLogsGo) {
  std::ostringstream decisions;
  RunOptions options;
  options.requests = 20'000;
  options.decision_log = &decisions;
  options.request_log = RequestLogOptions{};
  int calls = 0;
  options.progress = [&calls](double) {
    if (++calls == 2) throw std::runtime_error("cancelled");  // the first call after the start
  };
  EXPECT_THROW(run_scenario(test_support::load("rag_orchestrated"), options), std::runtime_error);
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace orchsim::eval::observer_thread_run_test
