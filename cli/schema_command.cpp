// `orchsim schema`: the scenario format's JSON Schema, generated from the
// loader's field tables (the file scenarios/schema/scenario.schema.json is
// this output), or its reference as Markdown (docs/scenario-reference.md).
#include <iostream>

#include "cli/commands.hpp"
#include "scenarios/scenario_reference.hpp"
#include "scenarios/scenario_schema.hpp"

namespace orchsim::cli {

int schema_command(const std::string& format) {
  if (format == "markdown") {
    std::cout << scenarios::scenario_reference_markdown();
  } else {
    std::cout << scenarios::scenario_schema().dump(2) << '\n';
  }
  return kExitOk;
}

}  // namespace orchsim::cli
