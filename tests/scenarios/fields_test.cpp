// The field-declaration mechanism (scenarios/fields.hpp) on a toy struct:
// absent keys leave the initialiser, present keys are read in their unit,
// problems name the key, and the schema's defaults are the initialisers.
#include "scenarios/fields.hpp"

#include <gtest/gtest.h>

#include "orchestration/policy_registry.hpp"
#include "orchestration/workflow.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::scenarios::fields_test {
namespace {

using namespace sim::literals;
using orchestration::Merge;

struct Toy {
  double rate = 2.5;
  sim::Duration wait = 3_s;
  std::uint32_t count = 4;
  bool on = true;
  Merge merge = Merge::kMean;
  std::string name = "x";
};

const Fields<Toy>& toy_fields() {
  static const Fields<Toy> t{
      .doc = "A toy.",
      .fields = {
          number("rate_per_s", &Toy::rate, Range::positive(), "1/s", "A rate."),
          duration("wait_ms", &Toy::wait, TimeUnit::kMilliseconds, Range::non_negative(),
                   "A wait."),
          integer("count", &Toy::count, {1, 10}, "", "A count."),
          flag("on", &Toy::on, "A switch."),
          choice("merge", &Toy::merge, orchestration::kMergeNames, "A merge."),
          text("name", &Toy::name, "A name.").required(),
      }};
  return t;
}

struct Read {
  Toy toy;
  Diagnostics d{"toy.json"};
};

Read read(const std::string& text) {
  Read out;
  const Scenario scenario;
  ReadContext ctx(out.d, scenario, "", orchsim::orchestration::PolicyRegistry::global());
  const Json j = Json::parse(text);
  ObjectReader r(j, "/toy", out.d);
  toy_fields().read(ctx, r, out.toy);
  r.finish();
  return out;
}

TEST(Fields, AbsentKeysLeaveTheInitialiser) {
  const Read r = read(R"({"name": "a"})");
  EXPECT_TRUE(r.d.ok()) << r.d.format();
  EXPECT_EQ(r.toy.rate, 2.5);
  EXPECT_EQ(r.toy.wait, 3_s);
  EXPECT_EQ(r.toy.count, 4u);
  EXPECT_TRUE(r.toy.on);
  EXPECT_EQ(r.toy.merge, Merge::kMean);
  EXPECT_EQ(r.toy.name, "a");
}

TEST(Fields, PresentKeysAreReadInTheUnitOfTheirKey) {
  const Read r = read(
      R"({"rate_per_s": 7, "wait_ms": 250, "count": 9, "on": false, "merge": "union",
          "name": "b"})");
  EXPECT_TRUE(r.d.ok()) << r.d.format();
  EXPECT_EQ(r.toy.rate, 7.0);
  EXPECT_EQ(r.toy.wait, 250_ms);
  EXPECT_EQ(r.toy.count, 9u);
  EXPECT_FALSE(r.toy.on);
  EXPECT_EQ(r.toy.merge, Merge::kUnion);
}

TEST(Fields, ProblemsNameTheKeyWhatWasFoundAndWhatWasExpected) {
  const Read r = read(R"({"rate_per_s": 0, "count": 11, "merge": "meen", "colour": 1})");
  EXPECT_EQ(r.d.format(),
            "toy.json: /toy/rate_per_s: found 0, expected a number > 0\n"
            "toy.json: /toy/count: found 11, expected an integer (a number in [1, 10])\n"
            "toy.json: /toy/merge: found \"meen\", expected one of: max, mean, union (did you "
            "mean \"mean\"?)\n"
            "toy.json: /toy/name: missing, expected a string\n"
            "toy.json: /toy/colour: unknown key, expected one of: rate_per_s, wait_ms, count, on, "
            "merge, name\n");
  EXPECT_EQ(r.toy.merge, Merge::kMean) << "a bad name leaves the value as it was";
}

TEST(Fields, TheSchemaDefaultsAreTheInitialisers) {
  SchemaBuilder b;
  const Json s = toy_fields().object(b);
  EXPECT_EQ(s["properties"]["rate_per_s"]["default"], 2.5);
  EXPECT_EQ(s["properties"]["rate_per_s"]["exclusiveMinimum"], 0);
  EXPECT_EQ(s["properties"]["wait_ms"]["default"], 3000);
  EXPECT_EQ(s["properties"]["count"]["default"], 4);
  EXPECT_EQ(s["properties"]["count"]["maximum"], 10);
  EXPECT_EQ(s["properties"]["on"]["default"], true);
  EXPECT_EQ(s["properties"]["merge"]["default"], "mean");
  EXPECT_EQ(s["properties"]["merge"]["enum"], Json::parse(R"(["max", "mean", "union"])"));
  EXPECT_FALSE(s["properties"]["name"].contains("default")) << "required keys have none";
  EXPECT_EQ(s["required"], Json::parse(R"(["name"])"));
  EXPECT_EQ(s["additionalProperties"], false);
}

TEST(Fields, ADurationKeyMustEndInItsUnit) {
  EXPECT_THROW(duration("wait", &Toy::wait, TimeUnit::kMilliseconds, {}, ""), std::logic_error);
  EXPECT_THROW(duration("wait_ms", &Toy::wait, TimeUnit::kSeconds, {}, ""), std::logic_error);
  EXPECT_NO_THROW(duration("wait_s", &Toy::wait, TimeUnit::kSeconds, {}, ""));
}

TEST(Fields, AKeyRequiredWhenAnotherHasAValue) {
  struct Pick {
    Merge merge = Merge::kMax;
    double k = 1;
  };
  static const Fields<Pick> t{.doc = "",
                              .fields = {
                                  choice("merge", &Pick::merge, orchestration::kMergeNames, ""),
                                  number("k", &Pick::k, {}, "", "").required_when("merge", "union"),
                              }};
  const Scenario scenario;
  Diagnostics d("p.json");
  ReadContext ctx(d, scenario, "", orchsim::orchestration::PolicyRegistry::global());
  const Json j = Json::parse(R"({"merge": "union"})");
  ObjectReader r(j, "", d);
  Pick p;
  t.read(ctx, r, p);
  EXPECT_EQ(d.format(), "p.json: /k: missing, expected a number\n");
  SchemaBuilder b;
  EXPECT_EQ(t.object(b)["allOf"][0]["then"]["required"][0], "k");
}

}  // namespace
}  // namespace orchsim::scenarios::fields_test
