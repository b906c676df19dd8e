// PolicyParams: each reader's ranges and types, the JSON pointer of every
// problem (params or the flat keys of format version 1), unknown keys with
// "did you mean" (never for the flat keys), and agents named or indexed.
#include "orchestration/policy_params.hpp"

#include <gtest/gtest.h>

#include <array>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace orchsim::orchestration::policy_params_test {
namespace {

using Json = nlohmann::ordered_json;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::string_view kAt = "/workflow/nodes/2/routing";

// The reader a factory gets for a node whose routing has `params` (JSON
// text, or none) and the flat keys `legacy` (likewise).
struct Reader {
  explicit Reader(std::string_view params_json, std::string_view legacy_json = {})
      : params(params_json.empty() ? Json() : Json::parse(params_json)),
        legacy(legacy_json.empty() ? Json() : Json::parse(legacy_json)),
        p(params_json.empty() ? nullptr : &params, std::string(kAt) + "/params",
          legacy_json.empty() ? nullptr : &legacy, std::string(kAt)) {}
  std::vector<std::string> pointers() const {
    std::vector<std::string> out;
    for (const ParamProblem& x : p.problems()) out.push_back(x.pointer);
    return out;
  }
  const ParamProblem& only() const {
    EXPECT_EQ(p.problems().size(), 1u);
    return p.problems().front();
  }
  Json params, legacy;
  PolicyParams p;
};

const std::string kParams = std::string(kAt) + "/params";

// ---------------------------------------------------------------- values

TEST(PolicyParams, NumbersInRangeOrTheFallback) {
  Reader r(R"({"epsilon": 0.25, "low": -1, "high": 2, "text": "x", "null": null, "int": 3})");
  EXPECT_EQ(r.p.number("epsilon", 0.1, {0.0, 1.0}), 0.25);
  EXPECT_EQ(r.p.number("missing", 0.1, {0.0, 1.0}), 0.1);
  EXPECT_EQ(r.p.number("int", 0.0, {0.0, kInf}), 3.0);
  EXPECT_TRUE(r.p.ok());
  EXPECT_EQ(r.p.number("low", 0.1, {0.0, 1.0}), 0.1);
  EXPECT_EQ(r.p.number("high", 0.1, {0.0, 1.0}), 0.1);
  EXPECT_EQ(r.p.number("text", 0.1, {0.0, kInf}), 0.1);
  EXPECT_EQ(r.p.number("null", 0.1, {-kInf, kInf}), 0.1);
  ASSERT_EQ(r.p.problems().size(), 4u);
  EXPECT_EQ(r.p.problems()[0].pointer, kParams + "/low");
  EXPECT_EQ(r.p.problems()[0].message, "found -1, expected a number in [0, 1]");
  EXPECT_EQ(r.p.problems()[1].message, "found 2, expected a number in [0, 1]");
  EXPECT_EQ(r.p.problems()[2].message, "found \"x\", expected a number >= 0");
  EXPECT_EQ(r.p.problems()[3].message, "found null, expected a number");
  // The bounds are inclusive.
  Reader edges(R"({"a": 0, "b": 1})");
  EXPECT_EQ(edges.p.number("a", 0.5, {0.0, 1.0}), 0.0);
  EXPECT_EQ(edges.p.number("b", 0.5, {0.0, 1.0}), 1.0);
  EXPECT_TRUE(edges.p.ok());
  Reader positive(R"({"a": 0})");
  positive.p.number("a", 1.0, {std::numeric_limits<double>::min(), kInf});
  EXPECT_EQ(positive.only().message, "found 0, expected a number > 0");
}

TEST(PolicyParams, Integers) {
  Reader r(R"({"n": 7, "neg": -3, "frac": 2.5, "huge": 18446744073709551615, "big": 11})");
  EXPECT_EQ(r.p.integer("n", 1, {0, 10}), 7);
  EXPECT_EQ(r.p.integer("neg", 1, {-5, 10}), -3);
  EXPECT_EQ(r.p.integer("missing", 4, {0, 10}), 4);
  EXPECT_TRUE(r.p.ok());
  EXPECT_EQ(r.p.integer("frac", 1, {0, 10}), 1);
  EXPECT_EQ(r.p.integer("huge", 1, {0, kInf}), 1);
  EXPECT_EQ(r.p.integer("big", 1, {0, 10}), 1);
  EXPECT_EQ(r.pointers(),
            (std::vector<std::string>{kParams + "/frac", kParams + "/huge", kParams + "/big"}));
  EXPECT_EQ(r.p.problems()[0].message, "found 2.5, expected an integer (a number in [0, 10])");
  EXPECT_EQ(r.p.problems()[2].message, "found 11, expected an integer (a number in [0, 10])");
}

TEST(PolicyParams, BooleansAndChoices) {
  Reader r(R"({"on": true, "yes": "yes", "model": "gaussian", "typo": "gausian", "num": 1})");
  static constexpr std::array<std::string_view, 2> kModels = {"bernoulli", "gaussian"};
  EXPECT_TRUE(r.p.boolean("on", false));
  EXPECT_FALSE(r.p.boolean("missing", false));
  EXPECT_EQ(r.p.choice("model", "bernoulli", kModels), "gaussian");
  EXPECT_EQ(r.p.choice("missing", "bernoulli", kModels), "bernoulli");
  EXPECT_TRUE(r.p.ok());
  EXPECT_FALSE(r.p.boolean("yes", false));
  EXPECT_EQ(r.p.choice("typo", "bernoulli", kModels), "bernoulli");
  EXPECT_EQ(r.p.choice("num", "bernoulli", kModels), "bernoulli");
  ASSERT_EQ(r.p.problems().size(), 3u);
  EXPECT_EQ(r.p.problems()[0].message, "found \"yes\", expected true or false");
  EXPECT_EQ(r.p.problems()[1].message, "found \"gausian\", expected one of: bernoulli, gaussian");
  EXPECT_EQ(r.p.problems()[1].hint, "did you mean \"gaussian\"?");
  EXPECT_EQ(r.p.problems()[2].message, "found 1, expected one of: bernoulli, gaussian");
  EXPECT_EQ(r.p.problems()[2].hint, "");
}

TEST(PolicyParams, ArraysOfNumbersPointAtTheBadElement) {
  Reader r(R"({"weights": [1, -2, "x", 3], "scalar": 1})");
  EXPECT_EQ(r.p.numbers("weights", {0.0, kInf}), (std::vector<double>{1, 0, 0, 3}));
  EXPECT_EQ(r.pointers(),
            (std::vector<std::string>{kParams + "/weights/1", kParams + "/weights/2"}));
  EXPECT_TRUE(r.p.numbers("missing", {0.0, kInf}).empty());
  EXPECT_TRUE(r.p.numbers("scalar", {0.0, kInf}).empty());
  EXPECT_EQ(r.p.problems().back().message, "found 1, expected an array of numbers");
}

TEST(PolicyParams, ParamsThatAreNotAnObject) {
  Reader r(R"([1, 2])");
  EXPECT_EQ(r.only().pointer, kParams);
  EXPECT_EQ(r.only().message, "found an array of 2, expected an object");
  EXPECT_EQ(r.p.number("epsilon", 0.1, {0.0, 1.0}), 0.1);  // read as none
}

TEST(PolicyParams, NestedObjectsShareTheProblems) {
  Reader r(R"({"reward": {"quality": -1, "extra": 0}, "flat": 1})");
  PolicyParams reward = r.p.object("reward");
  EXPECT_EQ(reward.number("quality", 1.0, {0.0, 1.0}), 1.0);
  reward.finish();
  PolicyParams flat = r.p.object("flat");
  (void)flat.number("x", 0.0, {0.0, 1.0});
  r.p.finish();
  EXPECT_EQ(r.pointers(), (std::vector<std::string>{kParams + "/reward/quality",
                                                    kParams + "/reward/extra", kParams + "/flat"}));
  EXPECT_EQ(r.p.problems()[2].message, "found 1, expected an object");
  EXPECT_EQ(reward.problems().size(), 3u);  // one list
}

// ---------------------------------------------------------------- unknown keys

TEST(PolicyParams, UnknownKeysInParamsWithDidYouMean) {
  Reader r(R"({"epsilom": 0.2, "per_class": true, "zzz": 1, "$comment": "x", "// note": 1})");
  (void)r.p.number("epsilon", 0.1, {0.0, 1.0});
  (void)r.p.boolean("per_class", false);
  (void)r.p.number("epsilon", 0.1, {0.0, 1.0});  // read twice: listed once
  r.p.finish();
  ASSERT_EQ(r.p.problems().size(), 2u);
  EXPECT_EQ(r.p.problems()[0].pointer, kParams + "/epsilom");
  EXPECT_EQ(r.p.problems()[0].message, "unknown key, expected one of: epsilon, per_class");
  EXPECT_EQ(r.p.problems()[0].hint, "did you mean \"epsilon\"?");
  EXPECT_EQ(r.p.problems()[1].pointer, kParams + "/zzz");
  EXPECT_EQ(r.p.problems()[1].hint, "");
}

TEST(PolicyParams, APolicyWithoutParameters) {
  Reader r(R"({"epsilon": 0.2})");
  r.p.finish();
  EXPECT_EQ(r.only().message, "unknown key: this policy takes no parameters");
  Reader none("");
  none.p.finish();
  EXPECT_TRUE(none.p.ok());
}

TEST(PolicyParams, TheFlatKeysAreNeverUnknown) {
  // Shared by every policy: switching the policy keeps the file valid.
  Reader r("", R"({"weights": [1, 2], "exploration": 2, "tiers": ["a"], "anything": 1})");
  EXPECT_EQ(r.p.number("exploration", 1.0, {0.0, kInf}), 2.0);
  r.p.finish();
  EXPECT_TRUE(r.p.ok());
  Reader both(R"({"epsilon": 0.2})", R"({"weights": [1, 2]})");
  (void)both.p.number("epsilon", 0.1, {0.0, 1.0});
  both.p.finish();
  EXPECT_TRUE(both.p.ok());
}

// ---------------------------------------------------------------- pointers

TEST(PolicyParams, ProblemsPointWhereTheKeyIsWritten) {
  Reader r(R"({"a": -1})", R"({"b": -1, "a": 5})");
  EXPECT_EQ(r.p.number("a", 0.0, {0.0, 1.0}), 0.0);  // params win over the flat keys
  EXPECT_EQ(r.p.number("b", 0.0, {0.0, 1.0}), 0.0);
  r.p.problem("missing", "missing");
  EXPECT_EQ(r.pointers(), (std::vector<std::string>{kParams + "/a", std::string(kAt) + "/b",
                                                    kParams + "/missing"}));
  // No params object: a missing key is reported next to "policy".
  Reader flat("", R"({"b": 1})");
  flat.p.problem("tiers", "missing");
  flat.p.problem("", "the object");
  EXPECT_EQ(flat.pointers(), (std::vector<std::string>{std::string(kAt) + "/tiers", kParams}));
  // Keys are escaped as JSON pointers.
  Reader odd(R"({"a/b~c": "x"})");
  (void)odd.p.number("a/b~c", 0.0, {0.0, 1.0});
  EXPECT_EQ(odd.only().pointer, kParams + "/a~1b~0c");
}

TEST(PolicyParams, HasSeesBothPlaces) {
  Reader r(R"({"a": 1})", R"({"b": 1})");
  EXPECT_TRUE(r.p.has("a"));
  EXPECT_TRUE(r.p.has("b"));
  EXPECT_FALSE(r.p.has("c"));
}

// ---------------------------------------------------------------- agents

struct FourAgents {
  std::vector<std::string> names = {"cheap", "medium", "strong", "judge"};
  std::vector<AgentIndex> candidates = {2, 0};
  NodeSpec spec() {
    return {.node_name = "answer", .candidates = &candidates, .agent_names = names};
  }
};

TEST(PolicyParams, ACandidateByNameOrByIndex) {
  FourAgents n;
  NodeSpec spec = n.spec();
  Reader r(R"({"by_name": "cheap", "by_index": 2, "first": "strong"})");
  EXPECT_EQ(r.p.candidate("by_name", spec), 1u);  // its position among the candidates
  EXPECT_EQ(r.p.candidate("by_index", spec), 0u);
  EXPECT_EQ(r.p.candidate("first", spec), 0u);
  EXPECT_EQ(r.p.candidate("missing", spec), std::nullopt);
  EXPECT_TRUE(r.p.ok());
}

TEST(PolicyParams, AnAgentIndexBuiltInCpp) {
  // From C++ an index is usually an int, which JSON keeps signed.
  FourAgents n;
  NodeSpec spec = n.spec();
  const Json params = {{"fallback", 2}, {"tiers", {0, 2}}, {"negative", -1}};
  PolicyParams p(&params, kParams);
  EXPECT_EQ(p.candidate("fallback", spec), 0u);
  EXPECT_EQ(p.candidate_list("tiers", spec), (std::vector<std::size_t>{1, 0}));
  EXPECT_TRUE(p.ok()) << p.problems().front().message;
  EXPECT_EQ(p.candidate("negative", spec), std::nullopt);
  EXPECT_EQ(p.problems().size(), 1u);
}

TEST(PolicyParams, AgentsThatAreNotCandidates) {
  FourAgents n;
  NodeSpec spec = n.spec();
  Reader r(R"({"a": "judge", "b": "stong", "c": 9, "d": true, "e": 1.0})");
  EXPECT_EQ(r.p.candidate("a", spec), std::nullopt);
  EXPECT_EQ(r.p.candidate("b", spec), std::nullopt);
  EXPECT_EQ(r.p.candidate("c", spec), std::nullopt);
  EXPECT_EQ(r.p.candidate("d", spec), std::nullopt);
  EXPECT_EQ(r.p.candidate("e", spec), std::nullopt);
  ASSERT_EQ(r.p.problems().size(), 5u);
  EXPECT_EQ(r.p.problems()[0].message, "found \"judge\", expected one of the node's agents");
  EXPECT_EQ(r.p.problems()[1].message, "found \"stong\", expected the name of an agent");
  EXPECT_EQ(r.p.problems()[1].hint, "did you mean \"strong\"?");
  EXPECT_EQ(r.p.problems()[2].message, "found 9, expected the name of an agent");
  EXPECT_EQ(r.p.problems()[3].message, "found true, expected the name of an agent");
  EXPECT_EQ(n.candidates, (std::vector<AgentIndex>{2, 0}));  // untouched
}

TEST(PolicyParams, AddMissingMakesAgentsCandidates) {
  FourAgents n;
  NodeSpec spec = n.spec();
  Reader r(R"({"tiers": ["cheap", "medium", "strong", "medium"], "extra": "judge"})");
  EXPECT_EQ(r.p.candidate_list("tiers", spec, /*add_missing=*/true),
            (std::vector<std::size_t>{1, 2, 0, 2}));
  EXPECT_EQ(r.p.candidate("extra", spec, true), 3u);
  EXPECT_EQ(n.candidates, (std::vector<AgentIndex>{2, 0, 1, 3}));
  EXPECT_EQ(spec.size(), 4u);
  EXPECT_TRUE(r.p.ok());
}

TEST(PolicyParams, CandidateListsPointAtTheBadElement) {
  FourAgents n;
  NodeSpec spec = n.spec();
  Reader r(R"({"tiers": ["strong", "medum", "cheap"], "one": "cheap"})");
  EXPECT_EQ(r.p.candidate_list("tiers", spec), (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(r.only().pointer, kParams + "/tiers/1");
  EXPECT_EQ(r.only().hint, "did you mean \"medium\"?");
  EXPECT_TRUE(r.p.candidate_list("missing", spec).empty());
  EXPECT_TRUE(r.p.candidate_list("one", spec).empty());
  EXPECT_EQ(r.p.problems().back().message, "found \"cheap\", expected an array of agent names");
}

// ---------------------------------------------------------------- helpers

TEST(PolicyParams, ClosestName) {
  const std::vector<std::string> options = {"round_robin", "random", "p2c"};
  EXPECT_EQ(closest_name("round-robin", options), "round_robin");
  EXPECT_EQ(closest_name("p3c", options), "p2c");
  EXPECT_EQ(closest_name("xxxxxxxxxx", options), "");
  EXPECT_EQ(closest_name("anything", {}), "");
}

TEST(PolicyParams, DescribeValue) {
  EXPECT_EQ(describe_value(Json::parse("3")), "3");
  EXPECT_EQ(describe_value(Json::parse(R"("x")")), "\"x\"");
  EXPECT_EQ(describe_value(Json::parse("[1, 2, 3]")), "an array of 3");
  EXPECT_EQ(describe_value(Json::parse("{}")), "an object");
  EXPECT_EQ(describe_value(Json()), "null");
  EXPECT_EQ(describe_value(Json(std::string(60, 'a'))).size(), 40u);
}

}  // namespace
}  // namespace orchsim::orchestration::policy_params_test
