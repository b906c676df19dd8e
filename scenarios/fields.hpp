// The scenario format, declared once: a table of fields per config struct.
//
// A field names its key, the member it fills, the allowed range, the unit and
// a one-line doc. Its default is the member's own initialiser: the loader
// leaves a member untouched when its key is absent, and the JSON Schema reads
// the default from a default-constructed value. So a default is written
// exactly once, in the struct, and the loader, the schema
// (scenarios/schema/scenario.schema.json, `orchsim schema`) and the docs
// cannot disagree.
//
//   using Q = mock_agents::QualityModel;
//   const Fields<Q>& quality_fields() {
//     static const Fields<Q> t{.doc = "Quality model.", .fields = {
//         number("base", &Q::base, Range::probability(), "", "Quality on an easy request."),
//         number("noise_sd", &Q::noise_sd, Range::non_negative(), "", "Quality noise (sd)."),
//     }};
//     return t;
//   }
//
// What a table cannot say (a check across fields, a choice between shapes of
// object) is a custom() or check() entry, written by hand where it belongs in
// the table: fields are read, and their problems reported, in table order.
// How to add a field: docs/design.md, "Adding a scenario field".
#pragma once

#include <cmath>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "scenarios/distribution_json.hpp"
#include "scenarios/json_reader.hpp"
#include "scenarios/read_context.hpp"
#include "scenarios/schema_builder.hpp"
#include "sim/distribution.hpp"
#include "sim/enum_names.hpp"
#include "sim/time.hpp"

namespace orchsim::scenarios {

// What the loader, the schema and the docs know of one key.
struct FieldSpec {
  std::string key = {};   // empty: a check between fields, not a key of its own
  std::string doc = {};   // one line, for the schema and the docs
  std::string unit = {};  // "ms", "s", "tokens", "USD", "%", ...; empty: none
  Range range = {};       // of a number
  bool required = false;
  // Required only while the key `when_key` holds the string `when_value`.
  std::string when_key = {}, when_value = {};
  // A required object's "missing, expected <what>"; empty: the reader's own words.
  std::string missing = {};
  // The value's schema: type, range, enum, items, $ref; no description, no default.
  std::function<Json(SchemaBuilder&)> schema = {};

  bool required_in(const ObjectReader& r) const;
};

template <class T>
struct Field {
  using Reader = std::function<void(const FieldSpec&, ReadContext&, ObjectReader&, T&)>;
  FieldSpec spec;
  Reader read;
  // The member as a file writes it: the schema's "default". Null Json: none.
  std::function<Json(const T&)> value = {};

  Field required(std::string missing = {}) && {
    spec.required = true;
    spec.missing = std::move(missing);
    return std::move(*this);
  }
  Field required_when(std::string key, std::string value_) && {
    spec.when_key = std::move(key);
    spec.when_value = std::move(value_);
    return std::move(*this);
  }
  // `check` runs after the key was read, when it is present.
  Field checked(std::function<void(ReadContext&, const std::string& at, const T&)> check) && {
    read = [inner = std::move(read), check = std::move(check)](const FieldSpec& s, ReadContext& ctx,
                                                               ObjectReader& r, T& v) {
      inner(s, ctx, r, v);
      if (r.has(s.key)) check(ctx, r.at(s.key), v);
    };
    return std::move(*this);
  }
  // The schema's "default" of a custom field, read from the struct like any other.
  Field defaults_to(std::function<Json(const T&)> member) && {
    value = std::move(member);
    return std::move(*this);
  }
};

// The schema of an object with these properties (in this order), `required`
// keys, annotations ("$comment", "//...") allowed and nothing else.
Json object_schema(const std::string& doc, Json properties,
                   const std::vector<std::string>& required);
// A property: the field's value schema, its doc and its default.
Json property_schema(const FieldSpec& spec, SchemaBuilder& b, const Json& default_value);
// A number as a file would write it: integral values as integers.
Json file_number(double x);
// {"if": <when_key is when_value>, "then": <key is required>}.
Json required_when_schema(const FieldSpec& spec);
// Adds `rules` (keywords) and `conditions` (more "allOf" entries) to an object's schema.
void add_rules(Json& object, const Json& rules, const Json& conditions);

template <class T>
struct Fields {
  std::string doc;
  std::vector<Field<T>> fields;
  // What the object's presence means before any key is read (a validator
  // section turns the validator on; a hedge section means one extra attempt).
  std::function<void(T&)> on_present = {};
  // Checks across fields, after them and before unknown keys are reported.
  std::function<void(ReadContext&, ObjectReader&, T&)> after = {};
  // A name in the schema's "$defs", or empty to write the schema inline.
  std::string def = {};
  // Schema keywords for what `after` or custom readers check (allOf, anyOf).
  Json rules = Json::object();

