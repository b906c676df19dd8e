// Checks that the JSON Schema (scenarios/schema/scenario.schema.json) says
// what the loader does. The schema is generated from the loader's field
// tables (schema_generated_test.cpp keeps the file fresh); these tests check
// the generated result against the loader's behaviour:
//   (a) every built-in scenario validates against the schema;
//   (b) the kitchen sink (tests/scenarios/data/kitchen_sink.json), which uses
//       every key the loader accepts, loads and validates, and so do its
//       variants (the arrival processes other than its own);
//   (c) every property the schema declares is used by the kitchen sink or a
//       variant, so the schema cannot list keys the loader does not read;
//   (d) an unknown key added to any object of the kitchen sink is rejected by
//       both, and the keys the loader names as expected there are keys the
//       schema declares there.
// The schema checker below implements the part of JSON Schema 2020-12 the
// schema uses, and fails on any other keyword, so that the schema cannot
// quietly rely on something unchecked.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "scenarios/scenario.hpp"

namespace orchsim::scenarios::schema_test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

fs::path source_dir() {
  if (const char* root = std::getenv("ORCHSIM_SOURCE_DIR"); root && *root) return root;
  return fs::path(__FILE__).parent_path().parent_path().parent_path();
}
fs::path schema_path() { return source_dir() / "scenarios" / "schema" / "scenario.schema.json"; }
fs::path kitchen_sink_path() {
  return source_dir() / "tests" / "scenarios" / "data" / "kitchen_sink.json";
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Scenario files allow `//` comments.
Json read_json(const fs::path& p) {
  return Json::parse(read_text(p), nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
}

std::string escape(const std::string& key) {  // RFC 6901
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

// --- A small JSON Schema checker ----------------------------------------------

class SchemaChecker {
 public:
  explicit SchemaChecker(Json root) : root_(std::move(root)) {}

  struct Result {
    std::vector<std::string> errors;
    // "<schema pointer>/properties/<key>" of every property a value was
    // validated against, on the branches that matched.
    std::set<std::string> used;
    // Document pointer -> property names the matching schemas declare for
    // the object there.
    std::map<std::string, std::set<std::string>> declared;
  };

  Result check(const Json& doc) const {
    Result r;
    validate(root_, "#", doc, "", r, true);
    return r;
  }

  // Every "<schema pointer>/properties/<key>" the schema declares (outside
  // if/then/else, which only constrain).
  std::set<std::string> declared_properties() const {
    std::set<std::string> out;
    walk(root_, "#", out);
    return out;
  }

 private:
  static void merge(Result& into, Result&& from) {
    into.used.insert(from.used.begin(), from.used.end());
    for (auto& [k, v] : from.declared) into.declared[k].insert(v.begin(), v.end());
  }

  void walk(const Json& s, const std::string& at, std::set<std::string>& out) const {
    if (!s.is_object()) return;
    for (auto it = s.begin(); it != s.end(); ++it) {
      const std::string& k = it.key();
      if (k == "if" || k == "then" || k == "else" || k == "const" || k == "enum") continue;
      if (k == "properties") {
        for (auto p = it->begin(); p != it->end(); ++p) {
          out.insert(at + "/properties/" + escape(p.key()));
          walk(*p, at + "/properties/" + escape(p.key()), out);
        }
      } else if (k == "$defs" || k == "patternProperties") {
        for (auto p = it->begin(); p != it->end(); ++p) {
          walk(*p, at + "/" + k + "/" + escape(p.key()), out);
        }
      } else if (it->is_array()) {
        for (std::size_t i = 0; i < it->size(); ++i) {
          walk((*it)[i], at + "/" + k + "/" + std::to_string(i), out);
        }
      } else if (it->is_object()) {
        walk(*it, at + "/" + k, out);
      }
    }
  }

  static bool has_type(const Json& v, const std::string& t) {
    if (t == "object") return v.is_object();
    if (t == "array") return v.is_array();
    if (t == "string") return v.is_string();
    if (t == "boolean") return v.is_boolean();
    if (t == "null") return v.is_null();
    if (t == "number") return v.is_number();
    if (t == "integer") return v.is_number_integer();
    return false;
  }

  // Validates `v` (at document pointer `vat`) against `s` (at schema pointer
  // `sat`). `record` is false inside if/then/else, whose properties only
  // constrain and are not declarations.
  void validate(const Json& s, const std::string& sat, const Json& v, const std::string& vat,
                Result& r, bool record) const {
    const auto fail = [&](const std::string& what) {
      r.errors.push_back((vat.empty() ? "/" : vat) + ": " + what);
    };
    if (s.is_boolean()) {
      if (!s.get<bool>()) fail("no value is allowed here");
      return;
    }
    for (auto it = s.begin(); it != s.end(); ++it) {
      const std::string& k = it.key();
      const Json& x = *it;
      if (k == "$schema" || k == "$id" || k == "title" || k == "description" || k == "$comment" ||
          k == "$defs" || k == "then" || k == "else" || k == "examples") {
        continue;  // annotations; then/else are handled with "if"
      } else if (k == "default") {
        // An annotation, but one a user may copy: it must be valid where it is.
        Json without = s;
        without.erase("default");
        Result d;
        validate(without, sat, x, sat + "/default", d, false);
        for (const std::string& e : d.errors) ADD_FAILURE() << "invalid default: " << e;
      } else if (k == "$ref") {
        const std::string ref = x.get<std::string>();
        ASSERT_EQ(ref.rfind("#/", 0), 0u) << "only local references: " << ref;
        validate(root_.at(Json::json_pointer(ref.substr(1))), ref, v, vat, r, record);
      } else if (k == "type") {
        bool ok = false;
        if (x.is_string()) {
          ok = has_type(v, x.get<std::string>());
        } else {
          for (const auto& t : x) ok = ok || has_type(v, t.get<std::string>());
        }
        if (!ok) fail("found " + v.dump() + ", expected type " + x.dump());
      } else if (k == "pattern") {
        if (v.is_string() &&
            !std::regex_search(v.get<std::string>(), std::regex(x.get<std::string>()))) {
          fail("found " + v.dump() + ", expected a match of " + x.dump());
        }
      } else if (k == "const") {
        if (v != x) fail("found " + v.dump() + ", expected " + x.dump());
      } else if (k == "enum") {
        if (std::find(x.begin(), x.end(), v) == x.end()) {
          fail("found " + v.dump() + ", expected one of " + x.dump());
        }
      } else if (k == "minimum" || k == "maximum" || k == "exclusiveMinimum" ||
                 k == "exclusiveMaximum") {
        if (!v.is_number()) continue;
        const double a = v.get<double>(), b = x.get<double>();
        const bool ok = k == "minimum"            ? a >= b
                        : k == "maximum"          ? a <= b
                        : k == "exclusiveMinimum" ? a > b
                                                  : a < b;
        if (!ok) fail("found " + v.dump() + ", expected " + k + " " + x.dump());
      } else if (k == "minItems" || k == "maxItems") {
        if (!v.is_array()) continue;
        const auto n = x.get<std::size_t>();
        if (k == "minItems" ? v.size() < n : v.size() > n) {
          fail("found " + std::to_string(v.size()) + " items, expected " + k + " " + x.dump());
        }
      } else if (k == "items") {
        if (!v.is_array()) continue;
        for (std::size_t i = 0; i < v.size(); ++i) {
          validate(x, sat + "/items", v[i], vat + "/" + std::to_string(i), r, record);
        }
      } else if (k == "required") {
        if (!v.is_object()) continue;
        for (const auto& key : x) {
          if (!v.contains(key.get<std::string>())) fail("missing required " + key.dump());
        }
      } else if (k == "properties") {
        if (!v.is_object()) continue;
        for (auto p = x.begin(); p != x.end(); ++p) {
          if (record) r.declared[vat].insert(p.key());
          if (!v.contains(p.key())) continue;
          const std::string at = sat + "/properties/" + escape(p.key());
          if (record) r.used.insert(at);
          validate(*p, at, v.at(p.key()), vat + "/" + escape(p.key()), r, record);
        }
      } else if (k == "patternProperties") {
        if (!v.is_object()) continue;
        for (auto p = x.begin(); p != x.end(); ++p) {
          const std::regex re(p.key());
          for (auto e = v.begin(); e != v.end(); ++e) {
            if (std::regex_search(e.key(), re)) {
              validate(*p, sat + "/patternProperties/" + escape(p.key()), *e,
                       vat + "/" + escape(e.key()), r, record);
            }
          }
        }
      } else if (k == "propertyNames") {
        if (!v.is_object()) continue;
        for (auto e = v.begin(); e != v.end(); ++e) {
          validate(x, sat + "/propertyNames", Json(e.key()), vat + "/" + escape(e.key()), r, false);
        }
      } else if (k == "additionalProperties") {
        if (!v.is_object()) continue;
        const Json none = Json::object();
        const Json& props = s.contains("properties") ? s.at("properties") : none;
        for (auto e = v.begin(); e != v.end(); ++e) {
          if (props.contains(e.key())) continue;
          bool by_pattern = false;
          if (s.contains("patternProperties")) {
            for (auto p = s.at("patternProperties").begin(); p != s.at("patternProperties").end();
                 ++p) {
              by_pattern = by_pattern || std::regex_search(e.key(), std::regex(p.key()));
            }
          }
          if (by_pattern) continue;
          if (x.is_boolean() && !x.get<bool>()) {
            fail("unknown key \"" + e.key() + "\"");
          } else {
            validate(x, sat + "/additionalProperties", *e, vat + "/" + escape(e.key()), r, record);
          }
        }
      } else if (k == "oneOf" || k == "anyOf" || k == "allOf") {
        std::size_t passed = 0;
        std::vector<Result> branches(x.size());
        for (std::size_t i = 0; i < x.size(); ++i) {
          validate(x[i], sat + "/" + k + "/" + std::to_string(i), v, vat, branches[i], record);
          if (branches[i].errors.empty()) ++passed;
        }
        for (Result& b : branches) {
          if (k == "allOf") {
            r.errors.insert(r.errors.end(), b.errors.begin(), b.errors.end());
            merge(r, std::move(b));
          } else if (b.errors.empty()) {
            merge(r, std::move(b));
          }
        }
        if (k == "oneOf" && passed != 1) {
          std::string why;
          for (const Result& b : branches) {
            if (!b.errors.empty()) why += " [" + b.errors.front() + "]";
          }
          fail("matches " + std::to_string(passed) + " of the oneOf choices, expected exactly 1" +
               why);
        }
        if (k == "anyOf" && passed == 0) fail("matches none of the anyOf choices");
      } else if (k == "if") {
        Result test;
        validate(x, sat + "/if", v, vat, test, false);
        const char* branch = test.errors.empty() ? "then" : "else";
        if (s.contains(branch)) validate(s.at(branch), sat + "/" + branch, v, vat, r, false);
      } else {
        ADD_FAILURE() << "the schema checker does not know the keyword \"" << k << "\" at " << sat;
      }
    }
  }

  Json root_;
};

const SchemaChecker& checker() {
  static const SchemaChecker c(read_json(schema_path()));
  return c;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "  " + l + "\n";
  return out;
}

// The kitchen sink with its other arrival processes: the format allows one
// per scenario. Each is a (pointer, replacement) applied to the kitchen sink.
std::vector<std::pair<std::string, Json>> variants() {
  return {
      {"/workload/arrivals", Json::parse(R"({"poisson": {"rate_per_s": 5}})")},
      {"/workload/arrivals", Json::parse(R"({"deterministic": {"interval_ms": 100}})")},
      {"/workload/arrivals",
       Json::parse(R"({"piecewise_linear": {"points": [[0, 1], [60, 10]]}})")},
      {"/workload/arrivals",
       Json::parse(R"({"diurnal": {"mean_rate_per_s": 5, "amplitude": 0.3, "period_s": 3600,
                                   "phase_radians": 1.5}})")},
      {"/workload/arrivals", Json::parse(R"({"replay": {"file": "replay_ok.csv"}})")},
      {"/workload/arrivals",
       Json::parse(R"({"replay": {"file": "replay_attributes.csv", "rate_scale": 2}})")},
      {"/workload/arrivals", Json::parse(R"({"closed_loop": {"users": 10,
                       "think_time_ms": {"lognormal": {"median": 1000, "p99": 5000}}}})")},
  };
}

// The kitchen sink's agents and workload with a choreography instead of a
// workflow (the format allows one of them), using every choreography key.
Json choreographed_kitchen_sink(Json d) {
  d.erase("workflow");
  d.erase("workflows");
  d.erase("resilience");  // the orchestrator's: refused with a choreography
  d["choreography"] = Json::parse(R"({
    "system_prompt_tokens": 300,
    "subscriptions": [
      { "name": "plan", "agent": "planner", "on": "request", "publish": "planned",
        "timeout_ms": 2000,
        "retry": { "max_attempts": 3,
                   "backoff": { "preset": "langgraph", "shape": "exponential", "jitter": "additive",
                                "jitter_max_ms": 500, "base_ms": 100, "cap_ms": 2000,
                                "multiplier": 3 },
                   "retry_on": ["transient"], "retry_on_timeout": true,
                   "retry_on_invalid": false, "honour_retry_after": false },
        "quality": { "input": "none", "output": "evidence" },
        "context": { "output_to_context": true },
        "request": { "output_tokens_factor": 1.5 },
        "stream_node": 0, "stream_visit": 1 },
      { "agent": "cheap_model", "on": "planned", "when": "confidence_at_least", "threshold": 0.5,
        "publish": "answer", "idempotent": true,
        "retry": { "rules": [
          { "retry_on": ["rate_limited"], "retry_on_timeout": true, "retry_on_invalid": false,
            "max_retries": 2,
            "backoff": { "preset": "temporal", "shape": "linear", "jitter": "equal",
                         "jitter_max_ms": 100, "base_ms": 200, "cap_ms": 1000,
                         "multiplier": 1.5 } },
          { "retry_on": ["transient"], "max_retries": 1 } ] } },
      { "agent": "critic", "on": "answer", "publish": "checked", "publish_on_reject": "checked",
        "quality": { "input": "answer", "output": "none", "judges_answer": true } }
    ],
    "completes_on": ["checked"]
  })");
  return d;
}

