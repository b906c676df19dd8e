#include "scenarios/arrival_process.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <stdexcept>

namespace orchsim::scenarios {

namespace {

sim::Duration exponential(sim::RandomStream& s, double rate_per_second) {
  return sim::Duration::from_seconds(s.standard_exponential() / rate_per_second);
}

// t + d, saturating at Time::max() (d >= 0). A draw from a tiny rate can exceed the ~292 years
// that Time holds; plain addition would overflow into a negative instant.
sim::Time later(sim::Time t, sim::Duration d) {
  return d >= sim::Time::max() - t ? sim::Time::max() : t + d;
}

// Time::max() stands for "never": no arrival is representable there.
std::optional<sim::Time> unless_never(sim::Time t) {
  if (t == sim::Time::max()) return std::nullopt;
  return t;
}

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}

class Poisson final : public ArrivalProcess {
 public:
  explicit Poisson(double rate) : rate_(rate) {}
  std::optional<sim::Time> next(sim::Time after, sim::RandomStream& s) override {
    return unless_never(later(after, exponential(s, rate_)));
  }
  double mean_rate_per_second() const override { return rate_; }

 private:
  double rate_;
};

class Deterministic final : public ArrivalProcess {
 public:
  explicit Deterministic(sim::Duration interval) : interval_(interval) {}
  std::optional<sim::Time> next(sim::Time after, sim::RandomStream&) override {
    return unless_never(later(after, interval_));
  }
  double mean_rate_per_second() const override { return 1.0 / interval_.seconds_f(); }

 private:
  sim::Duration interval_;
};

class OnOff final : public ArrivalProcess {
 public:
  explicit OnOff(const OnOffArrivals& c) : c_(c) {}
  std::optional<sim::Time> next(sim::Time after, sim::RandomStream& s) override {
    if (!started_) {
      started_ = true;
      switch_at_ = later(after, exponential(s, 1.0 / c_.mean_on.seconds_f()));
    }
    sim::Time t = after;
    for (;;) {
      const double rate = on_ ? c_.on_rate_per_second : c_.off_rate_per_second;
      // Memoryless: a candidate past the switch is discarded and redrawn there.
      if (rate > 0.0) {
        const sim::Time candidate = later(t, exponential(s, rate));
        if (candidate < switch_at_) return candidate;
      }
      if (switch_at_ == sim::Time::max()) return std::nullopt;
      t = switch_at_;
      on_ = !on_;
      switch_at_ = later(t, exponential(s, 1.0 / (on_ ? c_.mean_on : c_.mean_off).seconds_f()));
    }
  }
  double mean_rate_per_second() const override {
    const double on = c_.mean_on.seconds_f(), off = c_.mean_off.seconds_f();
    return (on * c_.on_rate_per_second + off * c_.off_rate_per_second) / (on + off);
  }

 private:
  OnOffArrivals c_;
  bool started_ = false;
  bool on_ = true;
  sim::Time switch_at_;
};

// Lewis-Shedler thinning against a constant bound on the rate.
class Thinned : public ArrivalProcess {
 public:
  std::optional<sim::Time> next(sim::Time after, sim::RandomStream& s) override {
    sim::Time t = after;
    for (;;) {
      t = later(t, exponential(s, max_rate_));
      // Past the point where the rate stays zero for good, no candidate can be accepted:
      // stop rather than draw forever.
      if (t == sim::Time::max() || zero_from(t.since_start())) return std::nullopt;
      if (s.uniform01() * max_rate_ < rate_at(t.since_start())) return t;
    }
  }

