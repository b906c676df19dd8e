// Simulated time: integer nanoseconds, never floating point.
//
// `Duration` is a signed span, `Time` is an instant since the start of a run.
// Both wrap a signed 64-bit count of nanoseconds (±292 years), so arithmetic
// is exact and identical on every machine and build type.
//
//   using namespace orchsim::sim::literals;
//   sim::Time t = sim::Time::zero() + 250_ms;
//   sim::Duration d = 2 * 1_s - 5_us;
//   fmt::print("{} after {}\n", t, d);            // "0.25s after 1.999995s"
//   double ms = d.milliseconds();                 // for reports only
//
// Converting from a floating-point draw (a sampled latency) goes through
// `Duration::from_seconds` / `from_milliseconds`, which round to the nearest
// nanosecond, so a run's clock itself never holds a fraction.
//
// Arithmetic saturates at the ends of int64 instead of overflowing: a
// timeout of 1e308 ms is "never", and `now + never` stays never (Time::max(),
// after every event a run executes) rather than wrapping to a time in the
// past. The cost is an untaken jump on the overflow flag: +0.8% instructions
// on the M/M/1 run (docs/performance.md).
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <string>

namespace orchsim::sim {

namespace detail {
// a + b, a - b, a * b in int64; where the exact result is outside int64, the
// end it passed (INT64_MAX or INT64_MIN). The common case is one instruction
// and an untaken jump.
constexpr std::int64_t kNsMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kNsMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t add_ns(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) [[unlikely]]
    return b > 0 ? kNsMax : kNsMin;
  return r;
}
constexpr std::int64_t sub_ns(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) [[unlikely]]
    return b < 0 ? kNsMax : kNsMin;
  return r;
}
constexpr std::int64_t mul_ns(std::int64_t a, std::int64_t k) {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, k, &r)) [[unlikely]]
    return (a < 0) != (k < 0) ? kNsMin : kNsMax;
  return r;
}
}  // namespace detail

// a + b held within int64: for sums of nanoseconds over many calls.
constexpr std::int64_t add_saturating(std::int64_t a, std::int64_t b) {
  return detail::add_ns(a, b);
}

