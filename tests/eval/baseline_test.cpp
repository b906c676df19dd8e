// Baseline files as `orchsim check` reads them: what make_baseline writes
// reads back, and a file that says anything else is refused with the key,
// what was found and what is expected, never a crash. The cases that
// crashed or escaped as a JSON library error before say so; their inputs are
// in tests/fuzz/regression/baseline/ too.
#include "eval/baseline.hpp"

#include <gtest/gtest.h>

#include <string>

namespace orchsim::eval::baseline_test {
namespace {

using J = nlohmann::ordered_json;

J valid() {
  BaselineInfo info;
  info.scenario = "rag_orchestrated";
  info.overrides = {{"/run/seed", "3"}};
  info.seed = 7;
  info.replications = 3;
  info.requests = 200;
  MetricSummary m;
  m.name = "latency_ms.all.p99";
  m.values = {10.0, 12.0, 11.0};
  m.ci = stats::confidence_interval(m.values);
  return make_baseline(info, {m});
}

// The message of parse_baseline's refusal (always bad input), or "" when it accepts.
std::string refusal(const std::string& text) {
  const StatusOr<J> parsed = parse_baseline(text);
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), Status::Code::kBadInput) << parsed.status().message();
  return parsed.status().message();
}
std::string refusal(const J& doc) { return refusal(doc.dump()); }

TEST(Baseline, WhatMakeBaselineWritesReadsBack) {
  const StatusOr<J> parsed = parse_baseline(valid().dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const StatusOr<BaselineInfo> info = baseline_info(*parsed);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(info->scenario, "rag_orchestrated");
  EXPECT_EQ(info->seed, 7u);
  EXPECT_EQ(info->replications, 3u);
  EXPECT_EQ(info->requests, 200u);
  ASSERT_EQ(info->overrides.size(), 1u);
  EXPECT_EQ(info->overrides[0].second, "3");
}

TEST(Baseline, AMissingKeyIsRefusedNotReadOutOfBounds) {
  // Was nlohmann's const operator[] on a missing key: an assertion, or
  // undefined behaviour without assertions.
  for (const char* key : {"seed", "replications", "scenario", "metrics"}) {
    J doc = valid();
    doc.erase(key);
    EXPECT_NE(refusal(doc).find(std::string("baseline: /") + key + ": found nothing, expected"),
              std::string::npos)
        << key << ": " << refusal(doc);
  }
}

TEST(Baseline, AFormatOfAnotherTypeIsNotABaseline) {
  // Was a json type_error ("type must be string") escaping as another exception type.
  J doc = valid();
  doc["format"] = 5;
  EXPECT_NE(refusal(doc).find("not an orchsim baseline"), std::string::npos) << refusal(doc);
}

TEST(Baseline, ANumberBeyondADoubleIsRefusedNotThrownAsAnotherException) {
  // nlohmann throws out_of_range for 1e999 (found by fuzz_baseline).
  std::string text = valid().dump();
  text.insert(1, "\"x\": -1e999, ");
  EXPECT_NE(refusal(text).find("beyond the range of a double"), std::string::npos) << refusal(text);
}

TEST(Baseline, ValuesNestedTooDeepAreRefusedNotOverflowTheStack) {
  const std::string deep = std::string(200'000, '[') + std::string(200'000, ']');
  const std::string text = "{\"metrics\": " + deep + ", \"format\": \"orchsim-baseline\"}";
  EXPECT_NE(refusal(text).find("nested more than 64 levels deep"), std::string::npos)
      << refusal(text).substr(0, 200);
}

TEST(Baseline, AbsurdSizesAreRefusedAsTheCommandLineRefusesThem) {
  struct Case {
    const char* key;
    J value;
    const char* expected;
  };
  const Case cases[] = {
      {"replications", 0, "/replications: found 0, expected an integer from 1 to 100000"},
      {"replications", 1'000'000'000, "expected an integer from 1 to 100000"},
      {"replications", -3, "/replications: found -3"},
      {"seed", -1, "/seed: found -1, expected an integer from 0 to 18446744073709551615"},
      {"seed", 1.5, "/seed: found 1.5"},
      {"requests", 0, "/requests: found 0, expected an integer from 1 to 9223372036854775807"},
      {"requests", "many", "/requests: found \"many\""},
      {"sets", J::array({"run/seed=3"}), "/sets/0: found \"run/seed=3\""},
      {"sets", J::array({5}), "/sets/0: found 5"},
      {"version", 2, "unsupported baseline version (found 2, expected 1)"},
  };
  for (const Case& c : cases) {
    J doc = valid();
    doc[c.key] = c.value;
    EXPECT_NE(refusal(doc).find(c.expected), std::string::npos)
        << c.key << " = " << c.value.dump() << ": " << refusal(doc);
  }
  J null_requests = valid();
  null_requests["requests"] = nullptr;  // a baseline of a --duration-free default run
  EXPECT_EQ(refusal(null_requests), "");
}

TEST(Baseline, SeedsThatWouldWrapAreRefused) {
  J doc = valid();
  doc["seed"] = 18446744073709551614u;  // with 3 replications: ..614, ..615, then 0
  EXPECT_NE(refusal(doc).find("expected a seed from 0 to 18446744073709551613"), std::string::npos)
      << refusal(doc);
  doc["seed"] = 18446744073709551613u;
  EXPECT_EQ(refusal(doc), "");
}

TEST(Baseline, AMalformedFileIsBadInputNamingWhatWasFoundNotAnException) {
  // The file's text as `orchsim check --baseline` reads it: a value, never a
  // throw, so that no caller picks an exit status from an exception's type.
  EXPECT_NE(refusal(std::string("{\"format\": ")).find("not valid JSON"), std::string::npos);
  J doc = valid();
  doc["scenario"] = J::array();
  EXPECT_EQ(refusal(doc),
            "baseline: /scenario: found an array of 0, expected a scenario name or path");
  doc = valid();
  doc["metrics"] = 3;
  EXPECT_EQ(refusal(doc), "baseline: /metrics: found 3, expected an object");
}

TEST(Baseline, ACheckAgainstAToleranceOfAnUnknownMetricIsBadInput) {
  MetricSummary m;
  m.name = "latency_ms.all.p99";
  m.values = {10.0, 12.0, 11.0};
  m.ci = stats::confidence_interval(m.values);
  const StatusOr<CheckReport> known =
      check_against_baseline(valid(), {m}, {{"latency_ms.all.p99", Tolerance{}}});
  ASSERT_TRUE(known.ok()) << known.status().message();
  EXPECT_TRUE(known->passed());
  const StatusOr<CheckReport> unknown =
      check_against_baseline(valid(), {m}, {{"no.such.metric", Tolerance{}}});
  EXPECT_EQ(unknown.status().code(), Status::Code::kBadInput);
  EXPECT_EQ(unknown.status().message(),
            "--tolerance no.such.metric: the baseline has no metric of that name");
  EXPECT_EQ(check_against_baseline(J::object(), {m}, {}).status().code(), Status::Code::kBadInput);
}

}  // namespace
}  // namespace orchsim::eval::baseline_test
