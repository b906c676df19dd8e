// The report loader without Qt (gui/report_data.hpp): a damaged or foreign
// file is a one-line message, never a crash. Built in every build, the
// sanitizer build included (the Qt explorer's own tests are not).
#include "gui/report_data.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "eval/report.hpp"
#include "eval/runner.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::gui::report_data_test {
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

TEST(ReportData, MetastabilityEpisodesAreReadAndABadOneIsNamed) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(golden());
  EXPECT_TRUE(parse_report(doc.dump(), "golden").report->metastability.empty());
  doc["metastability"]["episodes"] = nlohmann::ordered_json::parse(R"([
    {"trigger_start_ms": 60000.0, "trigger_end_ms": 85000.0, "agents": ["llm_backend"],
     "onset_ms": 61440.0, "sustained": true, "recovered": true, "recovery_ms": 17400.0,
     "peak_retry_amplification": 1.24},
    {"trigger_start_ms": 100000.0, "trigger_end_ms": 130000.0, "agents": ["db"],
     "onset_ms": null, "sustained": false, "recovered": false, "recovery_ms": null,
     "peak_retry_amplification": 0.0}])");
  const ReportLoad r = parse_report(doc.dump(), "r.json");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.report->metastability.size(), 2u);
  const MetastabilityMark& m = r.report->metastability[0];
  EXPECT_EQ(m.trigger_start_ms, 60000.0);
  EXPECT_EQ(m.onset_ms, 61440.0);
  EXPECT_TRUE(m.sustained);
  EXPECT_EQ(m.recovered_ms, 85000.0 + 17400.0);  // the report's is from the trigger's end
  EXPECT_FALSE(r.report->metastability[1].onset_ms.has_value());
  EXPECT_FALSE(r.report->metastability[1].recovered_ms.has_value());

  doc["metastability"]["episodes"][0]["sustained"] = "yes";
  const ReportLoad bad = parse_report(doc.dump(), "r.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error.find("/metastability/episodes/0/sustained"), std::string::npos) << bad.error;
  EXPECT_NE(bad.error.find("expected true or false"), std::string::npos) << bad.error;
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

// The explorer shows a run made in-process straight from the results model
// (report_from_run): the same view, number for number, as reading the
// report.json that `orchsim run --out` writes for that run.
class InProcessReport : public ::testing::TestWithParam<const char*> {};

TEST_P(InProcessReport, IsTheViewOfTheReportFile) {
  const scenarios::LoadResult loaded = scenarios::load_scenario(GetParam());
  ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.format();
  eval::RunOptions options;
  options.seed = 7;
  options.requests = 1500;
  const eval::RunResult result = eval::run_scenario(*loaded.scenario, options);
  // Through text, as the file is read.
  const ReportLoad file =
      parse_report(eval::make_report(*loaded.scenario, result).dump(2), "same source");
  ASSERT_TRUE(file.ok()) << file.error;
  const ReportData direct = report_from_run(*loaded.scenario, result, "same source");
  EXPECT_TRUE(direct.metrics == file.report->metrics);
  EXPECT_TRUE(direct.latency_bins == file.report->latency_bins);
  EXPECT_TRUE(direct.series == file.report->series);
  EXPECT_TRUE(direct.metastability == file.report->metastability);
  EXPECT_TRUE(direct == *file.report);
  EXPECT_FALSE(direct.series.empty());
}

// rag: classes, a loop, routing; nested_retries: sub-workflows and a
// metastability episode; model_cascade: a cascade over two agents.
INSTANTIATE_TEST_SUITE_P(Library, InProcessReport,
                         ::testing::Values("rag_orchestrated", "nested_retries", "model_cascade",
                                           "retry_storm"));

}  // namespace
}  // namespace orchsim::gui::report_data_test
