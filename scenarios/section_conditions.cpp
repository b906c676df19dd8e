// A gate rule's condition: an object with exactly one key, the condition's
// kind (orchestration::kConditionNames), whose value is its argument.
#include <fmt/format.h>

#include <algorithm>

#include "scenarios/sections.hpp"

namespace orchsim::scenarios {

namespace {

namespace orch = orchestration;
using W = orch::Condition::What;

// What a condition's value is; the kind decides how it is read and described.
enum class Value : std::uint8_t {
  kAny,          // ignored
  kTrue,         // write true
  kProbability,  // a number in [0, 1]
  kNonNegative,  // a number >= 0
  kMilliseconds,
  kErrorKind,
  kClassName,
  kLabelName,
  kVisits,  // {"node": name, "count": n}
};

Value value_of(W what) {
  switch (what) {
    case W::kAlways:
      return Value::kAny;
    case W::kLabelIs:
      return Value::kLabelName;
    case W::kConfidenceBelow:
    case W::kConfidenceAtLeast:
      return Value::kProbability;
    case W::kVerdictPass:
    case W::kVerdictFail:
    case W::kLastFailed:
      return Value::kTrue;
    case W::kErrorIs:
      return Value::kErrorKind;
    case W::kClassIs:
      return Value::kClassName;
    case W::kCostAbove:
      return Value::kNonNegative;
    case W::kTimeLeftBelow:
      return Value::kMilliseconds;
    case W::kVisitsAtLeast:
      return Value::kVisits;
  }
  return Value::kAny;
}

const Fields<orch::Condition>& visits_fields() {
  using C = orch::Condition;
  static const Fields<C> t{.doc = "",
                           .fields = {
                               node("node", &C::node, "The node counted.").required(),
                               integer("count", &C::count, {1, 1e6}, "", "Visits.").required(),
                           }};
  return t;
}

double read_number(const Json& v, const std::string& at, Range range, Diagnostics& d) {
  if (!v.is_number() || !(v.get<double>() >= range.min && v.get<double>() <= range.max)) {
    d.error(at, fmt::format("found {}, expected {}", describe_json(v),
                            std::isfinite(range.max) ? "a number in [0, 1]" : "a number >= 0"));
    return 0.0;
  }
  return v.get<double>();
}

void read_class(ReadContext& ctx, const Json& v, const std::string& at, orch::Condition& c) {
  const std::vector<std::string>& classes = ctx.scenario().class_names;
  const std::string k = v.is_string() ? v.get<std::string>() : "";
  const auto it = std::find(classes.begin(), classes.end(), k);
  if (it != classes.end()) {
    c.class_index = static_cast<std::uint32_t>(it - classes.begin());
    return;
  }
  const std::string near = closest_match(k, classes);
  ctx.diagnostics().error(
      at,
      fmt::format("found {}, expected a request class name from /workload/classes",
                  describe_json(v)),
      near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
}

// Labels are per agent: the name resolves in every agent's label list.
void read_label(ReadContext& ctx, const Json& v, const std::string& at, orch::Condition& c) {
  c.label_name = v.is_string() ? v.get<std::string>() : "";
  bool found = false;
  std::vector<std::string> all_labels;
  for (const auto& a : ctx.scenario().agents) {
    std::int32_t index = -1;
    for (std::size_t i = 0; i < a.labels.size(); ++i) {
      all_labels.push_back(a.labels[i]);
      if (a.labels[i] == c.label_name && index < 0) index = static_cast<std::int32_t>(i);
    }
    c.label_by_agent.push_back(index);
    if (index >= 0 && !found) c.label = static_cast<std::uint32_t>(index);  // for display
    found = found || index >= 0;
  }
  if (found) return;
  const std::string near = closest_match(c.label_name, all_labels);
  ctx.diagnostics().error(
      at,
      fmt::format("found {}, expected a label some agent can output (/agents/*/labels)",
                  describe_json(v)),
      near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
}

void read_value(ReadContext& ctx, Value kind, const Json& v, const std::string& at,
                orch::Condition& c) {
  Diagnostics& d = ctx.diagnostics();
  switch (kind) {
    case Value::kAny:
    case Value::kTrue:
      return;
    case Value::kProbability:
      c.value = read_number(v, at, Range::probability(), d);
      return;
    case Value::kNonNegative:
      c.value = read_number(v, at, Range::non_negative(), d);
      return;
    case Value::kMilliseconds:
      c.duration = sim::Duration::from_milliseconds(read_number(v, at, Range::non_negative(), d));
      return;
    case Value::kErrorKind:
      if (const auto e = read_error_kind(v, at, d)) c.error = *e;
      return;
    case Value::kClassName:
      return read_class(ctx, v, at, c);
    case Value::kLabelName:
      return read_label(ctx, v, at, c);
    case Value::kVisits: {
      ObjectReader vr(v, at, d);
      visits_fields().read(ctx, vr, c);
      vr.finish();
      return;
    }
  }
}

Json value_schema(Value kind, SchemaBuilder& b) {
  switch (kind) {
    case Value::kAny:
      return Json::object();
    case Value::kTrue:
      return Json{{"type", "boolean"}};
    case Value::kProbability:
      return number_schema("number", Range::probability());
    case Value::kNonNegative:
    case Value::kMilliseconds:
      return number_schema("number", Range::non_negative());
    case Value::kErrorKind:
      return enum_schema(configurable_names<mock_agents::ErrorKind>(mock_agents::kErrorKindNames));
    case Value::kClassName:
    case Value::kLabelName:
      return Json{{"type", "string"}};
    case Value::kVisits:
      return visits_fields().object(b);
  }
  return Json::object();
}

std::vector<std::string> condition_names() {
  std::vector<std::string> names;
  for (const auto& e : orch::kConditionNames) names.emplace_back(e.name);
  return names;
}

}  // namespace

orch::Condition read_condition(ReadContext& ctx, const Json& j, const std::string& at) {
  Diagnostics& d = ctx.diagnostics();
  orch::Condition c;
  ObjectReader r(j, at, d);
  if (!r.valid()) return c;
  if (j.empty()) {
    d.error(at,
            "found an empty object, expected exactly one condition, e.g. {\"confidence_below\": "
            "0.6}");
    return c;
  }
  if (j.size() != 1)
    d.error(at, fmt::format("found {} keys, expected exactly one condition", j.size()));
  const std::string key = j.begin().key();
  const std::optional<W> what = sim::enum_value(orch::kConditionNames, key);
  if (!what) {
    const std::vector<std::string> names = condition_names();
    const std::string near = closest_match(key, names);
    std::string list;
    for (const auto& k : names) list += (list.empty() ? "" : ", ") + k;
    d.error(r.at(key), fmt::format("unknown condition, expected one of: {}", list),
            near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
    return c;
  }
  r.child(key);
  c.what = *what;
  read_value(ctx, value_of(*what), j.begin().value(), r.at(key), c);
  return c;
}

Json condition_schema(SchemaBuilder& b) {
  return b.ref("condition", [](SchemaBuilder& bb) {
    Json one = Json::array();
    for (const auto& e : orch::kConditionNames) {
      Json value = value_schema(value_of(e.value), bb);
      Json property = Json::object();
      if (value.contains("type")) property["type"] = value["type"];
      property["description"] = e.doc;
      for (auto it = value.begin(); it != value.end(); ++it) property[it.key()] = *it;
      one.push_back(Json{{"type", "object"},
                         {"properties", {{std::string(e.name), property}}},
                         {"required", {std::string(e.name)}},
                         {"additionalProperties", false}});
    }
    return Json{{"description", "A gate condition: an object with exactly one of these keys."},
                {"oneOf", one}};
  });
}

}  // namespace orchsim::scenarios
