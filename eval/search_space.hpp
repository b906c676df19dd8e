// What `orchsim search` explores and what it aims at: parameters named by JSON
// pointers with their ranges, one objective over a report metric, and
// constraints over others.
//
// A point of the space is a vector of unit coordinates, one per parameter:
// u ∈ [0, 1] for a numeric parameter (mapped linearly, or on a log scale),
// and the index of the choice for a categorical one. The search's model works
// on these coordinates; value_text() turns one into the override a scenario
// takes (/pointer=value).
//
//   SearchParameter p =
//   parse_search_parameter("/workflow/nodes/0/hedge/delay_ms=log:200..8000").value(); value_text(p,
//   0.5)   // "1264.91": the geometric middle SearchGoal goal{"quality.mean", /*maximize=*/true};
//   SearchConstraint c = parse_search_constraint("per_request.cost_usd<=0.01").value();
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "eval/status.hpp"

namespace orchsim::eval {

struct SearchParameter {
  enum class Kind {
    kReal,         // /ptr=lo..hi          uniform in [lo, hi]
    kLogReal,      // /ptr=log:lo..hi      uniform in log between lo > 0 and hi
    kInteger,      // /ptr=int:lo..hi      each integer of [lo, hi] equally likely
    kCategorical,  // /ptr=a,b,c           one of the values (the grid's list syntax)
  };
  std::string pointer;
  Kind kind = Kind::kReal;
  double lo = 0.0, hi = 1.0;         // numeric kinds
  std::vector<std::string> choices;  // kCategorical: override values, as --set takes them

  bool categorical() const { return kind == Kind::kCategorical; }
  // Categorical: the number of choices; numeric: 0.
  std::size_t cardinality() const { return categorical() ? choices.size() : 0; }
};

// "/pointer=SPEC" with SPEC one of lo..hi, log:lo..hi, int:lo..hi or v1,v2,...
// A bad-input Status names the spec and what was expected.
StatusOr<SearchParameter> parse_search_parameter(const std::string& spec);

// The parameter's value at unit coordinate u (a choice index for categorical):
// reals with 6 significant digits, integers in decimal, choices as written.
// The text is what the scenario gets, so two coordinates with the same text
// are the same configuration.
std::string value_text(const SearchParameter& p, double u);
// The overrides of one point (pointer, value_text) in parameter order.
std::vector<std::pair<std::string, std::string>> point_overrides(
    const std::vector<SearchParameter>& space, const std::vector<double>& point);

// "lo..hi" and friends back, for reports: "real [0.2, 0.9]", "int [1, 5]", ...
std::string describe(const SearchParameter& p);

struct SearchGoal {
  std::string metric;  // a report metric, as sweep/baseline name them: "quality.mean"
  bool maximize = true;
};

struct SearchConstraint {
  std::string metric;
  bool at_most = true;  // metric <= bound; false: metric >= bound
  double bound = 0.0;
};

// "metric<=bound" or "metric>=bound"; a bad-input Status otherwise.
StatusOr<SearchConstraint> parse_search_constraint(const std::string& spec);
std::string describe(const SearchConstraint& c);  // "per_request.cost_usd <= 0.01"

// How far a value is outside the constraint, relative to the bound's size
// (0 when satisfied): (value − bound) / max(|bound|, 1e-12) for <=. A missing
// value (NaN) violates by +infinity.
double violation(const SearchConstraint& c, double value);

}  // namespace orchsim::eval
