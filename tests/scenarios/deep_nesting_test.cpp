// Documents nested far deeper than any scenario: refused with a diagnostic,
// never a stack overflow. Parsing is iterative, but copying, printing and
// reading (mixtures of mixtures) recurse once per level; 200,000 levels of
// brackets crashed `orchsim validate` before the loader refused them.
#include <gtest/gtest.h>

#include <string>

#include "scenarios/scenario.hpp"

namespace orchsim::scenarios::deep_nesting_test {
namespace {

constexpr int kLevels = 200'000;

std::string nested_arrays(int levels) {
  return std::string(levels, '[') + std::string(levels, ']');
}

const char* const kScenario = R"({
  "version": 1, "name": "deep",
  "agents": [{"name": "a", "latency": {"base_ms": {"constant": 5}}}],
  "workload": {"arrivals": {"poisson": {"rate_per_s": 10}}},
  "workflow": {"nodes": [{"name": "n", "type": "call", "agents": ["a"], "next": "done"},
                         {"name": "done", "type": "terminal"}]}})";

TEST(DeepNesting, ADocumentNestedTooDeepIsRefusedAtTheFirstLevelTooDeep) {
  const LoadResult r = parse_scenario(nested_arrays(kLevels), "deep.json");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  const Diagnostic& d = r.diagnostics.items().front();
  std::string pointer;
  for (int i = 0; i < 64; ++i) pointer += "/0";
  EXPECT_EQ(d.pointer, pointer);
  EXPECT_NE(d.message.find("nested more than 64 levels deep"), std::string::npos) << d.message;
}

TEST(DeepNesting, ADeepValueFollowedByOtherKeysIsRefusedToo) {
  // The keys after it grow the object, which nlohmann does by copying its
  // elements: this crashed inside the parser, before any check of ours ran.
  std::string text = kScenario;
  text.insert(1, "\"deep\": " + nested_arrays(kLevels) + ", ");
  const LoadResult r = parse_scenario(text, "deep.json");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.items().size(), 1u) << r.diagnostics.format();
  EXPECT_EQ(r.diagnostics.items().front().pointer.rfind("/deep/0/0/", 0), 0u);
  EXPECT_NE(r.diagnostics.format().find("nested more than 64 levels deep"), std::string::npos);
}

TEST(DeepNesting, ASetValueNestedTooDeepIsRefused) {
  LoadOptions options;
  options.overrides = {{"/agents/0/name", nested_arrays(kLevels)}};
  const LoadResult r = parse_scenario(kScenario, "deep.json", options);
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  EXPECT_EQ(r.diagnostics.items().front().pointer, "/agents/0/name");
  EXPECT_NE(r.diagnostics.items().front().message.find("--set: found a value nested more than 64"),
            std::string::npos);
}

TEST(DeepNesting, NestingUpToTheLimitIsNotRefusedForItsDepth) {
  // 63 levels below the root, where the loader reads nothing: refused only as unknown.
  std::string text = kScenario;
  text.insert(text.rfind('}'), ", \"deep\": " + nested_arrays(63));
  const LoadResult r = parse_scenario(text, "deep.json");
  ASSERT_EQ(r.diagnostics.items().size(), 1u) << r.diagnostics.format();
  EXPECT_EQ(r.diagnostics.items().front().pointer, "/deep");
  EXPECT_NE(r.diagnostics.items().front().message.find("unknown key"), std::string::npos);
}

}  // namespace
}  // namespace orchsim::scenarios::deep_nesting_test
