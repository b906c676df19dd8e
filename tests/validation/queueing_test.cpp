// Validation against queueing closed forms: one MockAgent fed by Poisson
// arrivals is an M/G/c queue, so its waiting time, sojourn time, probability
// of waiting and utilisation must match M/M/1, M/M/c (Erlang C), M/D/1 and
// M/G/1 (Pollaczek-Khinchine) within a 95% confidence interval.
//
// The interval: R independent replications (seeds kSeedBase + r), each an
// estimate over the customers after a warm-up; a Student-t interval over the
// R replication means (t quantile for R - 1 degrees of freedom written
// below). Every check also asserts that the interval is narrow (a sanity
// relative tolerance) and that a plausible wrong formula falls outside it,
// so the test can fail. The measured numbers are printed (see
// docs/validation.md for the table).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "mock_agents/mock_agent.hpp"
#include "sim/distribution.hpp"
#include "sim/random.hpp"
#include "sim/simulation.hpp"

namespace orchsim::validation::queueing_test {
namespace {

using mock_agents::CallId;
using mock_agents::CallListener;
using mock_agents::CallOutcome;
using mock_agents::CallRequest;
using mock_agents::MockAgent;
using mock_agents::MockAgentConfig;

constexpr std::uint64_t kSeedBase = 20'240'601;
constexpr int kReplications = 20;

// Two-sided 95% Student-t quantile t_{0.975, dof}.
double t975(int dof) {
  switch (dof) {
    case 4:
      return 2.7764451051977987;
    case 9:
      return 2.2621571627409915;
    case 19:
      return 2.0930240544082634;
    case 29:
      return 2.0452296421327034;
    default:
      ADD_FAILURE() << "no t quantile written for " << dof << " dof";
      return 1e9;
  }
}

struct Interval {
  double mean = 0, half_width = 0;
  bool contains(double x) const { return std::abs(x - mean) <= half_width; }
  double lo() const { return mean - half_width; }
  double hi() const { return mean + half_width; }
};

// Student-t 95% interval over independent replication means.
Interval t_interval(const std::vector<double>& means) {
  const auto r = static_cast<double>(means.size());
  double sum = 0;
  for (double m : means) sum += m;
  const double mean = sum / r;
  double ss = 0;
  for (double m : means) ss += (m - mean) * (m - mean);
  const double sd = std::sqrt(ss / (r - 1));
  return {mean, t975(static_cast<int>(means.size()) - 1) * sd / std::sqrt(r)};
}

// One replication's estimates, over the customers after the warm-up.
struct Replication {
  double wq = 0;            // mean time in queue, s
  double w = 0;             // mean time in system, s
  double p_wait = 0;        // share of customers that waited at all
  double p_sojourn_gt = 0;  // share with time in system > the given threshold
  double utilisation = 0;   // busy server time / (servers x time), over the arrival window
  double p_blocked = 0;     // share rejected as overloaded (no waiting room left)
};

class Collector : public CallListener {
 public:
  Collector(std::uint64_t warmup, double sojourn_threshold_s)
      : warmup_(warmup), threshold_(sojourn_threshold_s) {}
  void on_call_finished(CallId, std::uint64_t tag, const CallOutcome& o) override {
    ++finished;
    if (tag < warmup_) return;
    ++measured;
    if (o.status == mock_agents::CallStatus::kError &&
        o.error == mock_agents::ErrorKind::kOverloaded) {
      ++blocked;
      return;
    }
    const double wq = o.queue_wait().seconds_f();
    const double w = (o.finished - o.submitted).seconds_f();
    sum_wq += wq;
    sum_w += w;
    if (o.service_started > o.submitted) ++waited;
    if (w > threshold_) ++long_sojourns;
  }
  std::uint64_t finished = 0, measured = 0, waited = 0, long_sojourns = 0, blocked = 0;
  double sum_wq = 0, sum_w = 0;

