// The report loader without Qt (gui/report_data.hpp): a damaged or foreign
// file is a one-line message, never a crash. Built in every build, the
// sanitizer build included (the Qt explorer's own tests are not).
#include "gui/report_data.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace orchsim::gui {
namespace {

namespace fs = std::filesystem;

std::string golden() {
  const char* root = std::getenv("ORCHSIM_SOURCE_DIR");
  const fs::path dir =
      root && *root ? fs::path(root) : fs::path(__FILE__).parent_path() / ".." / "..";
  std::ifstream in(dir / "tests" / "cli" / "golden" / "rag_orchestrated_report.json");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ReportData, TheGoldenReportLoads) {
  const std::string text = golden();
  ASSERT_FALSE(text.empty());
  const ReportLoad r = parse_report(text, "golden");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.report->scenario_name, "rag_orchestrated");
  EXPECT_FALSE(r.report->series.empty());
}

TEST(ReportData, ASchemaOfAnotherTypeIsNamedInAFewWords) {
  // The message used to print the whole value: a file's worth of text, or
  // a stack overflow for a deeply nested one.
  const std::string big = "[\"x\", \"" + std::string(10'000, 'y') + "\"]";
  const ReportLoad r = parse_report("{\"schema\": " + big + "}", "r.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error,
            "r.json: not an orchsim report (schema is an array of 2, expected \"orchsim.report\")");
}

TEST(ReportData, ValuesNestedTooDeepAreRefusedNotOverflowTheStack) {
  const std::string deep = std::string(200'000, '[') + std::string(200'000, ']');
  for (const std::string& text :
       {"{\"schema\": " + deep + "}", "{\"x\": " + deep + ", \"schema\": \"orchsim.report\"}"}) {
    const ReportLoad r = parse_report(text, "r.json");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error.find("r.json: found values nested more than 64 levels deep"),
              std::string::npos)
        << r.error;
  }
}

TEST(ReportData, ANumberBeyondADoubleIsRefusedNotThrown) {
  // nlohmann throws out_of_range for 1e999, which escaped the loader (found by fuzz_report).
  const ReportLoad r = parse_report("{\"schema\": \"orchsim.report\", \"x\": 1e999}", "r.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.rfind("r.json: found a number beyond the range of a double", 0), 0u) << r.error;
}

}  // namespace
}  // namespace orchsim::gui