// The kitchen sink and each variant, as documents.
std::vector<Json> kitchen_sink_documents() {
  std::vector<Json> docs = {read_json(kitchen_sink_path())};
  for (const auto& [pointer, value] : variants()) {
    Json d = docs.front();
    d[Json::json_pointer(pointer)] = value;
    docs.push_back(std::move(d));
  }
  docs.push_back(choreographed_kitchen_sink(docs.front()));
  return docs;
}

LoadResult load_document(const Json& doc) {
  // As the kitchen sink's own text, so that relative files resolve the same.
  return parse_scenario(doc.dump(2), kitchen_sink_path().string());
}

TEST(ScenarioSchema, IsADraft2020_12Schema) {
  const Json schema = read_json(schema_path());
  EXPECT_EQ(schema.at("$schema"), "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ(schema.at("type"), "object");
  EXPECT_EQ(schema.at("additionalProperties"), false);
}

TEST(ScenarioSchema, EveryBuiltInScenarioValidates) {
  const auto names = library_names();
  ASSERT_FALSE(names.empty());
  for (const std::string& name : names) {
    const auto result = checker().check(read_json(fs::path(library_dir()) / (name + ".json")));
    EXPECT_TRUE(result.errors.empty()) << name << ":\n" << join(result.errors);
  }
}

TEST(ScenarioSchema, KitchenSinkLoadsAndValidates) {
  const LoadResult r = load_scenario(kitchen_sink_path().string());
  EXPECT_TRUE(r.ok()) << r.diagnostics.format();
  const auto docs = kitchen_sink_documents();
  for (std::size_t i = 0; i < docs.size(); ++i) {
    SCOPED_TRACE(i == 0 ? std::string("kitchen sink") : "variant " + std::to_string(i));
    const LoadResult loaded = load_document(docs[i]);
    EXPECT_TRUE(loaded.ok()) << loaded.diagnostics.format();
    const auto checked = checker().check(docs[i]);
    EXPECT_TRUE(checked.errors.empty()) << join(checked.errors);
  }
}

TEST(ScenarioSchema, KitchenSinkUsesEveryPropertyTheSchemaDeclares) {
  std::set<std::string> used;
  for (const Json& d : kitchen_sink_documents()) {
    const auto r = checker().check(d);
    used.insert(r.used.begin(), r.used.end());
  }
  const std::set<std::string> declared = checker().declared_properties();
  EXPECT_GT(declared.size(), 150u);
  // An on_revisit rule's "set" (call_step) is generated from the call node's
  // own fields: each of its properties must be one of the call node's, whose
  // use the kitchen sink shows; the kitchen sink need not patch them all.
  const Json schema = read_json(schema_path());
  std::string call_node;
  const Json& kinds = schema.at("$defs").at("node").at("oneOf");
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    if (kinds[i].at("properties").at("type").value("const", "") == "call") {
      call_node = "#/$defs/node/oneOf/" + std::to_string(i) + "/properties/";
    }
  }
  ASSERT_FALSE(call_node.empty());
  const std::string step = "#/$defs/call_step/properties/";
  std::size_t mirrored = 0;
  for (const std::string& p : declared) {
    if (p.starts_with(step)) {
      std::string node = call_node + p.substr(step.size());
      for (std::size_t at; (at = node.find("/anyOf/1/")) != std::string::npos;) {
        node.erase(at, std::string("/anyOf/1").size());  // a merge patch's non-null branch
      }
      EXPECT_TRUE(declared.count(node)) << p << " is not a call node's key (" << node << ")";
      ++mirrored;
      continue;
    }
    EXPECT_TRUE(used.count(p)) << "the schema declares " << p
                               << " but the kitchen sink never uses it (does the loader read it?)";
  }
  EXPECT_GT(mirrored, 30u);
}