  // The value a present object starts from: its defaults.
  T prototype() const {
    T v{};
    if (on_present) on_present(v);
    return v;
  }
  void read(ReadContext& ctx, ObjectReader& r, T& v) const {
    for (const Field<T>& f : fields) f.read(f.spec, ctx, r, v);
    if (after) after(ctx, r, v);
  }
  Json properties(SchemaBuilder& b) const {
    const T defaults = prototype();
    Json props = Json::object();
    for (const Field<T>& f : fields) {
      if (f.spec.key.empty()) continue;
      const Json d = f.value && !f.spec.required ? f.value(defaults) : Json();
      props[f.spec.key] = property_schema(f.spec, b, d);
    }
    return props;
  }
  std::vector<std::string> required_keys() const {
    std::vector<std::string> keys;
    for (const Field<T>& f : fields) {
      if (f.spec.required && !f.spec.key.empty()) keys.push_back(f.spec.key);
    }
    return keys;
  }
  // "allOf" entries for the keys required only while another key has a value.
  Json conditions() const {
    Json all = Json::array();
    for (const Field<T>& f : fields) {
      if (!f.spec.when_key.empty()) all.push_back(required_when_schema(f.spec));
    }
    return all;
  }
  Json object(SchemaBuilder& b) const {
    Json o = object_schema(doc, properties(b), required_keys());
    add_rules(o, rules, conditions());
    return o;
  }
  // The object's schema, or a $ref to it when `def` is set.
  Json schema(SchemaBuilder& b) const {
    if (def.empty()) return object(b);
    return b.ref(def, [this](SchemaBuilder& bb) { return object(bb); });
  }
};

// A table is a function returning a static Fields<T>, so tables may refer to
// each other whatever the order of their definitions.
template <class T>
using Table = const Fields<T>& (*)();

// --- Numbers, flags, text -------------------------------------------------------------------

Json number_schema(const char* type, Range range);

template <class T>
Field<T> number(std::string key, double T::*m, Range range, std::string unit, std::string doc) {
  FieldSpec s{
      .key = std::move(key), .doc = std::move(doc), .unit = std::move(unit), .range = range};
  s.schema = [range](SchemaBuilder&) { return number_schema("number", range); };
  return {std::move(s),
          [m](const FieldSpec& f, ReadContext&, ObjectReader& r, T& v) {
            v.*m = r.number(f.key, f.required_in(r) ? std::optional<double>() : v.*m, f.range);
          },
          [m](const T& v) { return file_number(v.*m); }};
}

template <class T, class I>
Field<T> integer(std::string key, I T::*m, Range range, std::string unit, std::string doc) {
  FieldSpec s{
      .key = std::move(key), .doc = std::move(doc), .unit = std::move(unit), .range = range};
  s.schema = [range](SchemaBuilder&) { return number_schema("integer", range); };
  return {std::move(s),
          [m](const FieldSpec& f, ReadContext&, ObjectReader& r, T& v) {
            const auto fallback =
                f.required_in(r) ? std::optional<std::int64_t>() : static_cast<std::int64_t>(v.*m);
            v.*m = static_cast<I>(r.integer(f.key, fallback, f.range));
          },
          [m](const T& v) { return Json(v.*m); }};
}

// Any integer from 0 to 2^64 - 1 (seeds).
template <class T>
Field<T> unsigned64(std::string key, std::uint64_t T::*m, std::string doc) {
  FieldSpec s{.key = std::move(key), .doc = std::move(doc), .range = Range::non_negative()};
  s.schema = [](SchemaBuilder&) { return number_schema("integer", Range::non_negative()); };
  return {std::move(s),
          [m](const FieldSpec& f, ReadContext&, ObjectReader& r, T& v) {
            v.*m = r.unsigned_integer(f.key, v.*m);
          },
          [m](const T& v) { return Json(v.*m); }};
}

template <class T>
Field<T> flag(std::string key, bool T::*m, std::string doc) {
  FieldSpec s{.key = std::move(key), .doc = std::move(doc)};
  s.schema = [](SchemaBuilder&) { return Json{{"type", "boolean"}}; };
  return {std::move(s),
          [m](const FieldSpec& f, ReadContext&, ObjectReader& r, T& v) {
            v.*m = r.boolean(f.key, f.required_in(r) ? std::optional<bool>() : v.*m);
          },
          [m](const T& v) { return Json(v.*m); }};
}

template <class T>
Field<T> text(std::string key, std::string T::*m, std::string doc) {
  FieldSpec s{.key = std::move(key), .doc = std::move(doc)};
  s.schema = [](SchemaBuilder&) { return Json{{"type", "string"}}; };
  return {std::move(s),
          [m](const FieldSpec& f, ReadContext&, ObjectReader& r, T& v) {
            v.*m = r.string(f.key, f.required_in(r) ? std::optional<std::string>() : v.*m);
          },
          [m](const T& v) { return Json(v.*m); }};
}

// --- Choices --------------------------------------------------------------------------------

Json enum_schema(const std::vector<std::string>& names);

template <class E>
std::vector<std::string> configurable_names(std::span<const sim::EnumName<E>> table) {
  std::vector<std::string> names;
  for (const auto& e : table) {
    if (e.configurable) names.emplace_back(e.name);
  }
  return names;
}

// "<doc> `a`: what a means; `b`: ...": a choice's doc with its values'.
std::string with_values(std::string doc,
                        const std::vector<std::pair<std::string, std::string>>& values);

template <class E>
std::vector<std::pair<std::string, std::string>> value_docs(
    std::span<const sim::EnumName<E>> table) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& e : table) {
    if (e.configurable) out.emplace_back(e.name, e.doc);
  }
  return out;
}

