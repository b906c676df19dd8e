// A second, independent implementation checks the schema: valijson (Debian's
// libvalijson-dev) validates the built-in scenarios and the kitchen sink, and
// rejects an unknown key, agreeing with schema_test.cpp's own checker.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "scenarios/scenario.hpp"

namespace orchsim::scenarios::schema_valijson_test {
namespace {

namespace fs = std::filesystem;

fs::path source_dir() {
  const char* s = std::getenv("ORCHSIM_SOURCE_DIR");
  return s ? fs::path(s) : fs::path(__FILE__).parent_path().parent_path().parent_path();
}

nlohmann::json read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str(), nullptr, true, /*ignore_comments=*/true);
}

class Valijson {
 public:
  Valijson() : schema_doc_(read(source_dir() / "scenarios/schema/scenario.schema.json")) {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(schema_doc_);
    parser.populateSchema(adapter, schema_);
  }
  // Empty when valid; otherwise the first errors, one per line.
  std::string errors(const nlohmann::json& doc) const {
    valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter adapter(doc);
    if (validator.validate(schema_, adapter, &results)) return "";
    std::string out;
    valijson::ValidationResults::Error e;
    for (int i = 0; i < 5 && results.popError(e); ++i) {
      std::string where;
      for (const auto& c : e.context) where += c;
      out += where + ": " + e.description + "\n";
    }
    return out.empty() ? "invalid" : out;
  }

 private:
  nlohmann::json schema_doc_;
  valijson::Schema schema_;
};

TEST(ScenarioSchemaValijson, BuiltInScenariosAndTheKitchenSinkValidate) {
  const Valijson v;
  for (const std::string& name : library_names()) {
    EXPECT_EQ(v.errors(read(fs::path(library_dir()) / (name + ".json"))), "") << name;
  }
  EXPECT_EQ(v.errors(read(source_dir() / "tests/scenarios/data/kitchen_sink.json")), "");
}

TEST(ScenarioSchemaValijson, UnknownKeysAndBadValuesAreRejected) {
  const Valijson v;
  nlohmann::json doc = read(fs::path(library_dir()) / "rag_orchestrated.json");
  nlohmann::json misspelt = doc;
  misspelt["agents"][0]["servrs"] = 4;
  EXPECT_NE(v.errors(misspelt), "");
  nlohmann::json negative = doc;
  negative["agents"][0]["outcomes"]["transient_error"] = 1.5;
  EXPECT_NE(v.errors(negative), "");
  nlohmann::json no_agents = doc;
  no_agents.erase("agents");
  EXPECT_NE(v.errors(no_agents), "");
}

}  // namespace
}  // namespace orchsim::scenarios::schema_valijson_test