// "set" is a merge patch: part of an object, or null to remove a key, is
// valid to both; a misspelt key at any depth is not (UnknownKeysAreRejectedByBoth).
TEST(ScenarioSchema, AnOnRevisitSetIsAMergePatchForBoth) {
  Json d = read_json(kitchen_sink_path());
  Json& rules = d.at("workflow").at("nodes").at(0).at("on_revisit");
  rules.push_back(Json::parse(R"({"from_visit": 5,
      "set": {"time_budget": {"budget_ms": 900}, "hedge": null, "retry": {"max_attempts": 3}}})"));
  EXPECT_TRUE(checker().check(d).errors.empty()) << join(checker().check(d).errors);
  const LoadResult loaded = load_document(d);
  EXPECT_TRUE(loaded.ok()) << loaded.diagnostics.format();

  Json wrong = d;
  wrong.at("workflow")
      .at("nodes")
      .at(0)
      .at("on_revisit")
      .back()
      .at("set")["time_budget"]["budget_ms"] = "soon";
  EXPECT_FALSE(checker().check(wrong).errors.empty());
  EXPECT_FALSE(load_document(wrong).ok());
}

// A sub-workflow's node "n" is "name/n" in reports: names with "/" are
// rejected by both.
TEST(ScenarioSchema, ASubWorkflowNameWithASlashIsRejectedByBoth) {
  Json d = read_json(kitchen_sink_path());
  Json& workflows = d.at("workflows");
  ASSERT_TRUE(workflows.contains("search"));
  workflows["a/b"] = workflows.at("search");
  const auto checked = checker().check(d);
  EXPECT_FALSE(checked.errors.empty());
  const LoadResult loaded = load_document(d);
  EXPECT_FALSE(loaded.ok());
  bool named = false;
  for (const Diagnostic& diag : loaded.diagnostics.items()) {
    named = named || diag.pointer == "/workflows/a~1b";
  }
  EXPECT_TRUE(named) << loaded.diagnostics.format();
}

