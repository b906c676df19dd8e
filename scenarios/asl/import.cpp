#include "scenarios/asl/import.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "scenarios/asl/import_context.hpp"
#include "scenarios/asl/payload_values.hpp"
#include "scenarios/asl/resources.hpp"
#include "scenarios/asl/state_walker.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::scenarios::asl {

namespace {

// Requests may run as long as a standard Step Functions execution: a year.
constexpr double kDrainSeconds = 366.0 * 24 * 3600;

std::string default_name(const std::string& file) {
  std::string name = std::filesystem::path(file).filename().string();
  for (const char* suffix : {".json", ".asl"}) {
    if (name.size() > std::string_view(suffix).size() && name.ends_with(suffix)) {
      name.resize(name.size() - std::string_view(suffix).size());
    }
  }
  return name.empty() ? std::string("imported") : name;
}

// --agents: an array of agents, or an object with an "agents" array.
std::map<std::string, Json> read_agents(const Json& doc, const std::string& file,
                                        ImportContext& cx) {
  std::map<std::string, Json> out;
  const Json* list = &doc;
  std::string at;
  if (doc.is_object() && doc.contains("agents")) {
    list = &doc["agents"];
    at = "/agents";
  }
  if (!list->is_array()) {
    cx.error_in(file, at,
                fmt::format("found {}, expected an array of agents (or an object with one in "
                            "\"agents\")",
                            found(*list)));
    return out;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Json& a = (*list)[i];
    const std::string p = pointer_join(at, std::to_string(i));
    if (!a.is_object() || !a.contains("name") || !a["name"].is_string()) {
      cx.error_in(file, pointer_join(p, "name"),
                  fmt::format("found {}, expected an agent with a \"name\"", found(a)));
      continue;
    }
    const std::string name = a["name"].get<std::string>();
    if (!out.emplace(name, a).second) {
      cx.error_in(file, pointer_join(p, "name"),
                  fmt::format("found \"{}\" again, expected unique agent names", name));
    }
  }
  return out;
}

Json default_workload() {
  return {{"arrivals", {{"poisson", {{"rate_per_s", 1}}}}},
          {"classes", {{{"name", "default"}, {"weight", 1}, {"input_tokens", 500}}}}};
}

// The state machine's own fields besides StartAt and States: TimeoutSeconds
// (returned: the requests' deadline), the rest noted.
std::optional<double> read_top_fields(const Json& doc, ImportContext& cx) {
  std::optional<double> timeout_s;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string& k = it.key();
    if (k == "StartAt" || k == "States" || k == "Comment" || k == "Version") continue;
    if (k == "TimeoutSeconds") {
      if (!it->is_number_integer() || it->get<double>() < 1.0) {
        cx.error("/TimeoutSeconds",
                 fmt::format("found {}, expected a whole number of seconds >= 1", found(*it)));
      } else {
        timeout_s = it->get<double>();
        cx.approximated("/TimeoutSeconds",
                        fmt::format("the execution's TimeoutSeconds {}", *timeout_s),
                        "the request's deadline: calls and retries stop at it, but a Catch may "
                        "still route the failure (Step Functions ends the execution with "
                        "States.Timeout)");
      }
    } else if (k == "QueryLanguage") {
      cx.ignored("/QueryLanguage", k);
    } else {
      cx.unsupported(pointer_join("", k), fmt::format("unknown field \"{}\"", k), "ignored");
    }
  }
  return timeout_s;
}

// A --agents entry no Task calls is an error (a misspelt name, most likely).
void check_unused_agents(const StateWalker& walker, const StateWalker::Output& walked,
                         const std::string& agents_file, ImportContext& cx) {
  std::vector<std::string> called;
  for (const Json& a : walked.agents) called.push_back(a["name"].get<std::string>());
  for (const std::string& name : walker.unused_supplied()) {
    const std::string near = closest_match(name, called);
    cx.error_in(agents_file, "",
                fmt::format("found agent \"{}\", expected the name of an agent a Task calls "
                            "(the import names them after their resource)",
                            name),
                near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
  }
}

// The scenario's description: the state machine's Comment, then what the
// import made of it.
std::string import_description(const Json& doc, const std::string& file,
                               const ImportSummary& summary, std::size_t agents,
                               const ImportContext& cx) {
  const std::size_t unsupported = cx.findings().count(FindingKind::kUnsupported);
  std::string description;
  if (const auto c = doc.find("Comment"); c != doc.end() && c->is_string()) {
    description = c->get<std::string>() + ". ";
  }
  description += fmt::format(
      "Imported from {} (AWS Step Functions) by orchsim import asl: {} states as {} nodes, {} "
      "agents ({} default mocks), {} guessed values, {} unsupported constructs (docs/import.md)",
      std::filesystem::path(file).filename().string(), summary.states, summary.nodes, agents,
      summary.defaulted_agents.size(), cx.findings().count(FindingKind::kGuessed), unsupported);
  return description;
}

// The workload: --workload's, or a default; the state machine's TimeoutSeconds
// is the deadline of each class that has none.
Json import_workload(const ImportOptions& options, std::optional<double> timeout_s) {
  Json workload = options.workload ? *options.workload : default_workload();
  if (timeout_s && workload.contains("classes") && workload["classes"].is_array()) {
    for (Json& c : workload["classes"]) {
      if (c.is_object() && !c.contains("deadline_ms")) c["deadline_ms"] = *timeout_s * 1000.0;
    }
  }
  return workload;
}

}  // namespace

