#include "scenarios/fields.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace orchsim::scenarios {

bool FieldSpec::required_in(const ObjectReader& r) const {
  if (required) return true;
  if (when_key.empty()) return false;
  const Json* v = r.peek(when_key);
  return v && v->is_string() && v->get<std::string>() == when_value;
}

Json file_number(double x) {
  if (std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 9.0e15) {
    return Json(static_cast<std::int64_t>(x));
  }
  return Json(x);
}

namespace {
Json annotations() {
  return Json{{"^(\\$comment$|//)", {{"description", "An annotation; ignored by the loader."}}}};
}
}  // namespace

Json object_schema(const std::string& doc, Json properties,
                   const std::vector<std::string>& required) {
  Json o{{"type", "object"}};
  if (!doc.empty()) o["description"] = doc;
  o["properties"] = std::move(properties);
  if (!required.empty()) o["required"] = required;
  o["additionalProperties"] = false;
  o["patternProperties"] = annotations();
  return o;
}

Json required_when_schema(const FieldSpec& spec) {
  return Json{{"if",
               {{"properties", {{spec.when_key, {{"const", spec.when_value}}}}},
                {"required", {spec.when_key}}}},
              {"then", {{"required", {spec.key}}}}};
}

void add_rules(Json& object, const Json& rules, const Json& conditions) {
  for (auto it = rules.begin(); it != rules.end(); ++it) object[it.key()] = *it;
  if (conditions.empty()) return;
  Json& all = object["allOf"];
  if (all.is_null()) all = Json::array();
  for (const Json& c : conditions) all.push_back(c);
}

Json property_schema(const FieldSpec& spec, SchemaBuilder& b, const Json& default_value) {
  const Json value = spec.schema(b);
  Json p = Json::object();
  // "type" (or "$ref", "const") first, then what a person reads, then the rest.
  for (const char* k : {"type", "$ref", "const"}) {
    if (value.contains(k)) p[k] = value.at(k);
  }
  if (!spec.doc.empty() || !spec.unit.empty()) {
    p["description"] = spec.unit.empty() ? spec.doc : spec.doc + " Unit: " + spec.unit + ".";
  }
  if (!default_value.is_null()) p["default"] = default_value;
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!p.contains(it.key())) p[it.key()] = *it;
  }
  return p;
}

Json number_schema(const char* type, Range range) {
  Json s{{"type", type}};
  if (range.min == std::numeric_limits<double>::min()) {
    s["exclusiveMinimum"] = 0;
  } else if (std::isfinite(range.min)) {
    s["minimum"] = file_number(range.min);
  }
  if (std::isfinite(range.max)) s["maximum"] = file_number(range.max);
  return s;
}

std::string with_values(std::string doc,
                        const std::vector<std::pair<std::string, std::string>>& values) {
  std::string list;
  for (const auto& [name, what] : values) {
    if (what.empty()) continue;
    list += fmt::format("{}`{}`: {}", list.empty() ? "" : "; ", name, what);
  }
  if (list.empty()) return doc;
  return doc.empty() ? list + "." : doc + " " + list + ".";
}

Json enum_schema(const std::vector<std::string>& names) {
  return Json{{"type", "string"}, {"enum", names}};
}

double in_unit(sim::Duration d, TimeUnit unit) {
  return unit == TimeUnit::kMilliseconds ? d.milliseconds_f() : d.seconds_f();
}

sim::Duration from_unit(double x, TimeUnit unit) {
  return unit == TimeUnit::kMilliseconds ? sim::Duration::from_milliseconds(x)
                                         : sim::Duration::from_seconds(x);
}

std::string time_unit(const std::string& key, TimeUnit unit) {
  const std::string suffix = unit == TimeUnit::kMilliseconds ? "_ms" : "_s";
  if (!key.ends_with(suffix)) {
    throw std::logic_error(fmt::format(
        "scenario field table: the duration \"{}\" must end in \"{}\" (units are in key names)",
        key, suffix));
  }
  return suffix.substr(1);
}

Json constant_value(const sim::Distribution& d) {
  const double lo = d.quantile(0.0);
  return lo == d.quantile(1.0) ? file_number(lo) : Json();
}

void report_missing(const FieldSpec& f, ReadContext& ctx, ObjectReader& r) {
  ctx.diagnostics().error(r.at(f.key), "missing, expected " + f.missing);
}

bool check_array(const Json& j, const std::string& at, bool non_empty, const std::string& what,
                 Diagnostics& d) {
  if (j.is_array() && !(non_empty && j.empty())) return true;
  d.error(at, fmt::format("found {}, expected {}", describe_json(j), what));
  return false;
}

Json name_schema() { return Json{{"type", "string"}}; }

Json names_schema() { return Json{{"type", "array"}, {"items", {{"type", "string"}}}}; }

}  // namespace orchsim::scenarios
