#include "scenarios/distribution_json.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "scenarios/fields.hpp"

namespace orchsim::scenarios {

namespace {

using sim::Distribution;

// A family's parameters and how they make a distribution. Most families have
// one form; lognormal has three (median + p99, mu + sigma, mean + stddev),
// told apart by which keys are present.
struct Param {
  enum class Kind : std::uint8_t { kNumber, kNumbers, kPoints };
  const char* key;
  Kind kind;
  Range range;  // a number's, or a list's items'
  const char* doc;
};
struct Values {
  std::vector<double> x;  // the kNumber parameters, in order
  std::vector<double> list;
  std::vector<std::pair<double, double>> points;
};
struct Form {
  std::vector<Param> params;
  Distribution (*build)(const Values&);
  // A pair of parameters that must be ordered: lo < hi (strict) or lo <= hi.
  const char* lo = nullptr;
  const char* hi = nullptr;
  bool strict = false;
};
struct Family {
  const char* name;
  const char* doc;
  std::vector<Form> forms;
};

constexpr auto kNumber = Param::Kind::kNumber;
const Range kAny{};
const Range kPositive = Range::positive();

const std::vector<Family>& families() {
  static const std::vector<Family> f = {
      {"uniform",
       "Uniform on [min, max].",
       {{{{"min", kNumber, kAny, "Lower bound."}, {"max", kNumber, kAny, "Upper bound (>= min)."}},
         [](const Values& v) { return Distribution::uniform(v.x[0], v.x[1]); },
         "min",
         "max"}}},
      {"exponential",
       "Exponential with the given mean.",
       {{{{"mean", kNumber, kPositive, "Mean."}},
         [](const Values& v) { return Distribution::exponential_mean(v.x[0]); }}}},
      {"normal",
       "Normal (Gaussian).",
       {{{{"mean", kNumber, kAny, "Mean."}, {"stddev", kNumber, kPositive, "Standard deviation."}},
         [](const Values& v) { return Distribution::normal(v.x[0], v.x[1]); }}}},
      {"lognormal",
       "Log-normal, by median and 99th percentile, by mu and sigma of the logarithm, or by mean "
       "and standard deviation.",
       {{{{"median", kNumber, kPositive, "Median."},
          {"p99", kNumber, kPositive, "99th percentile (> median)."}},
         [](const Values& v) { return Distribution::lognormal_from_median_p99(v.x[0], v.x[1]); },
         "median",
         "p99",
         true},
        {{{"mu", kNumber, kAny, "Mean of the logarithm."},
          {"sigma", kNumber, kPositive, "Standard deviation of the logarithm."}},
         [](const Values& v) { return Distribution::lognormal(v.x[0], v.x[1]); }},
        {{{"mean", kNumber, kPositive, "Mean."},
          {"stddev", kNumber, kPositive, "Standard deviation."}},
         [](const Values& v) {
           return Distribution::lognormal_from_mean_stddev(v.x[0], v.x[1]);
         }}}},
      {"gamma",
       "Gamma.",
       {{{{"shape", kNumber, kPositive, "Shape k."}, {"scale", kNumber, kPositive, "Scale theta."}},
         [](const Values& v) { return Distribution::gamma(v.x[0], v.x[1]); }}}},
      {"weibull",
       "Weibull.",
       {{{{"shape", kNumber, kPositive, "Shape k."},
          {"scale", kNumber, kPositive, "Scale lambda."}},
         [](const Values& v) { return Distribution::weibull(v.x[0], v.x[1]); }}}},
      {"pareto",
       "Pareto.",
       {{{{"scale", kNumber, kPositive, "Minimum x_m."},
          {"alpha", kNumber, kPositive, "Tail index."}},
         [](const Values& v) { return Distribution::pareto(v.x[0], v.x[1]); }}}},
      {"bounded_pareto",
       "Pareto bounded to [min, max].",
       {{{{"min", kNumber, kPositive, "Lower bound."},
          {"max", kNumber, kPositive, "Upper bound (> min)."},
          {"alpha", kNumber, kPositive, "Tail index."}},
         [](const Values& v) { return Distribution::bounded_pareto(v.x[0], v.x[1], v.x[2]); },
         "min",
         "max",
         true}}},
      {"bernoulli",
       "0 or 1.",
       {{{{"p", kNumber, Range::probability(), "Probability of 1."}},
         [](const Values& v) { return Distribution::bernoulli(v.x[0]); }}}},
      {"categorical",
       "An index drawn with the given weights.",
       {{{{"weights", Param::Kind::kNumbers, Range::non_negative(),
           "Relative weight of 0, 1, 2, ..."}},
         [](const Values& v) { return Distribution::categorical(v.list); }}}},
      {"empirical",
       "Resamples the given values.",
       {{{{"samples", Param::Kind::kNumbers, kAny, "Observed values, drawn uniformly."}},
         [](const Values& v) { return Distribution::empirical_samples(v.list); }}}},
      {"empirical_cdf",
       "Piecewise-linear CDF through the points.",
       {{{{"points", Param::Kind::kPoints, kAny, "Points of the CDF."}},
         [](const Values& v) { return Distribution::empirical_cdf(v.points); }}}},
  };
  return f;
}

std::vector<double> numbers(const Json* j, const std::string& at, Diagnostics& d) {
  std::vector<double> out;
  if (!j || !j->is_array()) {
    d.error(at, fmt::format("found {}, expected an array of numbers",
                            j ? describe_json(*j) : "nothing"));
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

std::vector<std::pair<double, double>> points(const Json* pts, const std::string& at,
                                              Diagnostics& d) {
  std::vector<std::pair<double, double>> out;
  if (!pts || !pts->is_array()) {
    d.error(at, "expected an array of [x, F(x)] pairs");
    return out;
  }
  for (std::size_t i = 0; i < pts->size(); ++i) {
    const Json& pt = (*pts)[i];
    if (!pt.is_array() || pt.size() != 2 || !pt[0].is_number() || !pt[1].is_number()) {
      d.error(pointer_join(at, std::to_string(i)),
              fmt::format("found {}, expected [x, F(x)]", describe_json(pt)));
    } else {
      out.emplace_back(pt[0].get<double>(), pt[1].get<double>());
    }
  }
  return out;
}

// The first form any of whose parameters is present; else the last.
const Form& form_of(const Family& f, const ObjectReader& r) {
  for (const Form& form : f.forms) {
    for (const Param& p : form.params) {
      if (r.has(p.key)) return form;
    }
  }
  return f.forms.back();
}

Values read_params(const Form& form, ObjectReader& r, Diagnostics& d) {
  Values v;
  for (const Param& p : form.params) {
    switch (p.kind) {
      case Param::Kind::kNumber:
        v.x.push_back(r.number(p.key, std::nullopt, p.range));
        break;
      case Param::Kind::kNumbers:
        v.list = numbers(r.child(p.key), r.at(p.key), d);
        break;
      case Param::Kind::kPoints:
        v.points = points(r.child(p.key), r.at(p.key), d);
        break;
    }
  }
  return v;
}

// "found <hi> <y>, expected a value above <lo> (<x>)" at the key out of order.
bool ordered(const Form& form, const Values& v, ObjectReader& r, Diagnostics& d) {
  if (!form.lo || !r.has(form.lo) || !r.has(form.hi)) return true;
  double lo = 0, hi = 0;
  for (std::size_t i = 0; i < form.params.size(); ++i) {
    if (form.params[i].key == std::string_view(form.lo)) lo = v.x[i];
    if (form.params[i].key == std::string_view(form.hi)) hi = v.x[i];
  }
  if (form.strict ? lo < hi : lo <= hi) return true;
  d.error(r.at(form.hi), fmt::format("found {} = {}, expected a value {} {} ({})", form.hi, hi,
                                     form.strict ? "above" : "at least", form.lo, lo));
  return false;
}

Distribution read_family(const Family& f, const Json& p, const std::string& at, Diagnostics& d) {
  ObjectReader r(p, at, d);
  if (!r.valid()) return Distribution::constant(0);
  const std::size_t before = d.items().size();
  const Form& form = form_of(f, r);
  Distribution out = Distribution::constant(0);
  try {
    const Values v = read_params(form, r, d);
    if (ordered(form, v, r, d)) out = form.build(v);
  } catch (const std::invalid_argument& e) {
    // Parameters each valid alone but not together; when a parameter was
    // already reported, the exception only repeats it.
    if (d.items().size() == before) d.error(at, fmt::format("invalid parameters: {}", e.what()));
    out = Distribution::constant(0);
  }
  r.finish();  // unknown parameter keys, with a did-you-mean, even when the values were bad
  return out;
}

Distribution read_mixture(const Json& p, const std::string& at, Diagnostics& d) {
  if (!p.is_array() || p.empty()) {
    d.error(at, fmt::format("found {}, expected an array of {{\"weight\", \"of\"}} objects",
                            describe_json(p)));
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

Distribution family(const std::string& name, const Json& p, const std::string& at, Diagnostics& d) {
  if (name == "constant") {
    if (p.is_number()) return Distribution::constant(p.get<double>());
    d.error(at, fmt::format("found {}, expected a number", describe_json(p)));
    return Distribution::constant(0);
  }
  if (name == "mixture") return read_mixture(p, at, d);
  for (const Family& f : families()) {
    if (f.name == name) return read_family(f, p, at, d);
  }
  return Distribution::constant(0);
}

// The one family key of `r`; reports none or several.
std::string family_key(const Json& j, ObjectReader& r, const std::string& pointer, Diagnostics& d) {
  std::string found;
  for (const std::string& f : distribution_families()) {
    if (!r.has(f)) continue;
    if (!found.empty()) {
      d.error(pointer,
              fmt::format("found both \"{}\" and \"{}\", expected exactly one family", found, f));
    }
    found = f;
  }
  if (found.empty()) {
    std::string list;
    for (const auto& f : distribution_families()) list += (list.empty() ? "" : ", ") + f;
    std::string near;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() != "shift" && it.key() != "truncate") {
        near = closest_match(it.key(), distribution_families());
      }
    }
    d.error(pointer, fmt::format("found no distribution family, expected one of: {}", list),
            near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
  }
  return found;
}

Distribution truncated(Distribution out, const Json& t, const std::string& at, bool family_ok,
                       Diagnostics& d) {
  if (!t.is_array() || t.size() != 2 || !t[0].is_number() || !t[1].is_number()) {
    d.error(at, fmt::format("found {}, expected [min, max]", describe_json(t)));
  } else if (!(t[0].get<double>() <= t[1].get<double>())) {
    d.error(at, fmt::format("found {}, expected [min, max] with min <= max", t.dump()));
  } else if (family_ok) {
    try {
      return out.truncated(t[0].get<double>(), t[1].get<double>());
    } catch (const std::invalid_argument& e) {
      d.error(at, fmt::format("found {}, expected an interval with probability > 0 ({})", t.dump(),
                              e.what()));
    }
  }
  return out;
}

}  // namespace

const std::vector<std::string>& distribution_families() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n = {"constant"};
    for (const Family& f : families()) n.emplace_back(f.name);
    n.emplace_back("mixture");
    return n;
  }();
  return names;
}

sim::Distribution read_distribution(const Json& j, const std::string& pointer, Diagnostics& d) {
  if (j.is_number()) return Distribution::constant(j.get<double>());  // shorthand
  ObjectReader r(j, pointer, d);
  if (!r.valid()) return Distribution::constant(0);
  const std::string found = family_key(j, r, pointer, d);
  if (found.empty()) return Distribution::constant(0);
  const std::size_t before = d.items().size();
  Distribution out = Distribution::constant(0);
  try {
    out = family(found, *r.child(found), r.at(found), d);
  } catch (const std::invalid_argument& e) {  // mixture weights, and the like
    if (d.items().size() == before) {
      d.error(r.at(found), fmt::format("invalid parameters: {}", e.what()));
    }
  }
  const bool family_ok = d.items().size() == before;
  const double shift = r.number("shift", 0.0);
  if (shift != 0.0 && family_ok) out = out.shifted(shift);
  if (const Json* t = r.child("truncate")) out = truncated(out, *t, r.at("truncate"), family_ok, d);
  r.finish();
  return out;
}

// --- Schema -----------------------------------------------------------------------------------

namespace {

Json param_schema(const Param& p) {
  switch (p.kind) {
    case Param::Kind::kNumber: {
      Json s = number_schema("number", p.range);
      s["description"] = p.doc;
      return s;
    }
    case Param::Kind::kNumbers:
      return Json{{"type", "array"},
                  {"description", p.doc},
                  {"items", number_schema("number", p.range)},
                  {"minItems", 1}};
    case Param::Kind::kPoints:
      return Json{{"type", "array"},
                  {"description", p.doc},
                  {"items",
                   {{"type", "array"},
                    {"description", "[x, F(x)], F(x) in [0, 1], both nondecreasing."},
                    {"items", {{"type", "number"}}},
                    {"minItems", 2},
                    {"maxItems", 2}}},
                  {"minItems", 1}};
  }
  return Json();
}

Json form_schema(const Form& form) {
  Json props = Json::object();
  std::vector<std::string> required;
  for (const Param& p : form.params) {
    props[p.key] = param_schema(p);
    required.emplace_back(p.key);
  }
  return object_schema("", std::move(props), required);
}

Json family_schema(const Family& f) {
  if (f.forms.size() == 1) {
    Json s = form_schema(f.forms.front());
    s["description"] = f.doc;
    return s;
  }
  Json forms = Json::array();
  for (const Form& form : f.forms) forms.push_back(form_schema(form));
  return Json{{"oneOf", forms}, {"description", f.doc}};
}

Json mixture_schema(SchemaBuilder& b) {
  Json component = object_schema(
      "",
      Json{{"weight", {{"type", "number"}, {"description", "Relative weight."}, {"minimum", 0}}},
           {"of", distribution_schema(b)}},
      {"weight", "of"});
  return Json{{"type", "array"},
              {"description", "A weighted mixture of distributions, with relative weights."},
              {"items", component},
              {"minItems", 1}};
}

Json object_form(SchemaBuilder& b) {
  Json props{{"constant", {{"type", "number"}, {"description", "Always this value."}}}};
  for (const Family& f : families()) props[f.name] = family_schema(f);
  props["mixture"] = mixture_schema(b);
  props["shift"] = {{"type", "number"},
                    {"description", "Added to every draw (same unit as the distribution)."}};
  props["truncate"] = {{"type", "array"},
                       {"description", "[min, max]: draws are kept inside this interval."},
                       {"items", {{"type", "number"}}},
                       {"minItems", 2},
                       {"maxItems", 2}};
  Json s = object_schema("Exactly one family key, optionally with shift and truncate.",
                         std::move(props), {});
  Json one = Json::array();
  for (const std::string& f : distribution_families()) one.push_back({{"required", {f}}});
  s["oneOf"] = one;
  return s;
}

}  // namespace

Json distribution_schema(SchemaBuilder& b) {
  return b.ref("distribution", [](SchemaBuilder& bb) {
    return Json{{"description",
                 "A distribution: a number (a constant) or an object with exactly one family "
                 "key, optionally \"shift\" and \"truncate\". Values are in the unit of the key "
                 "that holds the distribution."},
                {"oneOf",
                 {{{"type", "number"}, {"description", "Shorthand for {\"constant\": value}."}},
                  object_form(bb)}}};
  });
}

}  // namespace orchsim::scenarios
