// Backoff shapes, jitter and presets, against the formulas of REFERENCE.md
// (retry n = 0, 1, 2, ...; base b; cap c; multiplier m).
#include "orchestration/backoff.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <vector>

#include "tests/sim/time_printers.hpp"

namespace orchsim::orchestration::backoff_test {
namespace {

using namespace sim::literals;
using sim::Duration;

BackoffPolicy policy(BackoffShape shape, Jitter jitter, Duration base, Duration cap,
                     double multiplier = 2.0) {
  BackoffPolicy p;
  p.shape = shape;
  p.jitter = jitter;
  p.base = base;
  p.cap = cap;
  p.multiplier = multiplier;
  return p;
}

// The first `count` delays of one sequence of retries.
std::vector<Duration> delays(const BackoffPolicy& p, int count, std::uint64_t seed = 1,
                             std::uint64_t key = 0) {
  sim::RandomStream s = sim::RandomSource(seed).stream("backoff-test", key);
  Backoff b(p);
  std::vector<Duration> out;
  for (int i = 0; i < count; ++i) out.push_back(b.next(s));
  return out;
}

// ---- Shapes without jitter: exact values ----

TEST(Backoff, ExponentialWithoutJitterIsBaseTimesTwoToTheNCappedAtCap) {
  const auto p = policy(BackoffShape::kExponential, Jitter::kNone, 100_ms, 1_s);
  EXPECT_EQ(delays(p, 7), (std::vector<Duration>{100_ms, 200_ms, 400_ms, 800_ms, 1_s, 1_s, 1_s}));
}

TEST(Backoff, ExponentialUsesTheConfiguredMultiplier) {
  const auto p = policy(BackoffShape::kExponential, Jitter::kNone, 10_ms, 1_s, 3.0);
  EXPECT_EQ(delays(p, 6), (std::vector<Duration>{10_ms, 30_ms, 90_ms, 270_ms, 810_ms, 1_s}));
  // A fractional multiplier rounds to the nearest nanosecond: 1.5^3 = 3.375.
  const auto q = policy(BackoffShape::kExponential, Jitter::kNone, 1_ms, 1_s, 1.5);
  EXPECT_EQ(Backoff::shape_value(q, 3), Duration::microseconds(3375));
}

TEST(Backoff, LinearIsBaseTimesNPlusOneCappedAtCap) {
  const auto p = policy(BackoffShape::kLinear, Jitter::kNone, 100_ms, 450_ms);
  EXPECT_EQ(delays(p, 6), (std::vector<Duration>{100_ms, 200_ms, 300_ms, 400_ms, 450_ms, 450_ms}));
}

TEST(Backoff, ConstantIsAlwaysBaseAndNeverAboveCap) {
  EXPECT_EQ(delays(policy(BackoffShape::kConstant, Jitter::kNone, 300_ms, 10_s), 4),
            (std::vector<Duration>{300_ms, 300_ms, 300_ms, 300_ms}));
  EXPECT_EQ(Backoff::shape_value(policy(BackoffShape::kConstant, Jitter::kNone, 3_s, 1_s), 0), 1_s);
}

TEST(Backoff, ShapeValueIsStatelessAndMatchesTheSequence) {
  const auto p = policy(BackoffShape::kExponential, Jitter::kNone, 100_ms, 1_s);
  const auto seq = delays(p, 6);
  for (std::uint32_t n = 0; n < seq.size(); ++n) EXPECT_EQ(Backoff::shape_value(p, n), seq[n]);
}

TEST(Backoff, HugeRetryNumbersSaturateAtTheCapInsteadOfOverflowing) {
  const auto p = policy(BackoffShape::kExponential, Jitter::kNone, 1_s, Duration::max());
  EXPECT_EQ(Backoff::shape_value(p, 62), Duration::max());
  EXPECT_EQ(Backoff::shape_value(p, 1000), Duration::max());
  const auto capped = policy(BackoffShape::kExponential, Jitter::kNone, 1_s, 30_s);
  EXPECT_EQ(Backoff::shape_value(capped, 4'000'000'000u), 30_s);
  const auto linear = policy(BackoffShape::kLinear, Jitter::kNone, 1_s, 30_s);
  EXPECT_EQ(Backoff::shape_value(linear, 4'000'000'000u), 30_s);
}

TEST(Backoff, RetriesSoFarCountsCallsToNext) {
  Backoff b(BackoffPolicy::temporal());
  sim::RandomStream s = sim::RandomSource(1).stream("x");
  EXPECT_EQ(b.retries_so_far(), 0u);
  b.next(s);
  b.next(s);
  EXPECT_EQ(b.retries_so_far(), 2u);
}

// ---- Jitter ----

TEST(Backoff, FullJitterStaysInZeroToShapeValueAndAveragesHalfOfIt) {
  const auto p = policy(BackoffShape::kExponential, Jitter::kFull, 100_ms, 1_s);
  constexpr int kSequences = 20'000;
  std::vector<double> sum(6, 0.0);
  for (int k = 0; k < kSequences; ++k) {
    const auto seq = delays(p, 6, 7, static_cast<std::uint64_t>(k));
    for (std::uint32_t n = 0; n < seq.size(); ++n) {
      const Duration t = std::min(1_s, 100_ms * (std::int64_t{1} << n));
      ASSERT_GE(seq[n], Duration::zero()) << "retry " << n;
      ASSERT_LE(seq[n], t) << "retry " << n;
      sum[n] += seq[n].seconds_f();
    }
  }
  for (std::uint32_t n = 0; n < sum.size(); ++n) {
    const double t = std::min(1.0, 0.1 * static_cast<double>(std::int64_t{1} << n));
    // U(0, t) has sd t/sqrt(12); the sd of a mean of 20,000 is 0.002 t: allow 5 sd.
    EXPECT_NEAR(sum[n] / kSequences, t / 2, 0.01 * t) << "retry " << n;
  }
}

TEST(Backoff, EqualJitterStaysInHalfToFullShapeValueAndAveragesThreeQuarters) {
  const auto p = policy(BackoffShape::kExponential, Jitter::kEqual, 100_ms, 1_s);
  constexpr int kSequences = 20'000;
  std::vector<double> sum(6, 0.0);
  for (int k = 0; k < kSequences; ++k) {
    const auto seq = delays(p, 6, 8, static_cast<std::uint64_t>(k));
    for (std::uint32_t n = 0; n < seq.size(); ++n) {
      const Duration t = std::min(1_s, 100_ms * (std::int64_t{1} << n));
      ASSERT_GE(seq[n], t / 2) << "retry " << n;
      ASSERT_LE(seq[n], t) << "retry " << n;
      sum[n] += seq[n].seconds_f();
    }
  }
  for (std::uint32_t n = 0; n < sum.size(); ++n) {
    const double t = std::min(1.0, 0.1 * static_cast<double>(std::int64_t{1} << n));
    EXPECT_NEAR(sum[n] / kSequences, 0.75 * t, 0.005 * t) << "retry " << n;
  }
}

TEST(Backoff, EqualJitterCanReachTheFullValueWhenItIsAnOddNumberOfNanoseconds) {
  // t = 3 ns: t/2 + U(0, t/2) must cover [1, 3] (the upper half includes t itself).
  const auto p = policy(BackoffShape::kConstant, Jitter::kEqual, 3_ns, 1_s);
  bool saw_max = false;
  for (int k = 0; k < 200; ++k) {
    const Duration d = delays(p, 1, 9, static_cast<std::uint64_t>(k))[0];
    ASSERT_GE(d, 1_ns);
    ASSERT_LE(d, 3_ns);
    saw_max = saw_max || d == 3_ns;
  }
  EXPECT_TRUE(saw_max);
}

TEST(Backoff, DecorrelatedJitterStaysBetweenBaseAndThreeTimesThePreviousDelayCapped) {
  const auto p = policy(BackoffShape::kExponential, Jitter::kDecorrelated, 100_ms, 2_s);
  bool reached_cap = false;
  for (int k = 0; k < 2'000; ++k) {
    const auto seq = delays(p, 12, 10, static_cast<std::uint64_t>(k));
    Duration previous = 100_ms;  // s_(-1) = b
    for (std::uint32_t n = 0; n < seq.size(); ++n) {
      ASSERT_GE(seq[n], 100_ms) << "retry " << n;
      ASSERT_LE(seq[n], std::min(2_s, previous * 3)) << "retry " << n;
      previous = seq[n];
      reached_cap = reached_cap || seq[n] == 2_s;
    }
  }
  EXPECT_TRUE(reached_cap);  // min(c, U(b, 3 s)) puts mass on the cap itself
}

TEST(Backoff, DecorrelatedJitterFirstDelayIsUniformBetweenBaseAndThreeBase) {
  const auto p = policy(BackoffShape::kExponential, Jitter::kDecorrelated, 100_ms, 10_s);
  double sum = 0;
  constexpr int kDraws = 20'000;
  for (int k = 0; k < kDraws; ++k)
    sum += delays(p, 1, 11, static_cast<std::uint64_t>(k))[0].seconds_f();
  // U(0.1, 0.3): mean 0.2, sd 0.0577; sd of the mean 0.0004.
  EXPECT_NEAR(sum / kDraws, 0.2, 0.002);
}

TEST(Backoff, EnvoyIsUniformUpToTwoToTheNPlusOneMinusOneTimesBaseCappedAt250ms) {
  const BackoffPolicy p = BackoffPolicy::envoy();
  // Retry n (0-based) follows N = n + 1 tries: (2^N - 1) * 25 ms = 25, 75, 175, 375 -> 250.
  const std::vector<Duration> upper = {25_ms, 75_ms, 175_ms, 250_ms, 250_ms, 250_ms};
  for (std::uint32_t n = 0; n < upper.size(); ++n) EXPECT_EQ(Backoff::shape_value(p, n), upper[n]);
  std::vector<Duration> lowest(upper.size(), Duration::max()), highest(upper.size());
  std::vector<double> sum(upper.size(), 0.0);
  constexpr int kSequences = 20'000;
  for (int k = 0; k < kSequences; ++k) {
    const auto seq = delays(p, 6, 12, static_cast<std::uint64_t>(k));
    for (std::uint32_t n = 0; n < seq.size(); ++n) {
      ASSERT_GE(seq[n], Duration::zero());
      ASSERT_LE(seq[n], upper[n]);
      lowest[n] = std::min(lowest[n], seq[n]);
      highest[n] = std::max(highest[n], seq[n]);
      sum[n] += seq[n].seconds_f();
    }
  }
  for (std::uint32_t n = 0; n < upper.size(); ++n) {
    // Always jittered (even though the preset's `jitter` field says none).
    EXPECT_LT(lowest[n], upper[n] / 100) << "retry " << n;
    EXPECT_GT(highest[n], upper[n] * 99 / 100) << "retry " << n;
    EXPECT_NEAR(sum[n] / kSequences, upper[n].seconds_f() / 2, 0.01 * upper[n].seconds_f());
  }
}

TEST(Backoff, RetryAfterOverridesAShorterDelayButNotALongerOne) {
  sim::RandomStream s = sim::RandomSource(1).stream("retry-after");
  Backoff b(policy(BackoffShape::kExponential, Jitter::kNone, 1_s, 100_s));
  EXPECT_EQ(b.next(s, 3_s), 3_s);        // computed 1 s < 3 s: wait 3 s
  EXPECT_EQ(b.next(s, 500_ms), 2_s);     // computed 2 s > 0.5 s: never sooner than computed
  EXPECT_EQ(b.next(s), 4_s);             // the override does not disturb the sequence
  EXPECT_EQ(b.next(s, 8_s), 8_s);        // equal: either way 8 s
  EXPECT_EQ(b.next(s, 1000_s), 1000_s);  // retry-after is not capped by the policy's cap
}

TEST(Backoff, RetryAfterIsAFloorUnderJitteredDelays) {
  const auto p = policy(BackoffShape::kExponential, Jitter::kFull, 1_s, 100_s);
  for (int k = 0; k < 1'000; ++k) {
    sim::RandomStream s = sim::RandomSource(13).stream("retry-after", k);
    Backoff b(p);
    ASSERT_GE(b.next(s, 700_ms), 700_ms);
  }
}

TEST(Backoff, SameStreamGivesSameDelays) {
  const auto p = policy(BackoffShape::kExponential, Jitter::kDecorrelated, 50_ms, 20_s);
  EXPECT_EQ(delays(p, 20, 99, 5), delays(p, 20, 99, 5));
  EXPECT_NE(delays(p, 20, 99, 5), delays(p, 20, 99, 6));
  EXPECT_NE(delays(p, 20, 99, 5), delays(p, 20, 100, 5));
  const auto full = policy(BackoffShape::kExponential, Jitter::kFull, 50_ms, 20_s);
  EXPECT_EQ(delays(full, 20, 3, 1), delays(full, 20, 3, 1));
}

TEST(Backoff, NoJitterDrawsNothingFromTheStream) {
  sim::RandomStream used = sim::RandomSource(4).stream("draws");
  sim::RandomStream fresh = sim::RandomSource(4).stream("draws");
  Backoff b(BackoffPolicy::temporal());
  for (int i = 0; i < 5; ++i) b.next(used);
  EXPECT_EQ(used.next_u64(), fresh.next_u64());
}

// ---- Presets (REFERENCE.md table) ----

TEST(BackoffPreset, TemporalIsOneSecondDoublingCappedAtOneHundredSecondsWithoutJitter) {
  const BackoffPolicy p = BackoffPolicy::temporal();
  EXPECT_EQ(p.shape, BackoffShape::kExponential);
  EXPECT_EQ(p.jitter, Jitter::kNone);
  EXPECT_EQ(p.base, 1_s);
  EXPECT_EQ(p.multiplier, 2.0);
  EXPECT_EQ(p.cap, 100 * p.base);
  EXPECT_EQ(delays(p, 9),
            (std::vector<Duration>{1_s, 2_s, 4_s, 8_s, 16_s, 32_s, 64_s, 100_s, 100_s}));
}

TEST(BackoffPreset, StepFunctionsIsOneSecondDoublingWithoutCapAndNoJitterByDefault) {
  const BackoffPolicy p = BackoffPolicy::step_functions();
  EXPECT_EQ(p.shape, BackoffShape::kExponential);
  EXPECT_EQ(p.jitter, Jitter::kNone);  // JitterStrategy defaults to NONE
  EXPECT_EQ(p.base, 1_s);
  EXPECT_EQ(p.multiplier, 2.0);
  EXPECT_EQ(p.cap, Duration::max());  // MaxDelaySeconds is optional: no cap by default
  EXPECT_EQ(delays(p, 6), (std::vector<Duration>{1_s, 2_s, 4_s, 8_s, 16_s, 32_s}));
  // JitterStrategy FULL: U(0, 1 s x 2^n).
  BackoffPolicy full = p;
  full.jitter = Jitter::kFull;
  for (int k = 0; k < 200; ++k) {
    const auto seq = delays(full, 3, 14, static_cast<std::uint64_t>(k));
    ASSERT_LE(seq[0], 1_s);
    ASSERT_LE(seq[1], 2_s);
    ASSERT_LE(seq[2], 4_s);
  }
}

TEST(BackoffPreset, LangGraphIsHalfSecondDoublingCappedAt128SecondsPlusUpToOneSecond) {
  const BackoffPolicy p = BackoffPolicy::langgraph();
  EXPECT_EQ(p.shape, BackoffShape::kExponential);
  EXPECT_EQ(p.jitter, Jitter::kAdditive);
  EXPECT_EQ(p.jitter_max, 1_s);
  EXPECT_EQ(p.base, 500_ms);
  EXPECT_EQ(p.multiplier, 2.0);
  EXPECT_EQ(p.cap, 128_s);
  const std::vector<Duration> expected = {500_ms, 1_s,  2_s,   4_s,   8_s,  16_s,
                                          32_s,   64_s, 128_s, 128_s, 128_s};
  for (std::uint32_t n = 0; n < expected.size(); ++n) {
    EXPECT_EQ(Backoff::shape_value(p, n), expected[n]) << "retry " << n;
  }
  // interval = min(128 s, 0.5 s x 2^n) + uniform(0, 1 s): the jitter is added
  // after the cap, so even capped delays spread over [128 s, 129 s].
  std::vector<double> added(expected.size(), 0.0);
  constexpr int kSequences = 2000;
  for (int k = 0; k < kSequences; ++k) {
    const auto seq =
        delays(p, static_cast<int>(expected.size()), 21, static_cast<std::uint64_t>(k));
    for (std::size_t n = 0; n < seq.size(); ++n) {
      ASSERT_GE(seq[n], expected[n]) << "retry " << n;
      ASSERT_LE(seq[n], expected[n] + 1_s) << "retry " << n;
      added[n] += (seq[n] - expected[n]).seconds_f();
    }
  }
  // U(0, 1 s) has mean 0.5 s and sd 0.2887 s: the mean of 2000 is within 0.03 s (4.6 sd).
  for (std::size_t n = 0; n < added.size(); ++n) EXPECT_NEAR(added[n] / kSequences, 0.5, 0.03) << n;
}

TEST(BackoffJitter, AdditiveAddsUpToJitterMaxAfterTheCap) {
  BackoffPolicy p;
  p.shape = BackoffShape::kConstant;
  p.base = 100_ms;
  p.cap = 50_ms;  // the cap applies to the shape, not to the jitter added on top
  p.jitter = Jitter::kAdditive;
  p.jitter_max = 10_ms;
  for (int k = 0; k < 100; ++k) {
    for (const Duration d : delays(p, 4, 3, static_cast<std::uint64_t>(k))) {
      ASSERT_GE(d, 50_ms);
      ASSERT_LE(d, 60_ms);
    }
  }
  p.jitter_max = Duration::zero();
  EXPECT_EQ(delays(p, 2), (std::vector<Duration>{50_ms, 50_ms}));
}

TEST(BackoffPreset, PollyIsTwoSecondsConstantWithoutJitter) {
  const BackoffPolicy p = BackoffPolicy::polly();
  EXPECT_EQ(p.shape, BackoffShape::kConstant);
  EXPECT_EQ(p.jitter, Jitter::kNone);
  EXPECT_EQ(p.base, 2_s);
  EXPECT_EQ(delays(p, 3), (std::vector<Duration>{2_s, 2_s, 2_s}));
}

TEST(BackoffPreset, EnvoyIs25msBaseAnd250msCap) {
  const BackoffPolicy p = BackoffPolicy::envoy();
  EXPECT_EQ(p.shape, BackoffShape::kEnvoy);
  EXPECT_EQ(p.base, 25_ms);
  EXPECT_EQ(p.cap, 250_ms);
  EXPECT_EQ(p.cap, 10 * p.base);
}

TEST(BackoffPreset, GrpcRetryNIsUniformUpToInitialTimesMultiplierToTheNMinusOneCapped) {
  // gRPC numbers retries from 1: retry k waits U(0, min(initial * mult^(k-1), max)).
  // Ours are 0-based, so our n = k - 1 has the upper bound min(initial * mult^n, max).
  const BackoffPolicy p = BackoffPolicy::grpc(100_ms, 1_s, 1.6);
  EXPECT_EQ(p.shape, BackoffShape::kExponential);
  EXPECT_EQ(p.jitter, Jitter::kFull);
  EXPECT_EQ(p.base, 100_ms);
  EXPECT_EQ(p.cap, 1_s);
  EXPECT_EQ(p.multiplier, 1.6);
  const std::vector<Duration> upper = {
      100_ms, 160_ms, 256_ms, Duration::microseconds(409'600), Duration::microseconds(655'360),
      1_s,    1_s};
  for (std::uint32_t n = 0; n < upper.size(); ++n) {
    EXPECT_EQ(Backoff::shape_value(p, n), upper[n]) << "retry " << n;
  }
  std::vector<double> sum(upper.size(), 0.0);
  constexpr int kSequences = 20'000;
  for (int k = 0; k < kSequences; ++k) {
    const auto seq = delays(p, 7, 15, static_cast<std::uint64_t>(k));
    for (std::uint32_t n = 0; n < seq.size(); ++n) {
      ASSERT_GE(seq[n], Duration::zero());
      ASSERT_LE(seq[n], upper[n]);
      sum[n] += seq[n].seconds_f();
    }
  }
  for (std::uint32_t n = 0; n < upper.size(); ++n) {
    EXPECT_NEAR(sum[n] / kSequences, upper[n].seconds_f() / 2, 0.01 * upper[n].seconds_f());
  }
}

TEST(Backoff, NamesAreStable) {
  EXPECT_EQ(to_string(BackoffShape::kConstant), "constant");
  EXPECT_EQ(to_string(BackoffShape::kLinear), "linear");
  EXPECT_EQ(to_string(BackoffShape::kExponential), "exponential");
  EXPECT_EQ(to_string(BackoffShape::kEnvoy), "envoy");
  EXPECT_EQ(to_string(Jitter::kNone), "none");
  EXPECT_EQ(to_string(Jitter::kFull), "full");
  EXPECT_EQ(to_string(Jitter::kEqual), "equal");
  EXPECT_EQ(to_string(Jitter::kDecorrelated), "decorrelated");
}

}  // namespace
}  // namespace orchsim::orchestration::backoff_test
