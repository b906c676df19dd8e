// Tests for scenarios/workload: what each request is (class mix, difficulty, tokens, deadline),
// when requests arrive (limits, ids, common random numbers), the closed loop against the
// interactive response-time law, and configuration diagnostics.
#include "scenarios/workload.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/distribution.hpp"
#include "sim/random.hpp"
#include "sim/rounding.hpp"
#include "sim/simulation.hpp"
#include "sim/time.hpp"

namespace orchsim::scenarios::workload_test {
namespace {

using namespace sim::literals;
using sim::Distribution;

constexpr std::uint64_t kSeed = 777;

class Recorder : public RequestSink {
 public:
  void on_request(const RequestSpec& r) override { got.push_back(r); }
  std::vector<RequestSpec> got;
};

// Runs an open-loop workload to the end and returns what it emitted.
std::vector<RequestSpec> run_open(const WorkloadConfig& config, std::uint64_t seed = kSeed) {
  sim::Simulation sim;
  Recorder sink;
  Workload w(sim, sim::RandomSource(seed), config, sink);
  w.start();
  sim.run();
  EXPECT_EQ(w.generated(), sink.got.size());
  EXPECT_EQ(sim.pending_events(), 0u);
  return sink.got;
}

// The instants the arrival process itself produces from the workload's arrival stream.
std::vector<sim::Time> reference_arrivals(
    const ArrivalSpec& spec, std::uint64_t seed, sim::Time until,
    std::size_t max_n = std::numeric_limits<std::size_t>::max()) {
  auto p = make_arrival_process(spec);
  sim::RandomStream s = sim::RandomSource(seed).stream("arrivals");
  std::vector<sim::Time> out;
  sim::Time t = sim::Time::zero();
  while (out.size() < max_n) {
    const auto next = p->next(t, s);
    if (!next || *next >= until) break;
    out.push_back(*next);
    t = *next;
  }
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

// --- What a request is -----------------------------------------------------

TEST(Workload, ClassMixMatchesWeights) {
  WorkloadConfig c;
  c.classes = {{.name = "a", .weight = 3},
               {.name = "b", .weight = 1},
               {.name = "never", .weight = 0},
               {.name = "d", .weight = 6}};
  sim::Simulation sim;
  Recorder sink;
  Workload w(sim, sim::RandomSource(kSeed), c, sink);
  const int n = 100'000;
  std::vector<double> counts(4, 0);
  for (int i = 0; i < n; ++i) ++counts.at(w.describe(static_cast<std::uint64_t>(i)).class_index);
  EXPECT_EQ(counts[2], 0);
  const std::vector<double> p = {0.3, 0.1, 0.0, 0.6};
  double chi2 = 0;
  for (std::size_t k : {0u, 1u, 3u}) {
    const double e = n * p[k];
    chi2 += (counts[k] - e) * (counts[k] - e) / e;
    EXPECT_NEAR(counts[k] / n, p[k], 5 * std::sqrt(p[k] * (1 - p[k]) / n)) << "class " << k;
  }
  EXPECT_LT(chi2, 18.4);  // chi-square, 2 dof, p = 1e-4
}

// With one class the pick is class 0 whether drawn or not. describe() skips
// the draw only when nothing is drawn after it; otherwise a one-class
// request's tokens come from the stream's second value, as they always have.
TEST(Workload, AOneClassWorkloadDrawsItsTokensAfterTheClassPick) {
  WorkloadConfig c;
  c.classes = {{.input_tokens = Distribution::uniform(0.0, 1e6)}};
  sim::Simulation sim;
  Recorder sink;
  const sim::RandomSource rng(kSeed);
  Workload w(sim, rng, c, sink);
  for (std::uint64_t id : {0ull, 1ull, 77ull, (1ull << 32) + 5}) {
    sim::RandomStream s = rng.family("request").stream(static_cast<std::uint32_t>(id),
                                                       static_cast<std::uint32_t>(id >> 32), 0);
    s.uniform01();  // the class pick
    const std::int64_t expected = sim::drawn_count(s.uniform(0.0, 1e6));
    const RequestSpec r = w.describe(id);
    EXPECT_EQ(r.class_index, 0u);
    EXPECT_EQ(r.input_tokens, expected) << "request " << id;
  }
}

TEST(Workload, AOneClassWorkloadOfConstantsNeedsNoDraw) {
  WorkloadConfig c;
  c.classes = {
      {.difficulty = Distribution::constant(0.25), .input_tokens = Distribution::constant(1234.4)}};
  sim::Simulation sim;
  Recorder sink;
  Workload w(sim, sim::RandomSource(kSeed), c, sink);
  for (std::uint64_t id = 0; id < 100; ++id) {
    const RequestSpec r = w.describe(id);
    EXPECT_EQ(r.class_index, 0u);
    EXPECT_EQ(r.difficulty, 0.25);
    EXPECT_EQ(r.input_tokens, 1234);
  }
}

TEST(Workload, DifficultyIsClampedToUnitInterval) {
  WorkloadConfig c;
  c.classes = {{.difficulty = Distribution::normal(0.5, 1.0)}};
  sim::Simulation sim;
  Recorder sink;
  Workload w(sim, sim::RandomSource(kSeed), c, sink);
  const int n = 20'000;
  int at_zero = 0, at_one = 0;
  for (int i = 0; i < n; ++i) {
    const double d = w.describe(static_cast<std::uint64_t>(i)).difficulty;
    ASSERT_GE(d, 0.0);
    ASSERT_LE(d, 1.0);
    at_zero += d == 0.0;
    at_one += d == 1.0;
  }
  // P(N(0.5, 1) < 0) = P(> 1) = 0.3085.
  const double se = std::sqrt(0.3085 * 0.6915 / n);
  EXPECT_NEAR(static_cast<double>(at_zero) / n, 0.3085, 5 * se);
  EXPECT_NEAR(static_cast<double>(at_one) / n, 0.3085, 5 * se);
}

TEST(Workload, InputTokensAreRoundedToNearest) {
  WorkloadConfig c;
  c.classes = {{.input_tokens = Distribution::uniform(10.0, 12.0)}};
  sim::Simulation sim;
  Recorder sink;
  Workload w(sim, sim::RandomSource(kSeed), c, sink);
  const int n = 20'000;
  std::vector<double> counts(3, 0);
  for (int i = 0; i < n; ++i) {
    const std::int64_t t = w.describe(static_cast<std::uint64_t>(i)).input_tokens;
    ASSERT_GE(t, 10);
    ASSERT_LE(t, 12);
    ++counts[static_cast<std::size_t>(t - 10)];
  }
  // Rounding to nearest: [10, 10.5) -> 10, [10.5, 11.5) -> 11, [11.5, 12) -> 12.
  const std::vector<double> p = {0.25, 0.5, 0.25};
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_NEAR(counts[k] / n, p[k], 5 * std::sqrt(p[k] * (1 - p[k]) / n)) << 10 + k;
  }
}

TEST(Workload, InputTokensNearZeroAndHugeStayNonNegative) {
  WorkloadConfig c;
  c.classes = {{.input_tokens = Distribution::uniform(0.0, 1.0)},
               {.input_tokens = Distribution::constant(1e30)}};
  sim::Simulation sim;
  Recorder sink;
  Workload w(sim, sim::RandomSource(kSeed), c, sink);
  bool saw[2] = {false, false};
  for (std::uint64_t i = 0; i < 2000; ++i) {
    const RequestSpec r = w.describe(i);
    if (r.class_index == 0) {
      EXPECT_TRUE(r.input_tokens == 0 || r.input_tokens == 1) << r.input_tokens;
    } else {
      // Past any context: held at a trillion (sim::kMaxDrawnCount), not wrapped to a
      // negative (then clamped to 0), and small enough that a run's token sums fit int64.
      EXPECT_EQ(r.input_tokens, sim::kMaxDrawnCount);
    }
    saw[r.class_index] = true;
  }
  EXPECT_TRUE(saw[0] && saw[1]);
}

TEST(Workload, DeadlineIsArrivalPlusClassDeadlineOrNone) {
  WorkloadConfig c;
  c.arrivals = ArrivalSpec{PoissonArrivals{.rate_per_second = 100}};
  c.classes = {{.name = "slo", .deadline = 2_s}, {.name = "none", .deadline = 0_s}};
  c.max_requests = 2000;
  const auto got = run_open(c);
  ASSERT_EQ(got.size(), 2000u);
  int with = 0;
  for (const auto& r : got) {
    if (r.class_index == 0) {
      EXPECT_EQ(r.deadline, r.arrival + 2_s);
      ++with;
    } else {
      EXPECT_EQ(r.deadline, sim::Time::max());
    }
  }
  EXPECT_GT(with, 800);
  EXPECT_LT(with, 1200);
}

TEST(Workload, HugeDeadlineSaturatesInsteadOfOverflowing) {
  WorkloadConfig c;
  c.arrivals = ArrivalSpec{DeterministicArrivals{.interval = 1_s}};
  c.classes = {{.deadline = sim::Duration::max()}};
  c.max_requests = 3;
  const auto got = run_open(c);
  ASSERT_EQ(got.size(), 3u);
  for (const auto& r : got) EXPECT_EQ(r.deadline, sim::Time::max()) << sim::to_string(r.arrival);
}

// --- When requests arrive --------------------------------------------------

TEST(Workload, IdsCountUpInArrivalOrderAtTheProcessInstants) {
  WorkloadConfig c;
  const ArrivalSpec spec = PoissonArrivals{.rate_per_second = 500};
  c.arrivals = spec;
  c.max_requests = 5000;
  const auto got = run_open(c);
  const auto ref = reference_arrivals(spec, kSeed, sim::Time::max(), 5000);
  ASSERT_EQ(got.size(), 5000u);
  ASSERT_EQ(ref.size(), 5000u);
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i].id, i);
    ASSERT_EQ(got[i].arrival, ref[i]) << i;
    ASSERT_EQ(got[i].user, 0u);
  }
}

