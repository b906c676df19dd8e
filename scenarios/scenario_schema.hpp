// The scenario format's JSON Schema (draft 2020-12), generated from the same
// field tables the loader reads through (scenarios/section_*.cpp): keys,
// types, ranges, enum names and defaults cannot drift from the loader.
// scenarios/schema/scenario.schema.json is its output, kept in step by
// tests/scenarios/schema_generated_test.cpp; `orchsim schema` prints it.
//
//   std::cout << scenario_schema().dump(2) << '\n';
#pragma once

#include <nlohmann/json.hpp>

namespace orchsim::scenarios {

nlohmann::ordered_json scenario_schema();

}  // namespace orchsim::scenarios
