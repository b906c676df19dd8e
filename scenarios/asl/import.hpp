// Imports an AWS Step Functions state machine (Amazon States Language, ASL,
// states-language.net) as an orchsim scenario: Task -> call node, Retry ->
// retry policy with Step Functions' semantics, Catch -> failure routing,
// Choice -> gate with branch probabilities, Parallel -> fan-out and join,
// Map -> map fan-out, Wait -> a timer call, Pass/Succeed/Fail -> pass-through
// and terminals. Node names are the ASL state names, so `orchsim explain`
// and the GUI show the state machine the user knows. docs/import.md has the
// mapping, the error-name table and the default agents.
//
// The scenario is a JSON document that then goes through the normal loader:
// an import that returns a scenario has already loaded it once.
//
//   ImportOptions options;
//   ImportResult r = import_asl(text, "order.asl.json", options);
//   if (!r.ok()) { std::cerr << r.format_errors(); return 2; }     // bad input
//   std::cout << r.report("order.asl.json");                        // what it guessed and why
//   if (!r.findings.full()) ...                                     // unsupported constructs
//   write(r.scenario->dump(2));
//
// Errors are values. Bad input (not JSON, not a state machine, a transition
// to no state, a bad --choices entry) gives errors and no scenario; anything
// the simulator cannot express gives a finding with the JSON pointer into the
// ASL file and what was done instead (findings.hpp), and a scenario.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/asl/findings.hpp"
#include "scenarios/diagnostics.hpp"
#include "scenarios/json_reader.hpp"

namespace orchsim::scenarios::asl {

struct ImportOptions {
  // The scenario's name; empty: the file name without .asl.json / .json.
  std::string name;
  // The scenario's description; empty: the state machine's Comment and what
  // the import did.
  std::string description;
  // Agent definitions (--agents): an array of scenario agents, or an object
  // with an "agents" array (a scenario, `orchsim fit` output). An agent whose
  // name is a Task's agent name serves it; the others get the default mock.
  std::optional<Json> agents;
  std::string agents_file = "agents.json";
  // Payload-dependent values (--choices): payload_values.hpp.
  std::optional<Json> choices;
  std::string choices_file = "choices.json";
  // The scenario's workload (--workload): {"arrivals": ..., "classes": [...]};
  // absent: Poisson arrivals at 1 request/s, one class of 500 input tokens.
  std::optional<Json> workload;
  std::string workload_file = "workload.json";
  std::uint64_t requests = 1000;  // run.requests
};

struct ImportSummary {
  std::map<std::string, std::size_t> states_by_type;  // "Task" -> 3
  std::size_t states = 0;
  std::size_t nodes = 0;
  std::vector<std::string> defaulted_agents;  // Task agents given the default mock
  std::vector<std::string> supplied_agents;   // Task agents from --agents
  std::vector<std::string> guessed_choices;   // Choices with default probabilities
};

struct ImportResult {
  std::optional<Json> scenario;  // absent when the input is not usable
  std::vector<Diagnostic> errors;
  Findings findings;
  ImportSummary summary;

  bool ok() const { return errors.empty() && scenario.has_value(); }
  // Imported fully: usable and nothing unsupported.
  bool full() const { return ok() && findings.full(); }
  // "<file>: <pointer>: <message> (<hint>)", one per line.
  std::string format_errors() const;
  // What was imported, what was defaulted or guessed, and every finding.
  std::string report(const std::string& file) const;
  // The scenario file: a `//` header (what it is, how complete, `made_with`:
  // the command that made it) and the JSON.
  std::string document(const std::string& file, const std::string& made_with) const;
};

// `text` is the ASL document; `file` names it in messages.
ImportResult import_asl(const std::string& text, const std::string& file,
                        const ImportOptions& options = {});

// Parses JSON text, for the import's input files. A parse error is one
// diagnostic naming the line and column, with the line's text as the hint.
std::optional<Json> parse_json(const std::string& text, const std::string& file,
                               bool allow_comments, std::vector<Diagnostic>& errors);

}  // namespace orchsim::scenarios::asl
