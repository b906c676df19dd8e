// Little's law L = lambda W on every built-in scenario, open loop as shipped
// and again with its arrivals replaced by closed-loop users.
//
// Each run goes through eval::run_scenario (the same wiring as `orchsim run`)
// with one more observer that sees only RequestArrived and RequestFinished and
// integrates the number of requests in the system over simulated time.
//
// Two checks per run:
//  - over the whole run [0, end], exactly, in integer nanoseconds:
//      integral of N(t) dt == sum of finished latencies
//                             + sum over unfinished requests of (end - arrival),
//    and every RequestFinished.latency == its finish time - its arrival time.
//    This is Little's law as a sample-path identity: it holds with no
//    tolerance when the simulator's bookkeeping is right.
//  - over the arrival window [0, T] (T = when the arrivals stop), the
//    steady-state estimators L = integral_0^T N dt / T, lambda = A(T) / T and
//    W = mean latency of the requests that arrived in the window agree within
//    kWindowTolerance; the gap is the end effect (the part of the sojourns of
//    the requests still in the system at T that lies after T), which the test
//    also bounds by W / T.
// Closed loop also checks the interactive response time law N = X (W + Z).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "eval/runner.hpp"
#include "orchestration/events.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::validation::little_law_test {
namespace {

constexpr std::uint64_t kRequests = 20'000;  // per run: long enough that W / T is ~1%
constexpr double kWindowTolerance = 0.03;    // relative, |L - lambda W| / L over [0, T]

// Integrates N(t), the requests in the system, over simulated time.
class LittleObserver final : public orchestration::Observer {
 public:
  void on_request_arrived(const orchestration::RequestArrived& e) override {
    advance(e.at);
    ++in_system_;
    ++arrived;
    arrival_.emplace(e.request, e.at);
    // The arrival window ends with the last arrival: remember N's integral then.
    last_arrival = e.at;
    area_at_last_arrival = area_ns_;
  }
  void on_request_finished(const orchestration::RequestFinished& e) override {
    advance(e.at);
    --in_system_;
    ++finished;
    sum_latency_ns += e.latency.count_ns();
    const auto it = arrival_.find(e.request);
    if (it == arrival_.end()) {
      ++unknown_finishes;
      return;
    }
    if (e.at - it->second != e.latency) ++latency_mismatches;
    arrival_.erase(it);
  }
  // The integral of N over [0, t], t >= the last event seen.
  std::int64_t area_until(sim::Time t) const {
    return area_ns_ + in_system_ * (t - last_).count_ns();
  }
  std::int64_t in_system() const { return in_system_; }
  // Sum over the requests still in the system of (t - arrival).
  std::int64_t open_sojourns_until(sim::Time t) const {
    std::int64_t sum = 0;
    for (const auto& [id, at] : arrival_) sum += (t - at).count_ns();
    return sum;
  }

  std::uint64_t arrived = 0, finished = 0, latency_mismatches = 0, unknown_finishes = 0;
  std::int64_t sum_latency_ns = 0;
  sim::Time last_arrival;
  std::int64_t area_at_last_arrival = 0;

