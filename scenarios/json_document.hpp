// Parsing a scenario's text into a JSON document, with what nlohmann's
// parser does not report on its own: the line and column of a syntax error,
// and keys given twice in one object (nlohmann keeps one of the values
// without a word, so a scenario could silently lose a setting). Then the
// --set overrides, applied to the document before it is read.
//
//   std::optional<Json> doc = parse_document(text, diagnostics);
//   if (doc) apply_overrides(*doc, options.overrides, diagnostics);
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scenarios/json_reader.hpp"

namespace orchsim::scenarios {

// The document (comments allowed), or nullopt with the problems reported:
// syntax errors, keys given twice, numbers beyond a double, nesting deeper
// than kMaxJsonNesting.
std::optional<Json> parse_document(const std::string& text, Diagnostics& d);

// Replaces existing values: each (JSON pointer, value), the value parsed as
// JSON when it is valid JSON, else taken as a string (override_value() in
// json_reader.hpp, which refuses the empty pointer, values nested too deep,
// numbers beyond a double and text that is not UTF-8). A routing policy's
// params (".../routing/params/NAME") may also be added: the policy checks
// their names itself.
void apply_overrides(Json& doc, const std::vector<std::pair<std::string, std::string>>& overrides,
                     Diagnostics& d);

}  // namespace orchsim::scenarios
