#include "eval/search_space.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "eval/sweep.hpp"

namespace orchsim::eval {
namespace {

std::optional<double> parse_number(std::string_view s) {
  double v = 0.0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

Status bad_parameter(const std::string& spec, std::string_view why) {
  return Status::bad_input(fmt::format(
      "--param '{}': {}; expected /json/pointer=lo..hi, log:lo..hi, int:lo..hi or v1,v2,...", spec,
      why));
}

// "lo..hi" after an optional "log:" or "int:" prefix, into p.
Status parse_range(const std::string& spec, std::string_view range, SearchParameter& p) {
  const std::size_t dots = range.find("..");
  const auto lo = parse_number(range.substr(0, dots));
  const auto hi = parse_number(range.substr(dots + 2));
  if (!lo || !hi) return bad_parameter(spec, "the range's ends are not numbers");
  if (!(*lo < *hi))
    return bad_parameter(spec, fmt::format("found {} .. {}, need lo < hi", *lo, *hi));
  if (p.kind == SearchParameter::Kind::kLogReal && *lo <= 0)
    return bad_parameter(spec, "a log range needs lo > 0");
  if (p.kind == SearchParameter::Kind::kInteger &&
      (*lo != std::floor(*lo) || *hi != std::floor(*hi) || std::fabs(*lo) > 1e15 ||
       std::fabs(*hi) > 1e15)) {
    return bad_parameter(spec, "an int range needs integer ends (at most 1e15)");
  }
  p.lo = *lo;
  p.hi = *hi;
  return {};
}

}  // namespace

StatusOr<SearchParameter> parse_search_parameter(const std::string& spec) {
  const std::size_t eq = spec.find('=');
  if (spec.empty() || spec[0] != '/' || eq == std::string::npos || eq + 1 == spec.size())
    return bad_parameter(spec, "no /json/pointer=...");
  SearchParameter p;
  p.pointer = spec.substr(0, eq);
  std::string_view rest(spec);
  rest.remove_prefix(eq + 1);
  if (rest.starts_with("log:")) {
    p.kind = SearchParameter::Kind::kLogReal;
    rest.remove_prefix(4);
  } else if (rest.starts_with("int:")) {
    p.kind = SearchParameter::Kind::kInteger;
    rest.remove_prefix(4);
  }
  const bool is_range = rest.find("..") != std::string_view::npos && rest.front() != '"' &&
                        rest.front() != '[' && rest.front() != '{';
  if (is_range) {
    Status st = parse_range(spec, rest, p);
    if (!st.ok()) return st;
    return p;
  }
  if (p.kind != SearchParameter::Kind::kReal)
    return bad_parameter(spec, "log: and int: take a range lo..hi");
  p.kind = SearchParameter::Kind::kCategorical;
  p.choices = split_top_level(std::string(rest));
  for (const std::string& c : p.choices) {
    if (c.empty()) return bad_parameter(spec, "an empty choice");
  }
  if (p.choices.size() < 2) return bad_parameter(spec, "a categorical parameter needs 2+ choices");
  return p;
}

std::string value_text(const SearchParameter& p, double u) {
  using Kind = SearchParameter::Kind;
  switch (p.kind) {
    case Kind::kCategorical: {
      const auto i =
          std::min<std::size_t>(static_cast<std::size_t>(std::max(0.0, u)), p.choices.size() - 1);
      return p.choices[i];
    }
    case Kind::kInteger: {
      // [lo, hi + 1) cut into equal cells, so every integer is equally likely.
      const double v = std::floor(p.lo + std::clamp(u, 0.0, 1.0) * (p.hi - p.lo + 1.0));
      return fmt::format("{}", static_cast<long long>(std::min(v, p.hi)));
    }
    case Kind::kLogReal: {
      const double v =
          std::exp(std::log(p.lo) + std::clamp(u, 0.0, 1.0) * (std::log(p.hi) - std::log(p.lo)));
      return fmt::format("{:.6g}", std::clamp(v, p.lo, p.hi));
    }
    case Kind::kReal:
      break;
  }
  return fmt::format("{:.6g}", p.lo + std::clamp(u, 0.0, 1.0) * (p.hi - p.lo));
}

std::vector<std::pair<std::string, std::string>> point_overrides(
    const std::vector<SearchParameter>& space, const std::vector<double>& point) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(space.size());
  for (std::size_t i = 0; i < space.size(); ++i)
    out.emplace_back(space[i].pointer, value_text(space[i], point[i]));
  return out;
}

std::string describe(const SearchParameter& p) {
  using Kind = SearchParameter::Kind;
  switch (p.kind) {
    case Kind::kCategorical:
      return fmt::format("one of {}", fmt::join(p.choices, ", "));
    case Kind::kInteger:
      return fmt::format("integer in [{}, {}]", p.lo, p.hi);
    case Kind::kLogReal:
      return fmt::format("log-uniform in [{}, {}]", p.lo, p.hi);
    case Kind::kReal:
      break;
  }
  return fmt::format("real in [{}, {}]", p.lo, p.hi);
}

StatusOr<SearchConstraint> parse_search_constraint(const std::string& spec) {
  SearchConstraint c;
  std::size_t op = spec.find("<=");
  if (op == std::string::npos) {
    op = spec.find(">=");
    c.at_most = false;
  }
  const auto bound =
      op == std::string::npos ? std::nullopt : parse_number(std::string_view(spec).substr(op + 2));
  if (op == std::string::npos || op == 0 || !bound) {
    return Status::bad_input(
        fmt::format("--constraint '{}': expected METRIC<=NUMBER or METRIC>=NUMBER "
                    "(e.g. latency_ms.all.p99<=8000)",
                    spec));
  }
  c.metric = spec.substr(0, op);
  c.bound = *bound;
  return c;
}

std::string describe(const SearchConstraint& c) {
  return fmt::format("{} {} {}", c.metric, c.at_most ? "<=" : ">=", c.bound);
}

double violation(const SearchConstraint& c, double value) {
  if (std::isnan(value)) return std::numeric_limits<double>::infinity();
  const double over = c.at_most ? value - c.bound : c.bound - value;
  return over <= 0 ? 0.0 : over / std::max(std::fabs(c.bound), 1e-12);
}

}  // namespace orchsim::eval
