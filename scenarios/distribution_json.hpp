// Distributions in scenario files: an object with exactly one family key,
// plus optional "shift" and "truncate" modifiers.
//
//   {"constant": 120}
//   {"uniform": {"min": 10, "max": 50}}
//   {"exponential": {"mean": 200}}
//   {"normal": {"mean": 500, "stddev": 100}, "truncate": [0, 2000]}
//   {"lognormal": {"median": 120, "p99": 900}}      // or {"mu", "sigma"} or {"mean", "stddev"}
//   {"gamma": {"shape": 2, "scale": 50}}
//   {"weibull": {"shape": 1.5, "scale": 100}}
//   {"pareto": {"scale": 10, "alpha": 2.5}}
//   {"bounded_pareto": {"min": 10, "max": 10000, "alpha": 1.2}}
//   {"bernoulli": {"p": 0.1}}
//   {"categorical": {"weights": [1, 2, 3]}}
//   {"empirical": {"samples": [12, 15, 40]}}
//   {"empirical_cdf": {"points": [[0, 0], [100, 0.9], [1000, 1]]}}
//   {"mixture": [{"weight": 0.9, "of": {...}}, {"weight": 0.1, "of": {...}}]}
//
// The families with named parameters are declared once, in a table in
// distribution_json.cpp that both the reader and the schema use.
#pragma once

#include <string>
#include <vector>

#include "scenarios/json_reader.hpp"
#include "scenarios/schema_builder.hpp"
#include "sim/distribution.hpp"

namespace orchsim::scenarios {

// Reads a distribution at `pointer`; on problems reports them and returns constant(0).
sim::Distribution read_distribution(const Json& j, const std::string& pointer, Diagnostics& d);

// The family names accepted, in the order messages list them.
const std::vector<std::string>& distribution_families();

// {"$ref": "#/$defs/distribution"}, defining it on first use.
Json distribution_schema(SchemaBuilder& b);

}  // namespace orchsim::scenarios
