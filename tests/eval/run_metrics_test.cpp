// The typed results model (eval/run_metrics.hpp): every view agrees with
// the others on every built-in scenario, the JSON reads back to the same
// value, the metric-name constants are names the model produces, and a
// damaged metrics object is a message naming the JSON pointer.
#include "eval/run_metrics.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "eval/metric_names.hpp"
#include "eval/replications.hpp"
#include "eval/run_metrics_json.hpp"
#include "eval/run_metrics_text.hpp"
#include "eval/runner.hpp"
#include "scenarios/scenario.hpp"
#include "tests/eval/eval_test_support.hpp"

namespace orchsim::eval::run_metrics_test {
namespace {

using Json = nlohmann::ordered_json;

// Each built-in scenario's metrics after a short run, computed once.
const std::map<std::string, RunMetrics>& library_metrics() {
  static const std::map<std::string, RunMetrics> all = [] {
    std::map<std::string, RunMetrics> out;
    for (const std::string& name : scenarios::library_names()) {
      RunOptions options;
      options.seed = 3;
      options.requests = 600;
      out.emplace(name, run_scenario(test_support::load(name), options).metrics->result());
    }
    return out;
  }();
  return all;
}

TEST(RunMetrics, FlattenGivesTheJsonsNamesAndValuesInItsOrder) {
  for (const auto& [name, m] : library_metrics()) {
    SCOPED_TRACE(name);
    const auto typed = flatten(m);
    const auto from_json = flatten_numeric(to_json(m));
    ASSERT_EQ(typed.size(), from_json.size());
    for (std::size_t i = 0; i < typed.size(); ++i) {
      EXPECT_EQ(typed[i].first, from_json[i].first);
      EXPECT_EQ(typed[i].second, from_json[i].second) << typed[i].first;
    }
  }
}

TEST(RunMetrics, JsonReadsBackToTheSameValueAndTheSameBytes) {
  for (const auto& [name, m] : library_metrics()) {
    SCOPED_TRACE(name);
    const Json j = to_json(m);
    // Through text, as a results store keeps it.
    const StatusOr<RunMetrics> back = run_metrics_from_json(Json::parse(j.dump()), "test");
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_TRUE(*back == m);
    EXPECT_EQ(to_json(*back).dump(), j.dump());
    std::ostringstream a, b;
    write_csv(a, m);
    write_csv(b, *back);
    EXPECT_EQ(a.str(), b.str());
  }
}

TEST(RunMetrics, EveryNamedMetricIsOneTheModelProduces) {
  const RunMetrics& m = library_metrics().at("rag_orchestrated");
  std::vector<std::string> names;
  for (const auto& [name, value] : flatten(m)) names.push_back(name);
  for (const std::string_view metric :
       {metric::kLatencyMean, metric::kLatencyP50, metric::kLatencyP99, metric::kSuccessRate,
        metric::kThroughput, metric::kQualityMean, metric::kPassRate, metric::kCostPerRequest,
        metric::kCallsPerRequest, metric::kRetriesPerRequest, metric::kAllCallsCostPerRequest,
        metric::kDuplicatedCalls, metric::kSilentCaught, metric::kStuckRequests}) {
    EXPECT_NE(std::find(names.begin(), names.end(), metric), names.end()) << metric;
  }
}

// The numbers and nulls of a JSON, in document order, as the CSV writes them.
void leaves(const Json& j, std::vector<std::string>& out) {
  if (j.is_null()) {
    out.emplace_back();
  } else if (j.is_number_unsigned()) {
    out.push_back(fmt::format("{}", j.get<std::uint64_t>()));
  } else if (j.is_number_integer()) {
    out.push_back(fmt::format("{}", j.get<std::int64_t>()));
  } else if (j.is_number_float()) {
    out.push_back(fmt::format("{}", j.get<double>()));
  } else if (j.is_structured()) {
    for (const auto& [key, value] : j.items()) leaves(value, out);
  }
}

TEST(RunMetrics, TheCsvHasOneRowPerNumberOfTheReportInItsOrder) {
  for (const auto& [name, m] : library_metrics()) {
    SCOPED_TRACE(name);
    Json j = to_json(m);
    j.erase("steady_state");  // report.json only: one run's own error bar
    std::vector<std::string> expected;
    leaves(j, expected);
    std::ostringstream csv;
    write_csv(csv, m);
    std::istringstream lines(csv.str());
    std::string line;
    std::getline(lines, line);
    EXPECT_EQ(line, "metric,scope,value");
    std::vector<std::string> values;
    while (std::getline(lines, line)) values.push_back(line.substr(line.rfind(',') + 1));
    EXPECT_EQ(values, expected);
  }
}

TEST(RunMetrics, AReportFromBeforeTheNewerSectionsStillReads) {
  Json j = to_json(library_metrics().at("model_cascade"));
  j.erase("coordination");
  j.erase("steady_state");
  j.erase("nodes");
  j.erase("sub_workflows");
  for (Json& a : j["agents"]) a.erase("p_wait");
  const StatusOr<RunMetrics> m = run_metrics_from_json(j, "old.json", "/metrics");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_FALSE(m->coordination.has_value());
  EXPECT_FALSE(m->steady_state.has_value());
  EXPECT_TRUE(m->nodes.empty());
  EXPECT_FALSE(m->agents.at(0).p_wait.has_value());
  // Left out of the flattening, as the JSON's absent keys were.
  for (const auto& [name, value] : flatten(*m)) {
    EXPECT_NE(name.rfind("coordination.", 0), 0u) << name;
    EXPECT_EQ(name.find("p_wait"), std::string::npos) << name;
  }
}

TEST(RunMetrics, ADamagedObjectIsNamedByItsPointer) {
  const Json good = to_json(library_metrics().at("model_cascade"));
  Json j = good;
  j["requests"].erase("arrived");
  StatusOr<RunMetrics> m = run_metrics_from_json(j, "r.json", "/metrics");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), Status::Code::kBadInput);
  EXPECT_EQ(m.status().message(), "r.json: /metrics/requests/arrived: missing");

  j = good;
  j["agents"][1]["calls_ended"]["error"] = -3;
  m = run_metrics_from_json(j, "r.json", "/metrics");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(),
            "r.json: /metrics/agents/1/calls_ended/error: found -3, expected a count (integer >= "
            "0)");

  j = good;
  j["quality"]["mean"] = "high";
  m = run_metrics_from_json(j, "r.json", "/metrics");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(),
            "r.json: /metrics/quality/mean: found \"high\", expected a number or null");

  m = run_metrics_from_json(Json::array(), "r.json", "/metrics");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("expected the metrics object"), std::string::npos);
}

TEST(RunMetrics, SummariesOfReplicationsUseTheTypedNames) {
  // summarize() reads RunMetrics, and its names are flatten's.
  const RunMetrics& m = library_metrics().at("model_cascade");
  const std::vector<MetricSummary> s = summarize({m, m});
  ASSERT_EQ(s.size(), flatten(m).size());
  const MetricSummary* p99 = find_metric(s, metric::kLatencyP99);
  ASSERT_NE(p99, nullptr);
  EXPECT_EQ(p99->ci.mean, *m.latency_all.p99);
  EXPECT_EQ(p99->ci.n, 2u);
}

}  // namespace
}  // namespace orchsim::eval::run_metrics_test
