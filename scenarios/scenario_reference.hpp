// The scenario format's reference in Markdown: every key with its type,
// default, allowed values and doc, generated from the JSON Schema (and so
// from the loader's field tables). docs/scenario-reference.md is its output,
// kept in step by tests/scenarios/schema_generated_test.cpp;
// `orchsim schema --format markdown` prints it.
#pragma once

#include <string>

namespace orchsim::scenarios {

std::string scenario_reference_markdown();

}  // namespace orchsim::scenarios
