#include "sim/time.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace orchsim::sim::time_test {
namespace {

TEST(Duration, LiteralsAreExactNanoseconds) {
  EXPECT_EQ((5_ms).count_ns(), 5'000'000);
  EXPECT_EQ((3_us).count_ns(), 3'000);
  EXPECT_EQ((2_s).count_ns(), 2'000'000'000);
  EXPECT_EQ((1_min).count_ns(), 60'000'000'000);
  EXPECT_EQ((1_h).count_ns(), 3'600'000'000'000);
  EXPECT_EQ((7_ns).count_ns(), 7);
}

TEST(Duration, ArithmeticAndComparison) {
  EXPECT_EQ(1_s - 1_ms, Duration::microseconds(999'000));
  EXPECT_EQ(3 * 5_ms, 15_ms);
  EXPECT_EQ(10_ms / 4, Duration::microseconds(2500));
  EXPECT_EQ(10_ms / 3_ms, 3);
  EXPECT_EQ(10_ms % 3_ms, 1_ms);
  EXPECT_LT(999_us, 1_ms);
  EXPECT_EQ(-(5_ms) + 5_ms, Duration::zero());
}

TEST(Duration, FromFloatingPointRoundsToNearestNanosecond) {
  EXPECT_EQ(Duration::from_milliseconds(1.5), Duration::microseconds(1500));
  EXPECT_EQ(Duration::from_seconds(1.4e-9), 1_ns);
  EXPECT_EQ(Duration::from_seconds(1.6e-9), 2_ns);
  EXPECT_EQ(Duration::from_seconds(-2.5e-9), Duration::nanoseconds(-3));  // half away from zero
  EXPECT_EQ(Duration::from_seconds(1e300), Duration::max());
  EXPECT_EQ(Duration::from_seconds(std::nan("")), Duration::zero());
  EXPECT_EQ(scale(100_ms, 1.5), 150_ms);
}

TEST(Time, InstantArithmetic) {
  Time t = Time::zero() + 250_ms;
  EXPECT_EQ(t.count_ns(), 250'000'000);
  EXPECT_EQ((t + 1_s) - t, 1_s);
  EXPECT_LT(Time::zero(), t);
  EXPECT_EQ(Time::from_ns(42).since_start(), 42_ns);
  EXPECT_GT(Time::max(), Time::zero() + 100'000_h);
}

// Past +-292 years the clock holds at the end instead of wrapping (signed
// overflow, found by fuzzing a scenario with "timeout_ms": 1e308): a saturated
// duration is "never", and never stays never whatever is added to it.
TEST(Time, ArithmeticSaturatesAtTheEndsInsteadOfOverflowing) {
  const Duration never = Duration::max();
  const Duration least = Duration::nanoseconds(std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(Time::zero() + 1_s + never, Time::max());
  EXPECT_EQ(never + 1_ns, never);
  EXPECT_EQ(-never - 2_ns, least);
  EXPECT_EQ(-least, never);
  EXPECT_EQ((Time::max() - 1_h) + 2_h, Time::max());
  EXPECT_EQ((Time::zero() - never - 1_s).since_start(), least);
  EXPECT_EQ(Time::max() - (Time::zero() - 1_s), never);
  EXPECT_EQ(never * 3, never);
  EXPECT_EQ(-3 * never, least);
  EXPECT_EQ(Duration::seconds(std::int64_t{1} << 62), never);
  EXPECT_EQ(Duration::milliseconds(-(std::int64_t{1} << 62)), least);
  EXPECT_EQ(add_saturating(never.count_ns(), 5), never.count_ns());
  // In range, exact as before.
  EXPECT_EQ((Time::max() - 1_h) + 1_h, Time::max());
  EXPECT_EQ((never - 1_s) + 1_s, never);
  EXPECT_EQ(-never - 1_ns, least);
  EXPECT_EQ(Duration::seconds(9'223'372'036), Duration::nanoseconds(9'223'372'036'000'000'000));
}

TEST(Duration, FormatsExactlyWithLargestFittingUnit) {
  EXPECT_EQ(to_string(Duration::zero()), "0s");
  EXPECT_EQ(to_string(250_ms), "250ms");
  EXPECT_EQ(to_string(1500_ms), "1.5s");
  EXPECT_EQ(to_string(1_s + 1_ns), "1.000000001s");
  EXPECT_EQ(to_string(-(3_us)), "-3us");
  EXPECT_EQ(to_string(12_ns), "12ns");
  EXPECT_EQ(fmt::format("{}", Time::zero() + 2_min), "120s");
  EXPECT_EQ(fmt::format("[{:>8}]", 5_ms), "[     5ms]");
}

}  // namespace
}  // namespace orchsim::sim::time_test
