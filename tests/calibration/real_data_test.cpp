// The real-data validity test of issue 15: a single agent calibrated from
// each shared LLMPerf file, driven as LLMPerf drove it (closed loop, 5
// users, 550 input tokens, as many output tokens as the provider gave),
// reproduces the file's TTFT and end-to-end latency at p50 and p90 within
// 10%, p99 within 20%, and its error rate within the 95% binomial interval.
//
// The measured quantiles are computed here from the raw file (NumPy's
// linear interpolation, as LLMPerf's summaries do), independently of the
// calibration readers, and checked against the summary file too.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "scenarios/calibration/calibrate.hpp"
#include "scenarios/calibration/model_check.hpp"

namespace orchsim::calibration::real_data_test {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(ORCHSIM_SHARED_DATA) / "llmperf-2023-12";

double numpy_quantile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const double r = p * static_cast<double>(v.size() - 1);
  const auto i = static_cast<std::size_t>(r);
  if (i + 1 >= v.size()) return v.back();
  return v[i] + (r - static_cast<double>(i)) * (v[i + 1] - v[i]);
}

struct Measured {
  std::vector<double> ttft_ms, e2e_ms;
  std::size_t requests = 0, errors = 0;
};

Measured read_raw(const fs::path& file) {
  std::ifstream in(file);
  const nlohmann::json doc = nlohmann::json::parse(in);
  Measured m;
  for (const auto& r : doc) {
    ++m.requests;
    if (!r["error_code"].is_null()) {
      ++m.errors;
      continue;
    }
    m.ttft_ms.push_back(r["ttft_s"].get<double>() * 1e3);
    m.e2e_ms.push_back(r["end_to_end_latency_s"].get<double>() * 1e3);
  }
  return m;
}

std::vector<fs::path> llmperf_files() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kData)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() == ".json" && name.find(".summary.") == std::string::npos) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(RealData, SharedLlmperfFilesArePresent) {
  ASSERT_TRUE(fs::is_directory(kData)) << kData << " (shared/ must sit beside the project)";
  EXPECT_EQ(llmperf_files().size(), 15u);
}

TEST(RealData, EveryLlmperfFileIsReproducedClosedLoop) {
  const auto files = llmperf_files();
  ASSERT_FALSE(files.empty());
  std::cout << "| file | TTFT p50 | p90 | p99 | e2e p50 | p90 | p99 | error rate sim (measured, "
               "95% CI) |\n"
               "|---|---|---|---|---|---|---|---|\n";
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    FitOptions options;
    options.inputs = {file.string()};
    std::string problem;
    ASSERT_TRUE(parse_group_by("file", options.group_by, problem));
    const Result<FitReport> fitted = calibrate(options);
    ASSERT_TRUE(fitted.ok()) << fitted.error().format();
    ASSERT_EQ(fitted.value().groups.size(), 1u);
    const GroupFit& group = fitted.value().groups.front();
    ASSERT_TRUE(group.agent.has_value());

    CheckOptions check;
    check.users = 5;
    check.requests = 20'000;
    const ModelCheck c = check_group(group, check);
    ASSERT_TRUE(c.checked) << c.skipped;

    // The oracle: the raw file, read here; and LLMPerf's own summary.
    const Measured m = read_raw(file);
    std::ifstream summary_in(file.parent_path() / (file.stem().string() + ".summary.json"));
    const nlohmann::json summary = nlohmann::json::parse(summary_in);
    const double ps[] = {0.5, 0.9, 0.99};
    const char* names[] = {"p50", "p90", "p99"};
    for (int i = 0; i < 3; ++i) {
      const double ttft = numpy_quantile(m.ttft_ms, ps[i]);
      const double e2e = numpy_quantile(m.e2e_ms, ps[i]);
      EXPECT_NEAR(ttft,
                  1e3 * summary[std::string("results_ttft_s_quantiles_") + names[i]].get<double>(),
                  1e-6);
      EXPECT_NEAR(e2e,
                  1e3 * summary[std::string("results_end_to_end_latency_s_quantiles_") + names[i]]
                            .get<double>(),
                  1e-6);
      EXPECT_NEAR(c.ttft[i].measured, ttft, 1e-9 * ttft);
      EXPECT_NEAR(c.latency[i].measured, e2e, 1e-9 * e2e);
      const double limit = i < 2 ? 0.10 : 0.20;
      EXPECT_LE(std::fabs(c.ttft[i].simulated / ttft - 1.0), limit) << "TTFT " << names[i];
      EXPECT_LE(std::fabs(c.latency[i].simulated / e2e - 1.0), limit) << "e2e " << names[i];
    }
    EXPECT_EQ(c.measured_calls, m.requests);
    EXPECT_EQ(c.measured_errors, m.errors);
    EXPECT_TRUE(c.error_rate_pass) << c.simulated_error_rate << " outside [" << c.error_rate_ci[0]
                                   << ", " << c.error_rate_ci[1] << "]";
    EXPECT_TRUE(c.pass);
    std::cout << "| " << file.filename().string();
    for (const auto* v : {&c.ttft, &c.latency}) {
      for (const QuantileCheck& q : *v)
        std::cout << fmt::format(" | {:+.1f}%", 100 * q.relative_error);
    }
    std::cout << fmt::format(" | {:.3f} ({:.3f}, [{:.3f}, {:.3f}]) |\n", c.simulated_error_rate,
                             c.measured_error_rate, c.error_rate_ci[0], c.error_rate_ci[1]);
  }
}

}  // namespace
}  // namespace orchsim::calibration::real_data_test