std::optional<Json> parse_json(const std::string& text, const std::string& file,
                               bool allow_comments, std::vector<Diagnostic>& errors) {
  try {
    // Nesting is bounded as in every orchsim reader (a copy of a value
    // recurses once per level), and so is the walk over nested states.
    NestingLimit limit;
    Json doc = Json::parse(text, limit.callback(), /*allow_exceptions=*/true, allow_comments);
    if (limit.exceeded()) {
      errors.push_back({file, "", fmt::format("nested more than {} levels deep", kMaxJsonNesting),
                        "state machines nest a few levels; is this the right file?"});
      return std::nullopt;
    }
    return doc;
  } catch (const Json::out_of_range& e) {
    // A number beyond a double (1e999): Debian's nlohmann throws
    // out_of_range for it, not parse_error (docs/reliability.md, bug 17).
    errors.push_back({file, "", number_overflow_message(text, e, allow_comments), ""});
    return std::nullopt;
  } catch (const Json::parse_error& e) {
    // Where: nlohmann counts bytes; give the line, its column and its text.
    const std::size_t byte = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    std::size_t line = 1, line_start = 0;
    for (std::size_t i = 0; i < byte; ++i) {
      if (text[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    std::string what = e.what();
    if (const std::size_t colon = what.find(": "); colon != std::string::npos) {
      what = what.substr(colon + 2);  // "syntax error while parsing object - ..."
    }
    std::string source_line = text.substr(line_start, line_end - line_start);
    const std::size_t first = source_line.find_first_not_of(" \t");
    source_line = first == std::string::npos ? std::string() : source_line.substr(first);
    std::string hint;
    if (!source_line.empty()) hint = fmt::format("line {}: {}", line, source_line);
    if (text.find("${") != std::string::npos) {
      hint += std::string(hint.empty() ? "" : "; ") +
              "it has ${...} placeholders: is it a template? substitute them first";
    }
    errors.push_back(
        {file, "",
         fmt::format("not valid JSON: line {}, column {}: {}", line, byte - line_start + 1, what),
         hint});
    return std::nullopt;
  }
}

std::string ImportResult::format_errors() const {
  std::string out;
  for (const Diagnostic& d : errors) {
    out += fmt::format("{}: {}: {}", d.file, d.pointer.empty() ? "/" : d.pointer, d.message);
    if (!d.hint.empty()) out += fmt::format(" ({})", d.hint);
    out += '\n';
  }
  return out;
}

std::string ImportResult::report(const std::string& file) const {
  std::string types;
  for (const auto& [type, n] : summary.states_by_type) {
    types += fmt::format("{}{} {}", types.empty() ? "" : ", ", n, type);
  }
  const std::size_t unsupported = findings.count(FindingKind::kUnsupported);
  std::string out =
      fmt::format("{}: {} state{} ({}) imported as {} nodes: {}\n", file, summary.states,
                  summary.states == 1 ? "" : "s", types, summary.nodes,
                  unsupported == 0 ? std::string("fully imported")
                                   : fmt::format("not fully imported ({} unsupported construct{})",
                                                 unsupported, unsupported == 1 ? "" : "s"));
  const auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += fmt::format("{}\"{}\"", s.empty() ? "" : ", ", x);
    return s;
  };
  if (!summary.supplied_agents.empty()) {
    out += fmt::format("agents from --agents: {}\n", list(summary.supplied_agents));
  }
  if (!summary.defaulted_agents.empty()) {
    out += fmt::format("default mock agents (--agents supplies real ones): {}\n",
                       list(summary.defaulted_agents));
  }
  if (!summary.guessed_choices.empty()) {
    out += fmt::format("Choices with guessed probabilities (--choices sets them): {}\n",
                       list(summary.guessed_choices));
  }
  out += findings.format(file);
  return out;
}

std::string ImportResult::document(const std::string& file, const std::string& made_with) const {
  if (!scenario) return {};
  const std::size_t unsupported = findings.count(FindingKind::kUnsupported);
  std::string out = fmt::format(
      "// {}: the AWS Step Functions state machine {}, imported by orchsim import asl\n"
      "// ({} state{} as {} nodes). Node names are the state names; helper nodes say what they\n"
      "// do: \"(draw)\" draws a Choice's branch, \"(catch)\" routes errors, \"(join)\" ends a "
      "fan-out.\n"
      "// {}; {} value{} guessed and {} agent{} given default mocks\n"
      "// (the import's report lists each; docs/import.md says why).\n",
      (*scenario)["name"].get<std::string>(), std::filesystem::path(file).filename().string(),
      summary.states, summary.states == 1 ? "" : "s", summary.nodes,
      unsupported == 0 ? std::string("Imported fully")
                       : fmt::format("Not fully imported: {} construct{} orchsim cannot express",
                                     unsupported, unsupported == 1 ? "" : "s"),
      findings.count(FindingKind::kGuessed), findings.count(FindingKind::kGuessed) == 1 ? "" : "s",
      summary.defaulted_agents.size(), summary.defaulted_agents.size() == 1 ? "" : "s");
  if (!made_with.empty()) out += fmt::format("// Made with: {}\n", made_with);
  out += scenario->dump(2);
  out += '\n';
  return out;
}

ImportResult import_asl(const std::string& text, const std::string& file,
                        const ImportOptions& options) {
  ImportResult out;
  std::optional<Json> doc = parse_json(text, file, /*allow_comments=*/false, out.errors);
  if (!doc) return out;
  ImportContext cx(file);
  if (!doc->is_object()) {
    cx.error("", fmt::format("found {}, expected a state machine (an object with StartAt and "
                             "States)",
                             found(*doc)));
    out.errors = cx.errors();
    return out;
  }
  const std::optional<double> timeout_s = read_top_fields(*doc, cx);
  std::map<std::string, Json> supplied;
  if (options.agents) supplied = read_agents(*options.agents, options.agents_file, cx);
  PayloadValues values;
  if (options.choices) values = PayloadValues(*options.choices, options.choices_file, cx);
  if (options.workload && !options.workload->is_object()) {
    cx.error_in(options.workload_file, "",
                fmt::format("found {}, expected a workload (an object with \"arrivals\" and "
                            "\"classes\")",
                            found(*options.workload)));
  }
  if (!cx.ok()) {
    out.errors = cx.errors();
    return out;
  }
  StateWalker walker(*doc, cx, values, supplied);
  std::optional<StateWalker::Output> walked = walker.walk();
  if (walked) {
    values.check_all_used(walker.state_names(), cx);
    check_unused_agents(walker, *walked, options.agents_file, cx);
  }
  out.summary = walker.summary();
  out.findings = cx.findings();
  if (!walked || !cx.ok()) {
    out.errors = cx.errors();
    return out;
  }

  Json workload = import_workload(options, timeout_s);
  const std::string description =
      import_description(*doc, file, out.summary, walked->agents.size(), cx);
  // A state machine without a Task calls no agent; the format wants one.
  if (walked->agents.empty()) {
    walked->agents.push_back({{"name", "idle"}, {"role", "none"}, {"latency", {{"base_ms", 0}}}});
  }
  Json scenario = Json::object();
  scenario["version"] = kScenarioFormatVersion;
  scenario["name"] = options.name.empty() ? default_name(file) : options.name;
  scenario["description"] = options.description.empty() ? description : options.description;
  scenario["run"] = {{"seed", 1}, {"requests", options.requests}, {"drain_s", kDrainSeconds}};
  scenario["agents"] = std::move(walked->agents);
  scenario["workload"] = std::move(workload);
  scenario["workflow"] = {{"entry", walked->entry}, {"nodes", std::move(walked->nodes)}};

  // The scenario must load: what the loader finds is a problem of the inputs
  // (a --agents or --workload entry) or of the import itself.
  const LoadResult loaded = parse_scenario(scenario.dump(), file + " (imported scenario)");
  if (!loaded.ok()) {
    for (const Diagnostic& d : loaded.diagnostics.items()) out.errors.push_back(d);
    return out;
  }
  out.scenario = std::move(scenario);
  return out;
}

}  // namespace orchsim::scenarios::asl