 protected:
  virtual double rate_at(sim::Duration t) const = 0;
  // True if the rate is zero at t and at every later instant.
  virtual bool zero_from(sim::Duration t) const = 0;
  double max_rate_ = 0.0;
};

class PiecewiseLinear final : public Thinned {
 public:
  explicit PiecewiseLinear(PiecewiseLinearArrivals c) : c_(std::move(c)) {
    for (const auto& p : c_.points) max_rate_ = std::max(max_rate_, p.second);
  }
  double rate_at(sim::Duration t) const override {
    const auto& p = c_.points;
    if (t <= p.front().first) return p.front().second;
    if (t >= p.back().first) return p.back().second;
    const auto hi = std::upper_bound(p.begin(), p.end(), t,
                                     [](sim::Duration x, const auto& pt) { return x < pt.first; });
    const auto lo = hi - 1;
    const double f = (t - lo->first).seconds_f() / (hi->first - lo->first).seconds_f();
    return lo->second + f * (hi->second - lo->second);
  }
  bool zero_from(sim::Duration t) const override {
    return t >= c_.points.back().first && c_.points.back().second == 0.0;
  }
  double mean_rate_per_second() const override {
    // Over the span of the points (the rate is constant outside it).
    const auto& p = c_.points;
    if (p.size() == 1 || p.back().first == p.front().first) return p.front().second;
    double area = 0.0;
    for (std::size_t i = 1; i < p.size(); ++i) {
      area += 0.5 * (p[i].second + p[i - 1].second) * (p[i].first - p[i - 1].first).seconds_f();
    }
    return area / (p.back().first - p.front().first).seconds_f();
  }

 private:
  PiecewiseLinearArrivals c_;
};

class Diurnal final : public Thinned {
 public:
  explicit Diurnal(const DiurnalArrivals& c) : c_(c) {
    max_rate_ = c_.mean_rate_per_second * (1.0 + c_.amplitude);
  }
  double rate_at(sim::Duration t) const override {
    const double angle = 2.0 * std::numbers::pi * t.seconds_f() / c_.period.seconds_f();
    return c_.mean_rate_per_second * (1.0 + c_.amplitude * std::sin(angle + c_.phase_radians));
  }
  bool zero_from(sim::Duration) const override { return false; }
  double mean_rate_per_second() const override { return c_.mean_rate_per_second; }

 private:
  DiurnalArrivals c_;
};

class Replay final : public ArrivalProcess {
 public:
  explicit Replay(ReplayArrivals c) : c_(std::move(c)) {}
  std::optional<sim::Time> next(sim::Time, sim::RandomStream&) override {
    if (i_ >= c_.offsets.size()) return std::nullopt;
    return sim::Time::zero() + c_.offsets[i_++];
  }
  double mean_rate_per_second() const override {
    if (c_.offsets.size() < 2) return 0.0;
    const double span = (c_.offsets.back() - c_.offsets.front()).seconds_f();
    return span > 0 ? static_cast<double>(c_.offsets.size() - 1) / span : 0.0;
  }

 private:
  ReplayArrivals c_;
  std::size_t i_ = 0;
};

bool positive_finite(double x) { return x > 0.0 && std::isfinite(x); }

}  // namespace