// Pointers of every object in `j`.
void objects(const Json& j, const std::string& at, std::vector<std::string>& out) {
  if (j.is_object()) {
    out.push_back(at);
    for (auto it = j.begin(); it != j.end(); ++it) objects(*it, at + "/" + escape(it.key()), out);
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) objects(j[i], at + "/" + std::to_string(i), out);
  }
}

// The keys in "..., expected one of: a, b, c" of an unknown-key diagnostic.
std::vector<std::string> expected_keys(const std::string& message) {
  std::vector<std::string> keys;
  const std::string marker = "expected one of: ";
  const auto pos = message.find(marker);
  if (pos == std::string::npos) return keys;
  std::stringstream rest(message.substr(pos + marker.size()));
  std::string key;
  while (std::getline(rest, key, ',')) {
    key.erase(0, key.find_first_not_of(' '));
    keys.push_back(key);
  }
  return keys;
}

TEST(ScenarioSchema, UnknownKeysAreRejectedByBoth) {
  const std::string unknown = "zz_not_a_key";
  const auto docs = kitchen_sink_documents();
  const auto vs = variants();
  std::size_t tried = 0;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    // The kitchen sink in full; of a variant, only what it replaced (the
    // choreographed one, last: its choreography).
    const std::string root = i == 0 ? "" : i <= vs.size() ? vs[i - 1].first : "/choreography";
    const auto declared = checker().check(docs[i]).declared;
    std::vector<std::string> pointers;
    objects(docs[i].at(Json::json_pointer(root)), root, pointers);
    for (const std::string& at : pointers) {
      SCOPED_TRACE(at.empty() ? "/" : at);
      // A routing policy's params belong to the policy (a user's policy has
      // keys no schema can know): the loader checks them, the schema cannot.
      if (at.size() >= 15 && at.compare(at.size() - 15, 15, "/routing/params") == 0) continue;
      ++tried;
      Json d = docs[i];
      d[Json::json_pointer(at)][unknown] = 1;

      const auto checked = checker().check(d);
      EXPECT_FALSE(checked.errors.empty()) << "the schema accepts an unknown key here";

      const LoadResult loaded = load_document(d);
      EXPECT_FALSE(loaded.ok()) << "the loader accepts an unknown key here";
      bool named = false;
      for (const Diagnostic& diag : loaded.diagnostics.items()) {
        if (diag.pointer == at + "/" + unknown) {
          named = true;
          // What the loader expects here, the schema must declare here.
          const auto it = declared.find(at);
          for (const std::string& key : expected_keys(diag.message)) {
            EXPECT_TRUE(it != declared.end() && it->second.count(key))
                << "the loader reads \"" << key << "\" but the schema does not declare it";
          }
        } else if (diag.pointer == at) {
          named = true;  // a condition: "found 2 keys, expected exactly one condition"
        }
      }
      EXPECT_TRUE(named) << loaded.diagnostics.format();
    }
  }
  EXPECT_GT(tried, 100u);
}

}  // namespace
}  // namespace orchsim::scenarios::schema_test