// An enum member, spelt by the enum's name table (sim/enum_names.hpp).
template <class T, class E, std::size_t N>
Field<T> choice(std::string key, E T::*m, const sim::EnumName<E> (&table)[N], std::string doc) {
  const std::span<const sim::EnumName<E>> names(table);
  FieldSpec s{.key = std::move(key), .doc = with_values(std::move(doc), value_docs(names))};
  s.schema = [names](SchemaBuilder&) { return enum_schema(configurable_names(names)); };
  return {std::move(s),
          [m, names](const FieldSpec& f, ReadContext&, ObjectReader& r, T& v) {
            const std::vector<std::string> choices = configurable_names(names);
            const bool required = f.required_in(r);
            const auto fallback =
                required ? std::optional<std::string>() : std::string(sim::enum_name(names, v.*m));
            const std::string got = r.choice(f.key, fallback, choices);
            if (const auto e = sim::enum_value(names, got)) {
              v.*m = *e;
            } else if (required) {
              v.*m = *sim::enum_value(names, choices.front());  // reported; read on
            }
          },
          [m, names](const T& v) { return Json(std::string(sim::enum_name(names, v.*m))); }};
}

// A string member that must be one of `names` (a registry's names).
template <class T>
Field<T> one_of(std::string key, std::string T::*m, std::vector<std::string> names,
                std::string doc) {
  FieldSpec s{.key = std::move(key), .doc = std::move(doc)};
  s.schema = [names](SchemaBuilder&) { return enum_schema(names); };
  return {std::move(s),
          [m, names](const FieldSpec& f, ReadContext&, ObjectReader& r, T& v) {
            v.*m = r.choice(f.key, f.required_in(r) ? std::optional<std::string>() : v.*m, names);
          },
          [m](const T& v) { return Json(v.*m); }};
}

