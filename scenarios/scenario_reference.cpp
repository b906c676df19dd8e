#include "scenarios/scenario_reference.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "scenarios/json_reader.hpp"
#include "scenarios/scenario_schema.hpp"

namespace orchsim::scenarios {

namespace {

std::string cell(std::string s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

std::string join_names(const Json& names) {
  std::string out;
  for (const Json& n : names) out += (out.empty() ? "`" : ", `") + n.get<std::string>() + "`";
  return out;
}

// What a property allows beyond its type: a range or a list of names.
std::string allowed(const Json& p) {
  if (p.contains("enum")) return join_names(p["enum"]);
  if (p.contains("const")) return "`" + p["const"].dump() + "`";
  const bool lo = p.contains("minimum"), hi = p.contains("maximum");
  if (lo && hi) return fmt::format("[{}, {}]", p["minimum"].dump(), p["maximum"].dump());
  if (p.contains("exclusiveMinimum")) return "> " + p["exclusiveMinimum"].dump();
  if (lo) return ">= " + p["minimum"].dump();
  if (hi) return "<= " + p["maximum"].dump();
  return "";
}

class Reference {
 public:
  explicit Reference(Json schema) : root_(std::move(schema)) {}

  std::string render() {
    object("/", root_, "The top level.");
    nodes();
    conditions();
    distributions();
    return out_;
  }

 private:
  const Json& def(const std::string& name) const { return root_["$defs"][name]; }
  const Json& resolve(const Json& s) const {
    if (!s.contains("$ref")) return s;
    return def(s["$ref"].get<std::string>().substr(std::string("#/$defs/").size()));
  }
  static bool is_object(const Json& s) { return s.contains("properties"); }
  static std::string ref_name(const Json& s) {
    return s.contains("$ref") ? s["$ref"].get<std::string>().substr(8) : "";
  }

  std::string type_of(const Json& p) const {
    const std::string ref = ref_name(p);
    if (ref == "distribution") return "[distribution](#distributions)";
    if (ref == "condition") return "[condition](#gate-conditions)";
    if (ref == "arrivals") return "one arrival process (below)";
    const Json& s = resolve(p);
    if (s.contains("const")) return s.value("type", "constant");
    const std::string type = s.value("type", "any");
    if (type == "string" && s.contains("enum")) return "name";
    if (type != "array") return is_object(s) ? "object (below)" : type;
    const Json& items = resolve(s["items"]);
    if (ref_name(s["items"]) == "node") return "array of [nodes](#workflow-nodes)";
    if (is_object(items)) return "array of objects (below)";
    if (items.value("type", "") == "array") return "array of pairs";
    return "array of " + items.value("type", "any") + "s";
  }

  void row(const std::string& key, const Json& p, bool required) {
    const Json& s = resolve(p);
    std::string def_text = required ? "required" : "";
    if (p.contains("default")) def_text = "`" + p["default"].dump() + "`";
    std::string doc = p.value("description", s.value("description", ""));
    out_ += fmt::format("| `{}` | {} | {} | {} | {} |\n", key, cell(type_of(p)), cell(def_text),
                        cell(allowed(s.contains("items") ? s["items"] : s)), cell(doc));
  }

  // A section for an object's keys, then one for each object inside it.
  void object(const std::string& path, const Json& schema, const std::string& what) {
    const Json& s = resolve(schema);
    if (!is_object(s)) return;
    out_ += fmt::format("\n### `{}`\n\n{}\n\n", path, what);
    out_ += "| key | type | default | allowed | description |\n|---|---|---|---|---|\n";
    const Json required = s.value("required", Json::array());
    const auto is_required = [&](const std::string& k) {
      return std::find(required.begin(), required.end(), k) != required.end();
    };
    for (auto it = s["properties"].begin(); it != s["properties"].end(); ++it) {
      row(it.key(), *it, is_required(it.key()));
    }
    const std::string base = path == "/" ? "" : path;
    for (auto it = s["properties"].begin(); it != s["properties"].end(); ++it) {
      if (ref_name(*it) == "arrivals") arrivals(base + "/" + it.key());
      const Json& p = resolve(*it);
      const std::string doc = it->value("description", p.value("description", ""));
      if (is_object(p)) object(base + "/" + it.key(), p, doc);
      if (p.value("type", "") == "array" && ref_name(p["items"]) != "node") {
        object(base + "/" + it.key() + "/*", p["items"], doc);
      }
    }
  }

  // One section per arrival kind, each the one key of `path`.
  void arrivals(const std::string& path) {
    for (const Json& alternative : def("arrivals")["oneOf"]) {
      const std::string kind = alternative["required"][0].get<std::string>();
      object(path + "/" + kind, alternative["properties"][kind],
             "Arrival process `" + kind + "`: " + alternative.value("description", ""));
    }
  }

  void nodes() {
    out_ += "\n## Workflow nodes\n\nEvery node of `/workflow/nodes` has a `type`:\n";
    for (const Json& n : def("node")["oneOf"]) {
      const std::string type = n["properties"]["type"]["const"].get<std::string>();
      object("/workflow/nodes/* (type " + type + ")", n,
             n["properties"]["type"].value("description", ""));
    }
  }

  void conditions() {
    out_ +=
        "\n## Gate conditions\n\nA rule's `if` is an object with exactly one of these keys.\n\n";
    out_ += "| key | value | allowed | description |\n|---|---|---|---|\n";
    for (const Json& c : def("condition")["oneOf"]) {
      const std::string key = c["required"][0].get<std::string>();
      const Json& p = c["properties"][key];
      const std::string type = is_object(p) ? "object: " + join_names(p["required"]) : type_of(p);
      out_ += fmt::format("| `{}` | {} | {} | {} |\n", key, cell(type), cell(allowed(p)),
                          cell(p.value("description", "")));
    }
  }

  void distributions() {
    const Json& form = def("distribution")["oneOf"][1];
    out_ += "\n## Distributions\n\n" + def("distribution").value("description", "") + "\n\n";
    out_ += "| key | parameters | description |\n|---|---|---|\n";
    for (auto it = form["properties"].begin(); it != form["properties"].end(); ++it) {
      std::string params;
      const Json& f = *it;
      const Json forms = f.contains("oneOf") ? f["oneOf"] : Json::array({f});
      for (const Json& one : forms) {
        if (!is_object(one)) continue;
        std::string names;
        for (auto p = one["properties"].begin(); p != one["properties"].end(); ++p) {
          const std::string range = allowed(*p);
          names +=
              (names.empty() ? "`" : ", `") + p.key() + "`" + (range.empty() ? "" : " " + range);
        }
        params += (params.empty() ? "" : "; or ") + names;
      }
      if (params.empty() && f.contains("items") && is_object(f["items"])) {
        params = "array of {" + join_names(f["items"]["required"]) + "}";
      }
      if (params.empty()) params = type_of(f);
      out_ += fmt::format("| `{}` | {} | {} |\n", it.key(), cell(params),
                          cell(f.value("description", "")));
    }
  }

  Json root_;
  std::string out_;
};

}  // namespace

std::string scenario_reference_markdown() {
  std::string out =
      "# Scenario reference (format version 1)\n\n"
      "Generated by `orchsim schema --format markdown` from the loader's field tables "
      "(`scenarios/section_*.cpp`), like the JSON Schema: do not edit by hand. "
      "[scenario-format.md](scenario-format.md) introduces the format with examples; this page "
      "lists every key. Units are in key names (`_ms`, `_s`, `_per_s`, `_usd`, `_tokens`). A "
      "default is what an absent key means; it is the config struct's own initialiser.\n\n"
      "## Sections\n";
  return out + Reference(scenario_schema()).render();
}

}  // namespace orchsim::scenarios