class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration nanoseconds(std::int64_t n) { return Duration(n); }
  static constexpr Duration microseconds(std::int64_t n) {
    return Duration(detail::mul_ns(n, 1'000));
  }
  static constexpr Duration milliseconds(std::int64_t n) {
    return Duration(detail::mul_ns(n, 1'000'000));
  }
  static constexpr Duration seconds(std::int64_t n) {
    return Duration(detail::mul_ns(n, 1'000'000'000));
  }
  static constexpr Duration zero() { return Duration(0); }
  static constexpr Duration max() { return Duration(std::numeric_limits<std::int64_t>::max()); }

  // Rounds to the nearest nanosecond (half away from zero) and saturates at
  // +-max(); NaN becomes zero. For turning sampled values into simulated time.
  static Duration from_seconds(double s);
  static Duration from_milliseconds(double ms) { return from_seconds(ms * 1e-3); }

  constexpr std::int64_t count_ns() const { return ns_; }
  constexpr double seconds_f() const { return static_cast<double>(ns_) * 1e-9; }
  constexpr double milliseconds_f() const { return static_cast<double>(ns_) * 1e-6; }
  constexpr double microseconds_f() const { return static_cast<double>(ns_) * 1e-3; }

  // Saturating (see the top of this file): -INT64_MIN is INT64_MAX.
  constexpr Duration operator-() const { return Duration(detail::sub_ns(0, ns_)); }
  constexpr Duration& operator+=(Duration o) {
    ns_ = detail::add_ns(ns_, o.ns_);
    return *this;
  }
  constexpr Duration& operator-=(Duration o) {
    ns_ = detail::sub_ns(ns_, o.ns_);
    return *this;
  }
  constexpr Duration& operator*=(std::int64_t k) {
    ns_ = detail::mul_ns(ns_, k);
    return *this;
  }
  friend constexpr Duration operator+(Duration a, Duration b) { return a += b; }
  friend constexpr Duration operator-(Duration a, Duration b) { return a -= b; }
  friend constexpr Duration operator*(Duration a, std::int64_t k) { return a *= k; }
  friend constexpr Duration operator*(std::int64_t k, Duration a) { return a *= k; }
  // Integer division truncates toward zero, like std::chrono.
  friend constexpr Duration operator/(Duration a, std::int64_t k) { return Duration(a.ns_ / k); }
  friend constexpr std::int64_t operator/(Duration a, Duration b) { return a.ns_ / b.ns_; }
  friend constexpr Duration operator%(Duration a, Duration b) { return Duration(a.ns_ % b.ns_); }
  friend constexpr auto operator<=>(Duration, Duration) = default;

 private:
  constexpr explicit Duration(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

// Scales a duration by a real factor (a slowdown multiplier), rounding to the
// nearest nanosecond and saturating like `Duration::from_seconds`.
Duration scale(Duration d, double factor);

class Time {
 public:
  constexpr Time() = default;
  static constexpr Time zero() { return Time(); }
  static constexpr Time max() { return Time() + Duration::max(); }
  static constexpr Time from_ns(std::int64_t ns) { return Time() + Duration::nanoseconds(ns); }

  constexpr Duration since_start() const { return since_start_; }
  constexpr std::int64_t count_ns() const { return since_start_.count_ns(); }
  constexpr double seconds_f() const { return since_start_.seconds_f(); }

  constexpr Time& operator+=(Duration d) {
    since_start_ += d;
    return *this;
  }
  constexpr Time& operator-=(Duration d) {
    since_start_ -= d;
    return *this;
  }
  friend constexpr Time operator+(Time t, Duration d) { return t += d; }
  friend constexpr Time operator+(Duration d, Time t) { return t += d; }
  friend constexpr Time operator-(Time t, Duration d) { return t -= d; }
  friend constexpr Duration operator-(Time a, Time b) { return a.since_start_ - b.since_start_; }
  friend constexpr auto operator<=>(Time, Time) = default;

 private:
  Duration since_start_;
};

// Shortest exact decimal form with a unit: "0s", "250ms", "1.5s", "-3us", "12ns".
// Uses the largest unit not above the magnitude and prints the remainder as an
// exact decimal fraction, so the text round-trips and never hides nanoseconds.
std::string to_string(Duration d);
inline std::string to_string(Time t) { return to_string(t.since_start()); }

inline namespace literals {
constexpr Duration operator""_ns(unsigned long long n) {
  return Duration::nanoseconds(static_cast<std::int64_t>(n));
}
constexpr Duration operator""_us(unsigned long long n) {
  return Duration::microseconds(static_cast<std::int64_t>(n));
}
constexpr Duration operator""_ms(unsigned long long n) {
  return Duration::milliseconds(static_cast<std::int64_t>(n));
}
constexpr Duration operator""_s(unsigned long long n) {
  return Duration::seconds(static_cast<std::int64_t>(n));
}
constexpr Duration operator""_min(unsigned long long n) {
  return Duration::seconds(60 * static_cast<std::int64_t>(n));
}
constexpr Duration operator""_h(unsigned long long n) {
  return Duration::seconds(3600 * static_cast<std::int64_t>(n));
}
}  // namespace literals

}  // namespace orchsim::sim

template <>
struct fmt::formatter<orchsim::sim::Duration> : fmt::formatter<std::string> {
  auto format(orchsim::sim::Duration d, format_context& ctx) const {
    return fmt::formatter<std::string>::format(orchsim::sim::to_string(d), ctx);
  }
};
template <>
struct fmt::formatter<orchsim::sim::Time> : fmt::formatter<std::string> {
  auto format(orchsim::sim::Time t, format_context& ctx) const {
    return fmt::formatter<std::string>::format(orchsim::sim::to_string(t), ctx);
  }
};