// A bool spelt as one of two words.
template <class T>
Field<T> named_bool(std::string key, bool T::*m, std::string if_true, std::string if_false,
                    std::string doc) {
  FieldSpec s{.key = std::move(key), .doc = std::move(doc)};
  s.schema = [if_true, if_false](SchemaBuilder&) { return enum_schema({if_true, if_false}); };
  return {std::move(s),
          [m, if_true, if_false](const FieldSpec& f, ReadContext&, ObjectReader& r, T& v) {
            v.*m = r.choice(f.key, v.*m ? if_true : if_false, {if_true, if_false}) == if_true;
          },
          [m, if_true, if_false](const T& v) { return Json(v.*m ? if_true : if_false); }};
}

// --- Time -----------------------------------------------------------------------------------

// Durations are written as numbers in the unit their key ends with.
enum class TimeUnit : std::uint8_t { kMilliseconds, kSeconds };
double in_unit(sim::Duration d, TimeUnit unit);
sim::Duration from_unit(double x, TimeUnit unit);
// The unit's name ("ms", "s"), checked against the key's suffix ("_ms", "_s"): a
// mismatch is a mistake in a table, reported when the table is built.
std::string time_unit(const std::string& key, TimeUnit unit);

template <class T>
Field<T> duration(std::string key, sim::Duration T::*m, TimeUnit unit, Range range,
                  std::string doc) {
  FieldSpec s{.key = key, .doc = std::move(doc), .unit = time_unit(key, unit), .range = range};
  s.schema = [range](SchemaBuilder&) { return number_schema("number", range); };
  return {std::move(s),
          [m, unit](const FieldSpec& f, ReadContext&, ObjectReader& r, T& v) {
            // Absent: untouched. A present value that is not a finite number is
            // reported by number() and leaves the member as it was, too.
            const Json* j = r.peek(f.key);
            const bool required = f.required_in(r);
            const double x = r.number(f.key, required ? std::optional<double>() : 0.0, f.range);
            if (required || (j && j->is_number() && std::isfinite(j->get<double>()))) {
              v.*m = from_unit(x, unit);
            }
          },
          [m, unit](const T& v) { return file_number(in_unit(v.*m, unit)); }};
}

// An instant, as a time since the start of the run.
template <class T>
Field<T> instant(std::string key, sim::Time T::*m, TimeUnit unit, Range range, std::string doc) {
  FieldSpec s{.key = key, .doc = std::move(doc), .unit = time_unit(key, unit), .range = range};
  s.schema = [range](SchemaBuilder&) { return number_schema("number", range); };
  return {std::move(s), [m, unit](const FieldSpec& f, ReadContext&, ObjectReader& r, T& v) {
            const Json* j = r.peek(f.key);
            const bool required = f.required_in(r);
            const double x = r.number(f.key, required ? std::optional<double>() : 0.0, f.range);
            if (required || (j && j->is_number() && std::isfinite(j->get<double>()))) {
              v.*m = sim::Time::zero() + from_unit(x, unit);
            }
          }};
}

// --- Distributions --------------------------------------------------------------------------

// A constant distribution as a number (the default of an absent key); null otherwise.
Json constant_value(const sim::Distribution& d);

template <class T>
Field<T> distribution(std::string key, sim::Distribution T::*m, std::string unit, std::string doc) {
  FieldSpec s{.key = std::move(key), .doc = std::move(doc), .unit = std::move(unit)};
  s.schema = [](SchemaBuilder& b) { return distribution_schema(b); };
  return {std::move(s),
          [m](const FieldSpec& f, ReadContext& ctx, ObjectReader& r, T& v) {
            const Json* j = r.child(f.key);
            if (!j) {
              if (f.required_in(r))
                ctx.diagnostics().error(r.at(f.key), "missing, expected a distribution");
              return;
            }
            v.*m = read_distribution(*j, r.at(f.key), ctx.diagnostics());
          },
          [m](const T& v) { return constant_value(v.*m); }};
}

