// What every part of the ASL import shares: the file's name, the findings,
// and the errors that make the input unusable (each with its own file, so
// that --agents and --choices problems point at the right one).
// Internal to scenarios/asl.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenarios/asl/findings.hpp"
#include "scenarios/diagnostics.hpp"
#include "scenarios/json_reader.hpp"

namespace orchsim::scenarios::asl {

class ImportContext {
 public:
  explicit ImportContext(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  Findings& findings() { return findings_; }
  const Findings& findings() const { return findings_; }
  const std::vector<Diagnostic>& errors() const { return errors_; }
  bool ok() const { return errors_.empty(); }

  // A problem of the ASL file: "found ..., expected ...".
  void error(std::string pointer, std::string message, std::string hint = {}) {
    errors_.push_back({file_, std::move(pointer), std::move(message), std::move(hint)});
  }
  // A problem of another input file (--agents, --choices, --workload).
  void error_in(std::string file, std::string pointer, std::string message, std::string hint = {}) {
    errors_.push_back({std::move(file), std::move(pointer), std::move(message), std::move(hint)});
  }
  void unsupported(std::string pointer, std::string what, std::string instead) {
    findings_.add(FindingKind::kUnsupported, std::move(pointer), std::move(what),
                  std::move(instead));
  }
  void approximated(std::string pointer, std::string what, std::string instead) {
    findings_.add(FindingKind::kApproximated, std::move(pointer), std::move(what),
                  std::move(instead));
  }
  void guessed(std::string pointer, std::string what, std::string instead) {
    findings_.add(FindingKind::kGuessed, std::move(pointer), std::move(what), std::move(instead));
  }
  void ignored(std::string pointer, std::string field) {
    findings_.add(FindingKind::kIgnored, std::move(pointer), std::move(field));
  }

 private:
  std::string file_;
  Findings findings_;
  std::vector<Diagnostic> errors_;
};

// Short text of a JSON value for messages: `3`, `"abc"`, an object.
inline std::string found(const Json& j) { return describe_json(j); }

}  // namespace orchsim::scenarios::asl
