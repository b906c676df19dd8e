#include "scenarios/distribution_json.hpp"

#include <fmt/format.h>

namespace orchsim::scenarios {

const std::vector<std::string>& distribution_families() {
  static const std::vector<std::string> k = {
      "constant", "uniform",   "exponential", "normal",      "lognormal",     "gamma",  "weibull",
      "pareto",   "bounded_pareto", "bernoulli", "categorical", "empirical", "empirical_cdf",
      "mixture"};
  return k;
}

namespace {

std::vector<double> numbers(const Json* j, const std::string& at, Diagnostics& d) {
  std::vector<double> out;
  if (!j || !j->is_array()) {
    d.error(at, fmt::format("found {}, expected an array of numbers", j ? describe_json(*j) : "nothing"));
    return out;
  }
  for (std::size_t i = 0; i < j->size(); ++i) {
    if (!(*j)[i].is_number()) {
      d.error(pointer_join(at, std::to_string(i)),
              fmt::format("found {}, expected a number", describe_json((*j)[i])));
    } else {
      out.push_back((*j)[i].get<double>());
    }
  }
  return out;
}

sim::Distribution family(const std::string& name, const Json& p, const std::string& at, Diagnostics& d) {
  using sim::Distribution;
  if (name == "constant") {
    if (!p.is_number()) {
      d.error(at, fmt::format("found {}, expected a number", describe_json(p)));
      return Distribution::constant(0);
    }
    return Distribution::constant(p.get<double>());
  }
  if (name == "mixture") {
    if (!p.is_array() || p.empty()) {
      d.error(at, fmt::format("found {}, expected an array of {{\"weight\", \"of\"}} objects", describe_json(p)));
      return Distribution::constant(0);
    }
    std::vector<double> weights;
    std::vector<Distribution> parts;
    for (std::size_t i = 0; i < p.size(); ++i) {
      ObjectReader r(p[i], pointer_join(at, std::to_string(i)), d);
      weights.push_back(r.number("weight", std::nullopt, Range::non_negative()));
      const Json* of = r.child("of");
      if (!of) {
        d.error(r.at("of"), "missing, expected a distribution");
        parts.push_back(Distribution::constant(0));
      } else {
        parts.push_back(read_distribution(*of, r.at("of"), d));
      }
      r.finish();
    }
    return Distribution::mixture(weights, parts);
  }
  ObjectReader r(p, at, d);
  if (!r.valid()) return Distribution::constant(0);
  const auto num = [&r](const char* k, Range range = {}) { return r.number(k, std::nullopt, range); };
  // "found <key> <x>, expected above <other key> (<y>)" at the key that is out of order.
  const auto ordered = [&r, &d](const char* lo_key, double lo, const char* hi_key, double hi,
                                bool strict) {
    if (!r.has(lo_key) || !r.has(hi_key) || (strict ? lo < hi : lo <= hi)) return true;
    d.error(r.at(hi_key), fmt::format("found {} = {}, expected a value {} {} ({})", hi_key, hi,
                                      strict ? "above" : "at least", lo_key, lo));
    return false;
  };
  const std::size_t before = d.items().size();
  Distribution out = Distribution::constant(0);
  try {
    if (name == "uniform") {
      const double lo = num("min"), hi = num("max");
      if (ordered("min", lo, "max", hi, false)) out = Distribution::uniform(lo, hi);
    } else if (name == "exponential") {
      out = Distribution::exponential_mean(num("mean", Range::positive()));
    } else if (name == "normal") {
      const double m = num("mean"), s = num("stddev", Range::positive());
      out = Distribution::normal(m, s);
    } else if (name == "lognormal") {
      if (r.has("median") || r.has("p99")) {
        const double median = num("median", Range::positive()), p99 = num("p99", Range::positive());
        if (ordered("median", median, "p99", p99, true)) {
          out = Distribution::lognormal_from_median_p99(median, p99);
        }
      } else if (r.has("mu") || r.has("sigma")) {
        const double mu = num("mu"), sigma = num("sigma", Range::positive());
        out = Distribution::lognormal(mu, sigma);
      } else {
        const double m = num("mean", Range::positive()), s = num("stddev", Range::positive());
        out = Distribution::lognormal_from_mean_stddev(m, s);
      }
    } else if (name == "gamma") {
      const double k = num("shape", Range::positive()), theta = num("scale", Range::positive());
      out = Distribution::gamma(k, theta);
    } else if (name == "weibull") {
      const double k = num("shape", Range::positive()), lambda = num("scale", Range::positive());
      out = Distribution::weibull(k, lambda);
    } else if (name == "pareto") {
      const double xm = num("scale", Range::positive()), alpha = num("alpha", Range::positive());
      out = Distribution::pareto(xm, alpha);
    } else if (name == "bounded_pareto") {
      const double lo = num("min", Range::positive()), hi = num("max", Range::positive());
      const double alpha = num("alpha", Range::positive());
      if (ordered("min", lo, "max", hi, true)) out = Distribution::bounded_pareto(lo, hi, alpha);
    } else if (name == "bernoulli") {
      out = Distribution::bernoulli(num("p", Range::probability()));
    } else if (name == "categorical") {
      out = Distribution::categorical(numbers(r.child("weights"), r.at("weights"), d));
    } else if (name == "empirical") {
      out = Distribution::empirical_samples(numbers(r.child("samples"), r.at("samples"), d));
    } else if (name == "empirical_cdf") {
      const Json* pts = r.child("points");
      std::vector<std::pair<double, double>> points;
      if (!pts || !pts->is_array()) {
        d.error(r.at("points"), "expected an array of [x, F(x)] pairs");
      } else {
        for (std::size_t i = 0; i < pts->size(); ++i) {
          const Json& pt = (*pts)[i];
          if (!pt.is_array() || pt.size() != 2 || !pt[0].is_number() || !pt[1].is_number()) {
            d.error(pointer_join(r.at("points"), std::to_string(i)),
                    fmt::format("found {}, expected [x, F(x)]", describe_json(pt)));
          } else {
            points.emplace_back(pt[0].get<double>(), pt[1].get<double>());
          }
        }
      }
      out = Distribution::empirical_cdf(points);
    }
  } catch (const std::invalid_argument& e) {
    // Parameters each valid alone but not together; when a parameter was
    // already reported, the exception only repeats it.
    if (d.items().size() == before) d.error(at, fmt::format("invalid parameters: {}", e.what()));
    out = Distribution::constant(0);
  }
  r.finish();  // unknown parameter keys, with a did-you-mean, even when the values were bad
  return out;
}

}  // namespace

sim::Distribution read_distribution(const Json& j, const std::string& pointer, Diagnostics& d) {
  if (j.is_number()) return sim::Distribution::constant(j.get<double>());  // shorthand
  ObjectReader r(j, pointer, d);
  if (!r.valid()) return sim::Distribution::constant(0);
  std::string found;
  for (const std::string& f : distribution_families()) {
    if (r.has(f)) {
      if (!found.empty()) {
        d.error(pointer, fmt::format("found both \"{}\" and \"{}\", expected exactly one family", found, f));
      }
      found = f;
    }
  }
  if (found.empty()) {
    std::string list;
    for (const auto& f : distribution_families()) list += (list.empty() ? "" : ", ") + f;
    std::string near;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() != "shift" && it.key() != "truncate") near = closest_match(it.key(), distribution_families());
    }
    d.error(pointer, fmt::format("found no distribution family, expected one of: {}", list),
            near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
    return sim::Distribution::constant(0);
  }
  const std::size_t before = d.items().size();
  sim::Distribution out = sim::Distribution::constant(0);
  try {
    out = family(found, *r.child(found), r.at(found), d);
  } catch (const std::invalid_argument& e) {  // mixture weights, and the like
    if (d.items().size() == before) d.error(r.at(found), fmt::format("invalid parameters: {}", e.what()));
  }
  const bool family_ok = d.items().size() == before;
  const double shift = r.number("shift", 0.0);
  if (shift != 0.0 && family_ok) out = out.shifted(shift);
  if (const Json* t = r.child("truncate")) {
    if (!t->is_array() || t->size() != 2 || !(*t)[0].is_number() || !(*t)[1].is_number()) {
      d.error(r.at("truncate"), fmt::format("found {}, expected [min, max]", describe_json(*t)));
    } else if (!((*t)[0].get<double>() <= (*t)[1].get<double>())) {
      d.error(r.at("truncate"), fmt::format("found {}, expected [min, max] with min <= max", t->dump()));
    } else if (family_ok) {
      try {
        out = out.truncated((*t)[0].get<double>(), (*t)[1].get<double>());
      } catch (const std::invalid_argument& e) {
        d.error(r.at("truncate"), fmt::format("found {}, expected an interval with probability > 0 ({})",
                                              t->dump(), e.what()));
      }
    }
  }
  r.finish();
  return out;
}

}  // namespace orchsim::scenarios