 private:
  void advance(sim::Time t) {
    area_ns_ += in_system_ * (t - last_).count_ns();
    last_ = t;
  }
  std::int64_t area_ns_ = 0;
  std::int64_t in_system_ = 0;
  sim::Time last_ = sim::Time::zero();
  std::unordered_map<std::uint64_t, sim::Time>
      arrival_;  // looked up, never iterated into a result order
};

struct LittleRun {
  double window_s = 0, end_s = 0;
  double l = 0, lambda = 0, w = 0;  // over the window
  std::uint64_t arrived = 0, finished = 0, unfinished = 0;
  std::int64_t area_total_ns = 0, sojourn_total_ns = 0;  // the exact identity's two sides
  std::uint64_t latency_mismatches = 0, unknown_finishes = 0;
};

LittleRun run_little(const scenarios::Scenario& s, std::uint64_t seed, std::uint64_t requests) {
  LittleObserver little;
  eval::RunOptions options;
  options.seed = seed;
  options.requests = requests;
  options.observer = &little;
  const eval::RunResult result = eval::run_scenario(s, options);
  const sim::Time end = result.end;
  const sim::Time window_end = little.last_arrival;
  const std::int64_t window_area = little.area_at_last_arrival;

  LittleRun r;
  r.window_s = window_end.seconds_f();
  r.end_s = end.seconds_f();
  r.arrived = little.arrived;
  r.finished = little.finished;
  r.unfinished = static_cast<std::uint64_t>(little.in_system());
  r.area_total_ns = little.area_until(end);
  r.sojourn_total_ns = little.sum_latency_ns + little.open_sojourns_until(end);
  r.latency_mismatches = little.latency_mismatches;
  r.unknown_finishes = little.unknown_finishes;
  r.l = static_cast<double>(window_area) * 1e-9 / r.window_s;
  r.lambda = static_cast<double>(little.arrived) / r.window_s;
  // Every request arrived in the window; their mean time in system (the
  // unfinished ones, if the drain limit cut them off, counted up to the end).
  r.w = static_cast<double>(r.sojourn_total_ns) * 1e-9 / static_cast<double>(little.arrived);
  EXPECT_EQ(result.arrived, little.arrived);
  EXPECT_EQ(result.completed + result.failed, little.finished);
  return r;
}

void check_little(const std::string& label, const LittleRun& r, std::uint64_t requests) {
  const double lw = r.lambda * r.w;
  const double rel = std::abs(r.l - lw) / r.l;
  std::printf(
      "[validation] Little %-40s T %9.1f s  L %9.4f  lambda*W %9.4f  (lambda %.4f/s, W %.4f s)  "
      "rel %.5f  unfinished %llu\n",
      label.c_str(), r.window_s, r.l, lw, r.lambda, r.w, rel,
      static_cast<unsigned long long>(r.unfinished));
  EXPECT_EQ(r.arrived, requests) << label;
  EXPECT_GT(r.finished, requests * 9 / 10) << label;
  // The sample-path identity over [0, end]: exact.
  EXPECT_EQ(r.area_total_ns, r.sojourn_total_ns) << label;
  EXPECT_EQ(r.latency_mismatches, 0u) << label << ": RequestFinished.latency != finish - arrival";
  EXPECT_EQ(r.unknown_finishes, 0u) << label << ": a request finished that never arrived";
  // The steady-state estimators over [0, T].
  EXPECT_GT(r.l, 0.0) << label;
  EXPECT_LT(rel, kWindowTolerance) << label << ": L " << r.l << " vs lambda W " << lw;
  // The run was long enough for the end effect to be small.
  EXPECT_LT(r.w / r.window_s, 0.02) << label << ": the window is too short for its latencies";
}

TEST(LittleLawValidation, EveryLibraryScenarioOpenLoop) {
  const auto names = scenarios::library_names();
  ASSERT_GE(names.size(), 10u);
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    const auto loaded = scenarios::load_scenario(name);
    ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.format();
    const scenarios::Scenario& s = *loaded.scenario;
    std::uint64_t requests = std::max<std::uint64_t>(s.run.requests, kRequests);
    // A replayed trace ends on its own: its length bounds the arrivals.
    if (const auto* spec = std::get_if<scenarios::ArrivalSpec>(&s.workload.arrivals)) {
      if (const auto* replay = std::get_if<scenarios::ReplayArrivals>(spec)) {
        requests = std::min<std::uint64_t>(requests, replay->offsets.size());
      }
    }
    check_little(name, run_little(s, s.run.seed, requests), requests);
  }
}

TEST(LittleLawValidation, EveryLibraryScenarioClosedLoop) {
  constexpr std::uint32_t kUsers = 40;
  constexpr double kThinkMs = 2000.0;
  for (const auto& name : scenarios::library_names()) {
    SCOPED_TRACE(name);
    auto loaded = scenarios::load_scenario(name);
    ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.format();
    scenarios::Scenario s = *loaded.scenario;
    s.workload.arrivals = scenarios::ClosedLoopUsers{
        .users = kUsers, .think_time_ms = sim::Distribution::exponential_mean(kThinkMs)};
    const LittleRun r = run_little(s, s.run.seed + 1, kRequests);
    check_little(name + " (closed loop)", r, kRequests);
    // Interactive response time law: users = X (W + Z), X the throughput
    // over the window (every user cycles throughout it), Z the mean think time.
    const double n = r.lambda * (r.w + kThinkMs / 1000.0);
    std::printf("[validation] closed loop %-34s users %u  X (W + Z) %.4f\n", name.c_str(), kUsers,
                n);
    EXPECT_NEAR(n, kUsers, 0.03 * kUsers) << name;
  }
}

// The windowed check can fail: a wrong W (say, latencies measured from
// service start, here the mean shortened by 10%) is rejected.
TEST(LittleLawValidation, AWrongLatencyIsRejected) {
  const auto loaded = scenarios::load_scenario("rag_orchestrated");
  ASSERT_TRUE(loaded.ok());
  LittleRun r = run_little(*loaded.scenario, 1, kRequests);
  EXPECT_LT(std::abs(r.l - r.lambda * r.w) / r.l, kWindowTolerance);
  r.w *= 0.9;
  EXPECT_GT(std::abs(r.l - r.lambda * r.w) / r.l, kWindowTolerance);
}

}  // namespace
}  // namespace orchsim::validation::little_law_test