// --- Objects and arrays of them -------------------------------------------------------------

// Reads the object at `key` into `target` through `table`.
template <class S>
void read_object(const Fields<S>& table, const FieldSpec& f, ReadContext& ctx, ObjectReader& r,
                 const Json& j, S& target) {
  ObjectReader sub(j, r.at(f.key), ctx.diagnostics());
  if (table.on_present) table.on_present(target);
  table.read(ctx, sub, target);
  sub.finish();
}

void report_missing(const FieldSpec& f, ReadContext& ctx, ObjectReader& r);

// The object at `key` fills the member `m` through the member's own table.
template <class T, class S>
Field<T> section(std::string key, S T::*m, Table<S> table, std::string doc) {
  FieldSpec s{.key = std::move(key), .doc = std::move(doc)};
  s.schema = [table](SchemaBuilder& b) { return table().schema(b); };
  return {std::move(s), [m, table](const FieldSpec& f, ReadContext& ctx, ObjectReader& r, T& v) {
            if (const Json* j = r.child(f.key)) {
              read_object(table(), f, ctx, r, *j, v.*m);
            } else if (f.required_in(r)) {
              report_missing(f, ctx, r);
            }
          }};
}

// The object at `key` fills more of the same struct (a file groups what the
// struct keeps flat, e.g. a call node's "context" keys).
template <class T>
Field<T> group(std::string key, Table<T> table, std::string doc) {
  FieldSpec s{.key = std::move(key), .doc = std::move(doc)};
  s.schema = [table](SchemaBuilder& b) { return table().schema(b); };
  return {std::move(s), [table](const FieldSpec& f, ReadContext& ctx, ObjectReader& r, T& v) {
            if (const Json* j = r.child(f.key)) read_object(table(), f, ctx, r, *j, v);
          }};
}

// An object whose presence switches something on (a circuit breaker).
template <class T, class S>
Field<T> optional_section(std::string key, std::optional<S> T::*m, Table<S> table,
                          std::string doc) {
  FieldSpec s{.key = std::move(key), .doc = std::move(doc)};
  s.schema = [table](SchemaBuilder& b) { return table().schema(b); };
  return {std::move(s), [m, table](const FieldSpec& f, ReadContext& ctx, ObjectReader& r, T& v) {
            if (const Json* j = r.child(f.key)) {
              S value{};
              read_object(table(), f, ctx, r, *j, value);
              v.*m = std::move(value);
            }
          }};
}

// Whether `j` is an array (non-empty if asked); reports "found ..., expected <what>" if not.
bool check_array(const Json& j, const std::string& at, bool non_empty, const std::string& what,
                 Diagnostics& d);

// An array of objects at `key`, each read through `table`: the list.
// `what`: "an array of fault windows", for messages.
template <class T, class S>
Field<T> array(std::string key, std::vector<S> T::*m, Table<S> table, std::string what,
               bool non_empty, std::string doc) {
  FieldSpec s{.key = std::move(key), .doc = std::move(doc), .missing = what};
  s.schema = [table, non_empty](SchemaBuilder& b) {
    Json a{{"type", "array"}, {"items", table().schema(b)}};
    if (non_empty) a["minItems"] = 1;
    return a;
  };
  return {std::move(s),
          [m, table, what, non_empty](const FieldSpec& f, ReadContext& ctx, ObjectReader& r, T& v) {
            const Json* j = r.child(f.key);
            if (!j) {
              if (f.required_in(r)) report_missing(f, ctx, r);
              return;
            }
            (v.*m).clear();  // the file's list replaces the default one
            if (!check_array(*j, r.at(f.key), non_empty, what, ctx.diagnostics())) return;
            for (std::size_t i = 0; i < j->size(); ++i) {
              ObjectReader e((*j)[i], pointer_join(r.at(f.key), std::to_string(i)),
                             ctx.diagnostics());
              S item = table().prototype();
              table().read(ctx, e, item);
              e.finish();
              (v.*m).push_back(std::move(item));
            }
          }};
}