 private:
  std::uint64_t warmup_;
  double threshold_;
};

struct QueueSpec {
  double lambda = 1;  // arrivals per second
  std::uint32_t servers = 1;
  std::int64_t queue_capacity = -1;  // -1 = unbounded
  sim::Distribution service_ms = sim::Distribution::exponential_mean(1000.0);
  std::uint64_t customers = 50'000;  // per replication, the warm-up included
  std::uint64_t warmup = 5'000;
  double sojourn_threshold_s = 1e300;
};

Replication simulate(const QueueSpec& q, std::uint64_t seed) {
  sim::Simulation sim;
  const sim::RandomSource rng(seed);
  MockAgentConfig cfg;
  cfg.name = "server";
  cfg.servers = q.servers;
  cfg.queue_capacity = q.queue_capacity;
  cfg.latency.base_ms = q.service_ms;
  MockAgent agent(sim, rng, cfg);
  Collector listener(q.warmup, q.sojourn_threshold_s);

  sim::RandomStream arrivals = rng.stream("validation", "arrivals");
  std::uint64_t sent = 0;
  double busy_at_warmup = 0, t_warmup = 0, busy_at_end = 0, t_end = 0;
  std::function<void()> arrive = [&] {
    if (sent == q.warmup) {
      busy_at_warmup = agent.stats().busy_server_time.seconds_f();
      t_warmup = sim.now().seconds_f();
    }
    agent.submit(CallRequest{.request_id = sent}, listener, sent);
    if (++sent < q.customers) {
      sim.schedule_after(
          sim::Duration::from_seconds(-std::log(arrivals.uniform_open01()) / q.lambda), arrive);
    } else {
      busy_at_end = agent.stats().busy_server_time.seconds_f();
      t_end = sim.now().seconds_f();
    }
  };
  sim.schedule_after(sim::Duration::zero(), arrive);
  sim.run();

  EXPECT_EQ(listener.finished, q.customers);  // every call ended exactly once
  EXPECT_EQ(agent.queued(), 0u);
  // Means over the customers served; the blocked share over all measured.
  const auto n = static_cast<double>(listener.measured - listener.blocked);
  return {listener.sum_wq / n,
          listener.sum_w / n,
          static_cast<double>(listener.waited) / n,
          static_cast<double>(listener.long_sojourns) / n,
          (busy_at_end - busy_at_warmup) / (q.servers * (t_end - t_warmup)),
          static_cast<double>(listener.blocked) / static_cast<double>(listener.measured)};
}

std::vector<Replication> replicate(const QueueSpec& q) {
  std::vector<Replication> reps;
  for (int r = 0; r < kReplications; ++r)
    reps.push_back(simulate(q, kSeedBase + static_cast<std::uint64_t>(r)));
  return reps;
}

Interval interval_of(const std::vector<Replication>& reps, double Replication::*field) {
  std::vector<double> v;
  for (const auto& r : reps) v.push_back(r.*field);
  return t_interval(v);
}

// The analytic value lies in the measured 95% interval, the interval is no
// wider than `max_rel_half_width` of the value, the estimate is within
// `sanity_rel` of it, and the `wrong` value (a plausible mistaken formula) is
// rejected.
void check(const std::string& what, const Interval& ci, double expected, double max_rel_half_width,
           double sanity_rel, double wrong) {
  std::printf(
      "[validation] %-28s expected %.6f measured %.6f  95%% CI [%.6f, %.6f]  (wrong %.4f)\n",
      what.c_str(), expected, ci.mean, ci.lo(), ci.hi(), wrong);
  EXPECT_TRUE(ci.contains(expected)) << what << ": expected " << expected << " outside the 95% CI ["
                                     << ci.lo() << ", " << ci.hi() << "]";
  EXPECT_LE(ci.half_width, max_rel_half_width * std::abs(expected))
      << what << ": the interval is too wide to validate anything";
  EXPECT_NEAR(ci.mean, expected, sanity_rel * std::abs(expected)) << what;
  EXPECT_FALSE(ci.contains(wrong))
      << what << ": the wrong value " << wrong << " is not rejected: the check cannot bite";
}

// Erlang C: probability that an arrival waits, c servers, offered load a.
double erlang_c(int c, double a) {
  double term = 1.0, sum = 1.0;
  for (int k = 1; k < c; ++k) {
    term *= a / k;
    sum += term;
  }
  const double last = term * a / c / (1.0 - a / c);
  return last / (sum + last);
}

// Pollaczek-Khinchine mean wait in queue for M/G/1.
double pk_wq(double lambda, double mean_s, double var_s) {
  const double rho = lambda * mean_s;
  return lambda * (var_s + mean_s * mean_s) / (2.0 * (1.0 - rho));
}

TEST(QueueingValidation, StudentTQuantilesAreRight) {
  // t_{0.975, dof} checked against the normal limit and known values.
  EXPECT_NEAR(t975(9), 2.262157, 1e-6);
  EXPECT_NEAR(t975(19), 2.093024, 1e-6);
  EXPECT_GT(t975(29), 1.959964);
  const Interval ci = t_interval({1.0, 2.0, 3.0, 4.0, 5.0});
  EXPECT_DOUBLE_EQ(ci.mean, 3.0);
  EXPECT_NEAR(ci.half_width, 2.7764451051977987 * std::sqrt(2.5) / std::sqrt(5.0), 1e-12);
}

TEST(QueueingValidation, MM1MatchesClosedForms) {
  const double lambda = 0.8, mu = 1.0, rho = lambda / mu;
  QueueSpec q;
  q.lambda = lambda;
  q.service_ms = sim::Distribution::exponential_mean(1000.0 / mu);
  q.customers = 60'000;
  q.warmup = 5'000;
  q.sojourn_threshold_s = 10.0;
  const auto reps = replicate(q);
  const double wq = rho / (mu - lambda), w = 1.0 / (mu - lambda);
  ASSERT_DOUBLE_EQ(wq, 4.0);
  // Wrong: the M/D/1 wait (half), W for Wq, rho for P(wait) off by the share of idle arrivals.
  check("M/M/1 Wq (s)", interval_of(reps, &Replication::wq), wq, 0.06, 0.05,
        rho / (2 * mu * (1 - rho)));
  check("M/M/1 W (s)", interval_of(reps, &Replication::w), w, 0.06, 0.05, wq);
  check("M/M/1 P(wait)", interval_of(reps, &Replication::p_wait), rho, 0.01, 0.01, 0.75);
  check("M/M/1 utilisation", interval_of(reps, &Replication::utilisation), rho, 0.01, 0.01, 0.78);
  // Sojourn ~ Exp(mu - lambda): P(W > 10 s) = e^-2.
  check("M/M/1 P(W > 10 s)", interval_of(reps, &Replication::p_sojourn_gt),
        std::exp(-(mu - lambda) * 10.0), 0.06, 0.05, std::exp(-10.0 / wq));
}

TEST(QueueingValidation, MMcMatchesErlangC) {
  const int c = 4;
  const double lambda = 3.2, mu = 1.0;
  const double pw = erlang_c(c, lambda / mu);
  const double wq = pw / (c * mu - lambda);
  ASSERT_NEAR(pw, 0.5964325, 1e-7);
  ASSERT_NEAR(wq, 0.7455406, 1e-7);
  QueueSpec q;
  q.lambda = lambda;
  q.servers = c;
  q.service_ms = sim::Distribution::exponential_mean(1000.0 / mu);
  q.customers = 200'000;
  q.warmup = 20'000;
  const auto reps = replicate(q);
  // Wrong: rho in place of Erlang C (Wq = rho / (c mu - lambda) = 1.0; P(wait) = 0.8).
  check("M/M/4 P(wait)", interval_of(reps, &Replication::p_wait), pw, 0.02, 0.02, 0.8);
  check("M/M/4 Wq (s)", interval_of(reps, &Replication::wq), wq, 0.06, 0.05,
        0.8 / (c * mu - lambda));
  check("M/M/4 W (s)", interval_of(reps, &Replication::w), wq + 1.0 / mu, 0.03, 0.02,
        wq + 1.1 / mu);
  check("M/M/4 utilisation", interval_of(reps, &Replication::utilisation), lambda / (c * mu), 0.01,
        0.01, 0.78);
}

TEST(QueueingValidation, MD1MatchesPollaczekKhinchine) {
  const double lambda = 0.8, mu = 1.0, rho = lambda / mu;
  QueueSpec q;
  q.lambda = lambda;
  q.service_ms = sim::Distribution::constant(1000.0 / mu);
  q.customers = 60'000;
  q.warmup = 5'000;
  const auto reps = replicate(q);
  const double wq = rho / (2 * mu * (1 - rho));
  ASSERT_DOUBLE_EQ(wq, pk_wq(lambda, 1.0 / mu, 0.0));
  ASSERT_DOUBLE_EQ(wq, 2.0);
  // Wrong: the M/M/1 wait (service variance ignored: twice as long).
  check("M/D/1 Wq (s)", interval_of(reps, &Replication::wq), wq, 0.05, 0.05, rho / (mu - lambda));
  check("M/D/1 W (s)", interval_of(reps, &Replication::w), wq + 1.0 / mu, 0.05, 0.05,
        rho / (mu - lambda) + 1.0 / mu);
  check("M/D/1 utilisation", interval_of(reps, &Replication::utilisation), rho, 0.01, 0.01, 0.78);
}

TEST(QueueingValidation, MG1LognormalMatchesPollaczekKhinchine) {
  // Lognormal service, mean 1 s, sd 2 s: E[S^2] = var + mean^2 = 5 s^2.
  const double lambda = 0.5, mean = 1.0, sd = 2.0;
  const auto service = sim::Distribution::lognormal_from_mean_stddev(1000.0 * mean, 1000.0 * sd);
  ASSERT_NEAR(*service.mean(), 1000.0, 1e-9);
  ASSERT_NEAR(*service.variance(), 4e6, 1e-3);
  QueueSpec q;
  q.lambda = lambda;
  q.service_ms = service;
  q.customers = 100'000;
  q.warmup = 5'000;
  const auto reps = replicate(q);
  const double wq = pk_wq(lambda, mean, sd * sd);
  ASSERT_DOUBLE_EQ(wq, 2.5);
  // Wrong: the M/M/1 wait at the same load (exponential service, E[S^2] = 2): 1.0 s;
  // and E[S]^2 in place of E[S^2] (0.5 s).
  check("M/G/1 lognormal Wq (s)", interval_of(reps, &Replication::wq), wq, 0.08, 0.08,
        lambda * mean / (1.0 / mean - lambda));
  check("M/G/1 lognormal W (s)", interval_of(reps, &Replication::w), wq + mean, 0.08, 0.08,
        pk_wq(lambda, mean, 0.0) + mean);
  check("M/G/1 lognormal utilisation", interval_of(reps, &Replication::utilisation), lambda * mean,
        0.02, 0.02, 0.46);
}

// Erlang B: blocking probability of a loss system, c servers, offered load a.
double erlang_b(int c, double a) {
  double b = 1.0;
  for (int k = 1; k <= c; ++k) b = a * b / (k + a * b);
  return b;
}

TEST(QueueingValidation, MGccLossMatchesErlangB) {
  // No waiting room (queue_capacity 0): an arrival that finds the c servers
  // busy is rejected as overloaded. Erlang B does not depend on the service
  // distribution, so lognormal service (mean 1 s, sd 2 s) must give the
  // same blocking as exponential.
  const int c = 4;
  const double lambda = 3.2, mean = 1.0;
  const double b = erlang_b(c, lambda * mean);
  // B(4, 3.2) = (3.2^4 / 4!) / sum_{k=0..4} 3.2^k / k! = 4.369067 / 19.150400.
  ASSERT_NEAR(b, 4.369066667 / 19.1504, 1e-9);
  QueueSpec q;
  q.lambda = lambda;
  q.servers = c;
  q.queue_capacity = 0;
  q.service_ms = sim::Distribution::lognormal_from_mean_stddev(1000.0 * mean, 2000.0 * mean);
  q.customers = 100'000;
  q.warmup = 5'000;
  const auto reps = replicate(q);
  // Wrong: Erlang C, the probability of waiting had there been a queue.
  check("M/G/4/4 P(blocked)", interval_of(reps, &Replication::p_blocked), b, 0.02, 0.02,
        erlang_c(c, lambda * mean));
  check("M/G/4/4 Wq (s)", interval_of(reps, &Replication::wq), 0.0, 0.0, 0.0, 0.01);
  // Carried load per server: a (1 - B) / c.
  check("M/G/4/4 utilisation", interval_of(reps, &Replication::utilisation),
        lambda * mean * (1 - b) / c, 0.01, 0.01, lambda * mean / c);
}

}  // namespace
}  // namespace orchsim::validation::queueing_test
