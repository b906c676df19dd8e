// The JSON Schema (scenarios/schema/scenario.schema.json) and the reference
// (docs/scenario-reference.md) are generated from the loader's field tables.
// These tests fail when a checked-in file differs from what the tables
// generate, naming each difference: a default, range or enum name changed in
// a struct or a table cannot leave the schema or the docs behind, and neither
// file can be edited by hand. Regenerate with
//   build/dev/bin/orchsim schema > scenarios/schema/scenario.schema.json
//   build/dev/bin/orchsim schema --format markdown > docs/scenario-reference.md
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "orchestration/orchestrator.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/scenario_reference.hpp"
#include "scenarios/scenario_schema.hpp"

namespace orchsim::scenarios::schema_generated_test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

fs::path source_dir() {
  if (const char* root = std::getenv("ORCHSIM_SOURCE_DIR"); root && *root) return root;
  return fs::path(__FILE__).parent_path().parent_path().parent_path();
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Json schema_file() {
  return Json::parse(read_text(source_dir() / "scenarios" / "schema" / "scenario.schema.json"));
}

// Every difference between two documents, as "<pointer>: <a> vs <b>".
void differences(const Json& a, const Json& b, const std::string& at,
                 std::vector<std::string>& out) {
  // Numbers compare by value: the file reads 3 as unsigned, the tables make it signed.
  if (a.is_object() != b.is_object() || a.is_array() != b.is_array() ||
      (!a.is_structured() && a != b)) {
    out.push_back((at.empty() ? "/" : at) + ": " + a.dump() + " vs " + b.dump());
    return;
  }
  if (a.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!b.contains(it.key())) {
        out.push_back(at + "/" + it.key() + ": only in the file");
      } else {
        differences(*it, b.at(it.key()), at + "/" + it.key(), out);
      }
    }
    for (auto it = b.begin(); it != b.end(); ++it) {
      if (!a.contains(it.key())) out.push_back(at + "/" + it.key() + ": only generated");
    }
  } else if (a.is_array()) {
    if (a.size() != b.size()) {
      out.push_back(at + ": " + std::to_string(a.size()) + " vs " + std::to_string(b.size()) +
                    " items");
      return;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
      differences(a[i], b[i], at + "/" + std::to_string(i), out);
    }
  }
}

std::string listed(const std::vector<std::string>& lines) {
  std::string out;
  for (std::size_t i = 0; i < lines.size() && i < 20; ++i) out += "  " + lines[i] + "\n";
  if (lines.size() > 20) out += "  ... and " + std::to_string(lines.size() - 20) + " more\n";
  return out;
}

TEST(GeneratedSchema, TheFileIsWhatTheFieldTablesGenerate) {
  std::vector<std::string> diff;
  differences(schema_file(), scenario_schema(), "", diff);
  EXPECT_TRUE(diff.empty()) << "scenarios/schema/scenario.schema.json (file vs generated):\n"
                            << listed(diff)
                            << "regenerate: build/dev/bin/orchsim schema > "
                               "scenarios/schema/scenario.schema.json";
  // Byte for byte too, so that the file is exactly the command's output.
  EXPECT_TRUE(read_text(source_dir() / "scenarios/schema/scenario.schema.json") ==
              scenario_schema().dump(2) + "\n")
      << "the file is not byte for byte the output of orchsim schema";
}

// Only the "default" keywords: a default in the file that is not the
// initialiser of the member the key fills.
TEST(GeneratedSchema, EverySchemaDefaultIsTheStructsInitialiser) {
  std::vector<std::string> all, defaults;
  differences(schema_file(), scenario_schema(), "", all);
  for (const std::string& d : all) {
    if (d.find("/default") != std::string::npos) defaults.push_back(d);
  }
  EXPECT_TRUE(defaults.empty()) << "schema default vs the struct's initialiser:\n"
                                << listed(defaults);
}

// The defaults issue 19 found written twice, read from the file by path and
// compared with default-constructed structs, independently of the tables.
TEST(GeneratedSchema, DefaultsOnceWrittenTwiceAreTheStructs) {
  const Json s = schema_file();
  const Json& call = s["$defs"]["node"]["oneOf"][0]["properties"];
  const orchestration::ValidatorConfig validator;
  const Json& v = call["validator"]["properties"];
  EXPECT_EQ(v["bad_below"]["default"].get<double>(), validator.bad_below);
  EXPECT_EQ(v["true_positive_rate"]["default"].get<double>(), validator.true_positive_rate);
  EXPECT_EQ(v["false_positive_rate"]["default"].get<double>(), validator.false_positive_rate);
  const orchestration::RetryBudgetConfig budget;
  const Json& b = s["$defs"]["resilience"]["properties"]["retry_budget"]["properties"];
  EXPECT_EQ(b["max_tokens"]["default"].get<double>(), budget.max_tokens);
  EXPECT_EQ(b["token_ratio"]["default"].get<double>(), budget.token_ratio);
  EXPECT_EQ(b["budget_percent"]["default"].get<double>(), budget.budget_percent);
  EXPECT_EQ(b["min_retry_concurrency"]["default"].get<std::uint32_t>(),
            budget.min_retry_concurrency);
  const RunSettings run;
  EXPECT_EQ(s["properties"]["run"]["properties"]["drain_s"]["default"].get<double>(),
            run.drain.seconds_f());
  EXPECT_EQ(s["properties"]["run"]["properties"]["quality_threshold"]["default"].get<double>(),
            run.quality_threshold);
}

TEST(GeneratedSchema, TheReferenceIsWhatTheFieldTablesGenerate) {
  const std::string file = read_text(source_dir() / "docs" / "scenario-reference.md");
  EXPECT_TRUE(file == scenario_reference_markdown())
      << "docs/scenario-reference.md is not what the tables generate; regenerate: "
         "build/dev/bin/orchsim schema --format markdown > docs/scenario-reference.md";
}

TEST(GeneratedSchema, TheReferenceListsEveryKeyWithItsDefault) {
  const std::string md = scenario_reference_markdown();
  EXPECT_NE(md.find("| `bad_below` | number | `0.3` | [0, 1] |"), std::string::npos);
  EXPECT_NE(md.find("| `jitter` | name | `\"full\"` | `none`, `full`, `equal`, `decorrelated`, "
                    "`additive` |"),
            std::string::npos);
  EXPECT_NE(md.find("### `/workflow/nodes/* (type join)`"), std::string::npos);
  EXPECT_NE(md.find("| `lognormal` |"), std::string::npos);
}

}  // namespace
}  // namespace orchsim::scenarios::schema_generated_test