// --- Names of agents and nodes --------------------------------------------------------------

Json name_schema();
Json names_schema();

// An agent by name. An optional one absent from the file is not read.
template <class T>
Field<T> agent(std::string key, orchestration::AgentIndex T::*m, std::string doc) {
  FieldSpec s{.key = std::move(key), .doc = std::move(doc)};
  s.schema = [](SchemaBuilder&) { return name_schema(); };
  return {std::move(s), [m](const FieldSpec& f, ReadContext& ctx, ObjectReader& r, T& v) {
            if (f.required_in(r) || r.has(f.key)) v.*m = ctx.agent(r.child(f.key), r.at(f.key));
          }};
}

template <class T>
Field<T> agents(std::string key, std::vector<orchestration::AgentIndex> T::*m, std::string doc) {
  FieldSpec s{.key = std::move(key), .doc = std::move(doc)};
  s.schema = [](SchemaBuilder&) { return names_schema(); };
  return {std::move(s), [m](const FieldSpec& f, ReadContext& ctx, ObjectReader& r, T& v) {
            v.*m = ctx.agents(r, f.key, f.required_in(r));
          }};
}

template <class T>
Field<T> node(std::string key, orchestration::NodeId T::*m, std::string doc) {
  FieldSpec s{.key = std::move(key), .doc = std::move(doc)};
  s.schema = [](SchemaBuilder&) { return name_schema(); };
  return {std::move(s), [m](const FieldSpec& f, ReadContext& ctx, ObjectReader& r, T& v) {
            v.*m = ctx.node(r, f.key, f.required_in(r));
          }};
}

template <class T>
Field<T> nodes(std::string key, std::vector<orchestration::NodeId> T::*m, std::string doc) {
  FieldSpec s{.key = std::move(key), .doc = std::move(doc)};
  s.schema = [](SchemaBuilder&) { return names_schema(); };
  return {std::move(s), [m](const FieldSpec& f, ReadContext& ctx, ObjectReader& r, T& v) {
            const Json* j = r.child(f.key);
            if (!j) {
              if (f.required_in(r)) report_missing(f, ctx, r);
              return;
            }
            if (!check_array(*j, r.at(f.key), false, "an array of node names", ctx.diagnostics())) {
              return;
            }
            for (std::size_t i = 0; i < j->size(); ++i) {
              (v.*m).push_back(ctx.node((*j)[i], pointer_join(r.at(f.key), std::to_string(i))));
            }
          }};
}

// --- Hand-written entries -------------------------------------------------------------------

// A key read by hand: `read` does it all, `schema` describes it.
template <class T>
Field<T> custom(std::string key, std::string doc, std::function<Json(SchemaBuilder&)> schema,
                typename Field<T>::Reader read) {
  FieldSpec s{.key = std::move(key), .doc = std::move(doc), .schema = std::move(schema)};
  return {std::move(s), std::move(read)};
}

// A check across the fields before it, reported at its place in the table.
template <class T>
Field<T> check(std::function<void(ReadContext&, ObjectReader&, T&)> fn) {
  return {FieldSpec{}, [fn = std::move(fn)](const FieldSpec&, ReadContext& ctx, ObjectReader& r,
                                            T& v) { fn(ctx, r, v); }};
}

// The field `f` of the struct at member `m` of T (a table over T that reaches
// into a member, keeping the file's key order where the struct nests).
template <class T, class S>
Field<T> in(S T::*m, Field<S> f) {
  Field<T> out{std::move(f.spec), {}};
  out.read = [m, read = std::move(f.read)](const FieldSpec& s, ReadContext& ctx, ObjectReader& r,
                                           T& v) { read(s, ctx, r, v.*m); };
  if (f.value) out.value = [m, value = std::move(f.value)](const T& v) { return value(v.*m); };
  return out;
}

}  // namespace orchsim::scenarios
