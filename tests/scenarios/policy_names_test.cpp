// The routing policies the schema names are the registry's built-ins: one
// table (orchestration/policy_registry.hpp), checked here against the
// schema's list, so neither can change without the other.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "orchestration/policy_registry.hpp"

namespace orchsim::scenarios::policy_names_test {
namespace {

nlohmann::json schema() {
  std::ifstream in(std::string(std::getenv("ORCHSIM_SOURCE_DIR")) +
                   "/scenarios/schema/scenario.schema.json");
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

TEST(PolicyNames, TheSchemaListsExactlyTheBuiltInPolicies) {
  const nlohmann::json s = schema();
  const nlohmann::json& policy = s.at(
      nlohmann::json::json_pointer("/$defs/node/oneOf/0/properties/routing/properties/policy"));
  std::vector<std::string> in_schema = policy.at("examples").get<std::vector<std::string>>();
  std::sort(in_schema.begin(), in_schema.end());
  std::vector<std::string> builtins;
  for (const auto* e : orchestration::PolicyRegistry::global().entries()) {
    if (e->info.builtin) builtins.push_back(e->info.name);
  }
  EXPECT_EQ(in_schema, builtins);
  // Any registered name is allowed: user policies are not in the list.
  EXPECT_EQ(policy.at("pattern"), "^[a-z][a-z0-9_]*$");
}

}  // namespace
}  // namespace orchsim::scenarios::policy_names_test