std::unique_ptr<ArrivalProcess> make_arrival_process(const ArrivalSpec& spec) {
  struct Build {
    std::unique_ptr<ArrivalProcess> operator()(const PoissonArrivals& c) const {
      require(positive_finite(c.rate_per_second),
              fmt::format("poisson: rate_per_second ({}) must be > 0", c.rate_per_second));
      return std::make_unique<Poisson>(c.rate_per_second);
    }
    std::unique_ptr<ArrivalProcess> operator()(const DeterministicArrivals& c) const {
      require(c.interval > sim::Duration::zero(),
              fmt::format("deterministic: interval ({}) must be > 0", c.interval));
      return std::make_unique<Deterministic>(c.interval);
    }
    std::unique_ptr<ArrivalProcess> operator()(const OnOffArrivals& c) const {
      require(positive_finite(c.on_rate_per_second),
              fmt::format("on_off: on_rate_per_second ({}) must be > 0", c.on_rate_per_second));
      require(c.off_rate_per_second >= 0 && std::isfinite(c.off_rate_per_second),
              fmt::format("on_off: off_rate_per_second ({}) must be >= 0", c.off_rate_per_second));
      require(c.mean_on > sim::Duration::zero(),
              fmt::format("on_off: mean_on ({}) must be > 0", c.mean_on));
      require(c.mean_off > sim::Duration::zero(),
              fmt::format("on_off: mean_off ({}) must be > 0", c.mean_off));
      return std::make_unique<OnOff>(c);
    }
    std::unique_ptr<ArrivalProcess> operator()(const PiecewiseLinearArrivals& c) const {
      require(!c.points.empty(),
              "piecewise_linear: points is empty, needs at least one (time, rate) point");
      double max_rate = 0.0;
      for (std::size_t i = 0; i < c.points.size(); ++i) {
        const auto& [t, rate] = c.points[i];
        require(rate >= 0 && std::isfinite(rate),
                fmt::format("piecewise_linear: points[{}].rate ({}) must be >= 0", i, rate));
        require(i == 0 || c.points[i - 1].first < t,
                fmt::format("piecewise_linear: points[{}] is not after points[{}]", i, i - 1));
        max_rate = std::max(max_rate, rate);
      }
      require(max_rate > 0, "piecewise_linear: at least one rate must be > 0");
      return std::make_unique<PiecewiseLinear>(c);
    }
    std::unique_ptr<ArrivalProcess> operator()(const DiurnalArrivals& c) const {
      require(
          positive_finite(c.mean_rate_per_second),
          fmt::format("diurnal: mean_rate_per_second ({}) must be > 0", c.mean_rate_per_second));
      require(c.amplitude >= 0 && c.amplitude <= 1,
              fmt::format("diurnal: amplitude ({}) must be in [0, 1]", c.amplitude));
      require(c.period > sim::Duration::zero(),
              fmt::format("diurnal: period ({}) must be > 0", c.period));
      require(std::isfinite(c.phase_radians),
              fmt::format("diurnal: phase_radians ({}) must be finite", c.phase_radians));
      return std::make_unique<Diurnal>(c);
    }
    std::unique_ptr<ArrivalProcess> operator()(const ReplayArrivals& c) const {
      for (std::size_t i = 0; i < c.offsets.size(); ++i) {
        require(
            c.offsets[i] >= sim::Duration::zero() && (i == 0 || c.offsets[i - 1] <= c.offsets[i]),
            fmt::format("replay {}: offsets must be >= 0 and non-decreasing (entry {})", c.source,
                        i));
      }
      return std::make_unique<Replay>(c);
    }
  };
  return std::visit(Build{}, spec);
}

ReplayArrivals load_replay_csv(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    throw std::runtime_error(
        fmt::format("{}: not a regular file, expected a CSV file of arrival offsets", path));
  }
  std::ifstream in(path);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open for reading", path));
  return parse_replay_csv(in, path);
}

ReplayArrivals parse_replay_csv(std::istream& in, const std::string& path) {
  ReplayArrivals out;
  out.source = path;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    const std::string field = line.substr(first, line.find_last_not_of(" \t,") - first + 1);
    if (field == "arrival_ms" && out.offsets.empty()) continue;  // header
    // std::from_chars, not std::stod: strtod follows the C locale, which a GUI may have set to
    // one whose decimal separator is ','. A leading '+' is accepted like strtod did.
    double ms = 0;
    const char* begin = field.data();
    const char* end = field.data() + field.size();
    if (begin != end && *begin == '+') ++begin;
    const auto [stop, ec] = std::from_chars(begin, end, ms);
    if (ec != std::errc() || stop != end || begin == end || !std::isfinite(ms)) {
      throw std::runtime_error(
          fmt::format("{}:{}: found '{}', expected a number of milliseconds (one per line)", path,
                      line_number, field));
    }
    if (ms < 0) {
      throw std::runtime_error(
          fmt::format("{}:{}: found {}, expected a non-negative offset", path, line_number, ms));
    }
    // Offsets become int64 nanoseconds: beyond 292 years they would saturate.
    if (ms > 9.2e12) {
      throw std::runtime_error(fmt::format(
          "{}:{}: found {} ms, expected at most 9.2e12 ms (the simulator's time ends 292 years in)",
          path, line_number, ms));
    }
    const sim::Duration offset = sim::Duration::from_milliseconds(ms);
    if (!out.offsets.empty() && offset < out.offsets.back()) {
      throw std::runtime_error(fmt::format(
          "{}:{}: found {} ms, expected a value >= the previous row ({} ms): arrivals must be "
          "sorted",
          path, line_number, ms, out.offsets.back().milliseconds_f()));
    }
    out.offsets.push_back(offset);
  }
  return out;
}

}  // namespace orchsim::scenarios
