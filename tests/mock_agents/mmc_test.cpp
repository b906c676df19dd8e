// M/M/c through one mock agent, against Erlang C.
#include <gtest/gtest.h>

#include <cmath>

#include "mock_agents/mock_agent.hpp"
#include "tests/mock_agents/test_listener.hpp"

namespace orchsim::mock_agents::mmc_test {
namespace {

using namespace sim::literals;

// Erlang C: probability that an arrival waits, for c servers and offered load a = lambda/mu.
double erlang_c(int c, double a) {
  double term = 1.0, sum = 1.0;  // k = 0
  for (int k = 1; k < c; ++k) {
    term *= a / k;
    sum += term;
  }
  const double last = term * a / c / (1.0 - a / c);  // a^c / c! / (1 - rho)
  return last / (sum + last);
}

class Counting : public CallListener {
 public:
  void on_call_finished(CallId, std::uint64_t, const CallOutcome& o) override {
    ++done;
    const double wait = o.queue_wait().seconds_f();
    total_wait += wait;
    if (wait > 0) ++waited;
  }
  std::uint64_t done = 0, waited = 0;
  double total_wait = 0;
};

TEST(MockAgentQueueing, MMcMatchesErlangC) {
  const int c = 4;
  const double lambda = 3.2, mu = 1.0;
  // The analytic values, written out: C(4, 3.2) = 21.845333 / 36.626667 = 0.5964325,
  // Wq = C / (c mu - lambda) = 0.7455406 s.
  const double pw = erlang_c(c, lambda / mu);
  const double wq = pw / (c * mu - lambda);
  ASSERT_NEAR(pw, 0.5964325, 1e-6);
  ASSERT_NEAR(wq, 0.7455406, 1e-6);

  sim::Simulation sim;
  sim::RandomSource rng(2024);
  MockAgentConfig cfg;
  cfg.name = "server";
  cfg.servers = c;
  cfg.latency.base_ms = sim::Distribution::exponential_mean(1000.0 / mu);
  MockAgent agent(sim, rng, cfg);
  Counting listener;

  const std::uint64_t n = 400'000;
  sim::RandomStream arrivals = rng.stream("arrivals");
  std::uint64_t sent = 0;
  std::function<void()> arrive = [&] {
    agent.submit(CallRequest{.request_id = sent}, listener, 0);
    if (++sent < n) {
      sim.schedule_after(sim::Duration::from_seconds(-std::log(arrivals.uniform_open01()) / lambda),
                         arrive);
    }
  };
  sim.schedule_after(0_s, arrive);
  sim.run();

  ASSERT_EQ(listener.done, n);  // every call ended exactly once
  EXPECT_NEAR(static_cast<double>(listener.waited) / n, pw, 0.02);
  EXPECT_NEAR(listener.total_wait / n, wq, 0.05 * wq);
  // Utilisation per server = rho = 0.8.
  const AgentStats& s = agent.stats();
  EXPECT_NEAR(s.busy_server_time.seconds_f() / (c * sim.now().seconds_f()), 0.8, 0.01);
  EXPECT_EQ(agent.in_service(), 0u);
  EXPECT_EQ(agent.queued(), 0u);
}

}  // namespace
}  // namespace orchsim::mock_agents::mmc_test