TEST(Workload, MaxRequestsIsExact) {
  for (std::uint64_t max : {1u, 2u, 537u}) {
    WorkloadConfig c;
    c.arrivals = ArrivalSpec{PoissonArrivals{.rate_per_second = 1000}};
    c.max_requests = max;
    EXPECT_EQ(run_open(c).size(), max);
  }
}

TEST(Workload, StopArrivalsAtIsExclusiveAndExact) {
  {
    // Deterministic 1 ms: arrivals at 1..99 ms, none at 100 ms.
    WorkloadConfig c;
    c.arrivals = ArrivalSpec{DeterministicArrivals{.interval = 1_ms}};
    c.stop_arrivals_at = sim::Time::zero() + 100_ms;
    const auto got = run_open(c);
    ASSERT_EQ(got.size(), 99u);
    EXPECT_EQ(got.front().arrival, sim::Time::zero() + 1_ms);
    EXPECT_EQ(got.back().arrival, sim::Time::zero() + 99_ms);
  }
  {
    // Poisson: exactly the process's arrivals before the stop instant.
    WorkloadConfig c;
    const ArrivalSpec spec = PoissonArrivals{.rate_per_second = 300};
    c.arrivals = spec;
    c.stop_arrivals_at = sim::Time::zero() + 7_s;
    const auto got = run_open(c);
    const auto ref = reference_arrivals(spec, kSeed, c.stop_arrivals_at);
    ASSERT_EQ(got.size(), ref.size());
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].arrival, ref[i]);
    EXPECT_LT(got.back().arrival, c.stop_arrivals_at);
  }
  {
    // Replay with a row exactly at the stop instant: it is dropped, and so are the rest.
    WorkloadConfig c;
    c.arrivals = ArrivalSpec{
        ReplayArrivals{.offsets = {0_ms, 5_ms, 10_ms, 10_ms, 11_ms}, .source = "inline"}};
    c.stop_arrivals_at = sim::Time::zero() + 10_ms;
    const auto got = run_open(c);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[1].arrival, sim::Time::zero() + 5_ms);
  }
  {
    // Both limits: whichever comes first.
    WorkloadConfig c;
    c.arrivals = ArrivalSpec{DeterministicArrivals{.interval = 1_ms}};
    c.stop_arrivals_at = sim::Time::zero() + 100_ms;
    c.max_requests = 10;
    EXPECT_EQ(run_open(c).size(), 10u);
  }
}

TEST(Workload, ReplayFixtureDrivesArrivalsExactly) {
  const char* root = std::getenv("ORCHSIM_SOURCE_DIR");
  WorkloadConfig c;
  c.arrivals = ArrivalSpec{
      load_replay_csv(std::string(root ? root : ".") + "/tests/scenarios/data/replay_ok.csv")};
  const auto got = run_open(c);
  std::vector<std::int64_t> ns;
  for (const auto& r : got) ns.push_back(r.arrival.count_ns());
  EXPECT_EQ(ns, (std::vector<std::int64_t>{0, 1'500'000, 1'500'000, 10'000'000, 250'250'000,
                                           1'000'000'000}));
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i].id, i);
}

TEST(Workload, RampDownToZeroRateEndsTheRun) {
  WorkloadConfig c;
  c.arrivals = ArrivalSpec{PiecewiseLinearArrivals{.points = {{0_s, 100.0}, {10_s, 0.0}}}};
  const auto got = run_open(c);
  EXPECT_NEAR(static_cast<double>(got.size()), 500.0, 5 * std::sqrt(500.0));
}

// --- Common random numbers -------------------------------------------------

TEST(Workload, RequestAttributesDependOnlyOnSeedAndId) {
  WorkloadConfig a;
  a.arrivals = ArrivalSpec{PoissonArrivals{.rate_per_second = 100}};
  a.classes = {{.name = "x",
                .weight = 2,
                .difficulty = Distribution::uniform(0, 1),
                .input_tokens = Distribution::lognormal(6, 1)},
               {.name = "y",
                .weight = 1,
                .difficulty = Distribution::normal(0.7, 0.2),
                .input_tokens = Distribution::gamma(2.0, 300.0)}};
  a.max_requests = 3000;
  WorkloadConfig b = a;
  b.arrivals =
      ArrivalSpec{OnOffArrivals{.on_rate_per_second = 1000, .mean_on = 1_s, .mean_off = 2_s}};
  const auto ra = run_open(a);
  const auto rb = run_open(b);
  ASSERT_EQ(ra.size(), 3000u);
  ASSERT_EQ(rb.size(), 3000u);

  sim::Simulation sim;
  Recorder sink;
  const Workload fresh(sim, sim::RandomSource(kSeed), a, sink);
  int arrivals_differ = 0;
  for (std::size_t i = 0; i < ra.size(); ++i) {
    SCOPED_TRACE(i);
    ASSERT_EQ(ra[i].class_index, rb[i].class_index);
    ASSERT_EQ(ra[i].difficulty, rb[i].difficulty);
    ASSERT_EQ(ra[i].input_tokens, rb[i].input_tokens);
    const RequestSpec d = fresh.describe(i);
    ASSERT_EQ(d.class_index, ra[i].class_index);
    ASSERT_EQ(d.difficulty, ra[i].difficulty);
    ASSERT_EQ(d.input_tokens, ra[i].input_tokens);
    arrivals_differ += ra[i].arrival != rb[i].arrival;
  }
  EXPECT_GT(arrivals_differ, 2900);

  // describe() is pure: order of calls does not matter.
  const RequestSpec late = fresh.describe(2999);
  EXPECT_EQ(fresh.describe(5).difficulty, ra[5].difficulty);
  EXPECT_EQ(fresh.describe(2999).difficulty, late.difficulty);

  // The same seed gives the same arrival instants; another seed, other requests.
  const auto again = run_open(a);
  const auto other = run_open(a, kSeed + 1);
  int same_difficulty = 0;
  for (std::size_t i = 0; i < ra.size(); ++i) {
    ASSERT_EQ(again[i].arrival, ra[i].arrival);
    ASSERT_EQ(again[i].difficulty, ra[i].difficulty);
    same_difficulty += other[i].difficulty == ra[i].difficulty;
  }
  EXPECT_LT(same_difficulty, 30);
}

// --- Closed loop -----------------------------------------------------------

// Completes each request a fixed service time after it arrives, then tells the workload.
class FixedServiceSink : public RequestSink {
 public:
  FixedServiceSink(sim::Simulation& sim, sim::Duration service) : sim_(sim), service_(service) {}
  void on_request(const RequestSpec& r) override {
    ++arrived;
    ++outstanding;
    max_outstanding = std::max(max_outstanding, outstanding);
    if (per_user.size() <= r.user) per_user.resize(r.user + 1, 0);
    if (++per_user[r.user] > 1) ++user_overlaps;
    arrivals.push_back(r);
    sim_.schedule_after(service_, [this, r] {
      --outstanding;
      --per_user[r.user];
      ++finished;
      workload->on_request_finished(r);
    });
  }
  Workload* workload = nullptr;
  std::uint64_t arrived = 0, finished = 0;
  std::int64_t outstanding = 0, max_outstanding = 0;
  std::vector<int> per_user;
  int user_overlaps = 0;
  std::vector<RequestSpec> arrivals;

 private:
  sim::Simulation& sim_;
  sim::Duration service_;
};

TEST(ClosedLoop, ThroughputFollowsInteractiveResponseTimeLaw) {
  const std::uint32_t n_users = 20;
  const sim::Duration r = 50_ms;
  const double z_ms = 200.0;
  WorkloadConfig c;
  c.arrivals =
      ClosedLoopUsers{.users = n_users, .think_time_ms = Distribution::exponential_mean(z_ms)};
  sim::Simulation sim;
  FixedServiceSink sink(sim, r);
  Workload w(sim, sim::RandomSource(kSeed), c, sink);
  sink.workload = &w;
  EXPECT_TRUE(w.closed_loop());
  w.start();
  const double horizon_s = 500.0;
  sim.run_until(sim::Time::zero() + sim::Duration::seconds(500));

  // X = N / (R + Z) = 20 / 0.25 s = 80/s. Per-user cycle counts have CV ~0.8/sqrt(2000) and
  // the users are independent: ~0.4% relative standard error.
  const double expected = n_users / (r.seconds_f() + z_ms / 1000.0);
  const double x = static_cast<double>(sink.finished) / horizon_s;
  EXPECT_NEAR(x, expected, 0.02 * expected);
  EXPECT_LE(sink.max_outstanding, static_cast<std::int64_t>(n_users));
  EXPECT_EQ(sink.max_outstanding, static_cast<std::int64_t>(n_users));  // all start at once
  EXPECT_EQ(sink.user_overlaps, 0);
  EXPECT_EQ(w.generated(), sink.arrived);
  for (std::size_t i = 0; i < sink.arrivals.size(); ++i) {
    ASSERT_EQ(sink.arrivals[i].id, i);
    ASSERT_LT(sink.arrivals[i].user, n_users);
  }
}

TEST(ClosedLoop, ConstantThinkTimeGivesExactCycles) {
  WorkloadConfig c;
  c.arrivals = ClosedLoopUsers{.users = 3, .think_time_ms = Distribution::constant(40.0)};
  sim::Simulation sim;
  FixedServiceSink sink(sim, 10_ms);
  Workload w(sim, sim::RandomSource(kSeed), c, sink);
  sink.workload = &w;
  w.start();
  sim.run_until(sim::Time::zero() + 1_s);
  // Every user sends at 0, 50, ..., 1000 ms: 21 each.
  ASSERT_EQ(sink.arrivals.size(), 63u);
  for (const auto& a : sink.arrivals) {
    EXPECT_EQ(a.arrival.count_ns() % (50_ms).count_ns(), 0) << sim::to_string(a.arrival);
  }
  std::vector<int> per_user(3, 0);
  for (const auto& a : sink.arrivals) ++per_user.at(a.user);
  EXPECT_EQ(per_user, (std::vector<int>{21, 21, 21}));
}

TEST(ClosedLoop, LimitsStopNewRequests) {
  WorkloadConfig c;
  c.arrivals = ClosedLoopUsers{.users = 4, .think_time_ms = Distribution::exponential_mean(5)};
  c.max_requests = 101;
  sim::Simulation sim;
  FixedServiceSink sink(sim, 1_ms);
  Workload w(sim, sim::RandomSource(kSeed), c, sink);
  sink.workload = &w;
  w.start();
  sim.run();
  EXPECT_EQ(sink.arrived, 101u);
  EXPECT_EQ(sink.finished, 101u);

  WorkloadConfig c2 = c;
  c2.max_requests = 0;
  c2.stop_arrivals_at = sim::Time::zero() + 2_s;
  sim::Simulation sim2;
  FixedServiceSink sink2(sim2, 1_ms);
  Workload w2(sim2, sim::RandomSource(kSeed), c2, sink2);
  sink2.workload = &w2;
  w2.start();
  sim2.run();
  ASSERT_GT(sink2.arrived, 100u);
  for (const auto& a : sink2.arrivals) EXPECT_LT(a.arrival, c2.stop_arrivals_at);
}

TEST(ClosedLoop, ThinkTimesAreKeyedByUserAndTurn) {
  // Two runs with different service times: each user's k-th think time is the same, so the
  // gap between a user's k-th completion and (k+1)-th arrival matches across runs.
  auto gaps = [](sim::Duration service) {
    WorkloadConfig c;
    c.arrivals = ClosedLoopUsers{.users = 3, .think_time_ms = Distribution::exponential_mean(30)};
    c.max_requests = 60;
    sim::Simulation sim;
    FixedServiceSink sink(sim, service);
    Workload w(sim, sim::RandomSource(kSeed), c, sink);
    sink.workload = &w;
    w.start();
    sim.run();
    std::vector<std::vector<sim::Duration>> out(3);
    std::vector<sim::Time> last(3);
    std::vector<bool> seen(3, false);
    for (const auto& a : sink.arrivals) {
      if (seen[a.user]) out[a.user].push_back(a.arrival - (last[a.user] + service));
      seen[a.user] = true;
      last[a.user] = a.arrival;
    }
    return out;
  };
  const auto fast = gaps(1_ms), slow = gaps(7_ms);
  for (std::size_t u = 0; u < 3; ++u) {
    const std::size_t k = std::min(fast[u].size(), slow[u].size());
    ASSERT_GT(k, 5u);
    for (std::size_t i = 0; i < k; ++i) EXPECT_EQ(fast[u][i], slow[u][i]) << u << "/" << i;
  }
}

TEST(ClosedLoop, OpenLoopIgnoresFinishedNotifications) {
  WorkloadConfig c;
  c.arrivals = ArrivalSpec{DeterministicArrivals{.interval = 1_ms}};
  c.max_requests = 5;
  sim::Simulation sim;
  Recorder sink;
  Workload w(sim, sim::RandomSource(kSeed), c, sink);
  EXPECT_FALSE(w.closed_loop());
  w.start();
  sim.run();
  ASSERT_EQ(sink.got.size(), 5u);
  w.on_request_finished(sink.got[0]);
  EXPECT_EQ(sim.pending_events(), 0u);
}

TEST(ClosedLoop, FinishedRequestFromAnUnknownUserIsRejected) {
  WorkloadConfig c;
  c.arrivals = ClosedLoopUsers{.users = 2};
  sim::Simulation sim;
  Recorder sink;
  Workload w(sim, sim::RandomSource(kSeed), c, sink);
  RequestSpec r;
  r.user = 2;
  EXPECT_THROW(w.on_request_finished(r), std::invalid_argument);
}

// --- Configuration diagnostics ---------------------------------------------

TEST(WorkloadConfig, DefaultIsValid) { EXPECT_EQ(WorkloadConfig{}.validate().size(), 0u); }

TEST(WorkloadConfig, ValidateListsEveryBadField) {
  WorkloadConfig c;
  c.arrivals = ArrivalSpec{PoissonArrivals{.rate_per_second = 0}};
  c.classes = {{.name = "ok"},
               {.name = "w", .weight = -1},
               {.name = "t", .input_tokens = Distribution::uniform(-5, 5)},
               {.name = "d", .deadline = -(1_s)},
               {.name = "nan", .weight = std::numeric_limits<double>::quiet_NaN()}};
  const auto problems = c.validate();
  const std::string all = joined(problems);
  EXPECT_EQ(problems.size(), 5u) << all;
  for (const char* expected :
       {"classes[1].weight: found -1, expected >= 0", "classes[2].input_tokens: found uniform",
        "classes[3].deadline: found -1s", "classes[4].weight: found nan",
        "arrivals: poisson: rate_per_second"}) {
    EXPECT_NE(all.find(expected), std::string::npos) << "missing '" << expected << "' in\n" << all;
  }
  // The constructor refuses it with every problem in the message.
  sim::Simulation sim;
  Recorder sink;
  try {
    Workload w(sim, sim::RandomSource(kSeed), c, sink);
    ADD_FAILURE() << "accepted";
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    for (const auto& p : problems) EXPECT_NE(msg.find(p), std::string::npos) << p;
  }
}

TEST(WorkloadConfig, ValidateClassesAndClosedLoop) {
  {
    WorkloadConfig c;
    c.classes = {};
    const std::string all = joined(c.validate());
    EXPECT_NE(all.find("classes: found none"), std::string::npos) << all;
  }
  {
    WorkloadConfig c;
    c.classes = {{.weight = 0}, {.weight = 0}};
    const auto problems = c.validate();
    ASSERT_EQ(problems.size(), 1u) << joined(problems);
    EXPECT_EQ(problems[0], "classes: found all weights zero, expected a positive total weight");
  }
  {
    // A negative weight is reported as such, not also as "all weights zero".
    WorkloadConfig c;
    c.classes = {{.weight = 1}, {.weight = -1}};
    const auto problems = c.validate();
    ASSERT_EQ(problems.size(), 1u) << joined(problems);
    EXPECT_EQ(problems[0], "classes[1].weight: found -1, expected >= 0");
  }
  {
    WorkloadConfig c;
    c.classes = {{.weight = 1e308}, {.weight = 1e308}};
    const std::string all = joined(c.validate());
    EXPECT_NE(all.find("classes: found total weight inf"), std::string::npos) << all;
  }
  {
    WorkloadConfig c;
    c.arrivals = ClosedLoopUsers{.users = 0, .think_time_ms = Distribution::normal(10, 5)};
    const auto problems = c.validate();
    const std::string all = joined(problems);
    EXPECT_EQ(problems.size(), 2u) << all;
    EXPECT_NE(all.find("arrivals.users: found 0, expected >= 1"), std::string::npos) << all;
    EXPECT_NE(all.find("arrivals.think_time_ms: found normal"), std::string::npos) << all;
  }
}

}  // namespace
}  // namespace orchsim::scenarios::workload_test
