// Context fitting: which tokens each policy keeps, and the information
// retained (tokens x relevance kept / before), computed by hand.
#include "orchestration/context.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "sim/random.hpp"

namespace orchsim::orchestration::context_test {
namespace {

using K = SegmentKind;

// system 100, query 50, document 300 @ 0.5, document 200 @ 0.9, intermediate 100 @ 0.2:
// 750 tokens, information 100 + 50 + 150 + 180 + 20 = 500.
Context sample() {
  Context c;
  c.add({K::kSystem, 100, 1.0});
  c.add({K::kQuery, 50, 1.0});
  c.add({K::kDocument, 300, 0.5});
  c.add({K::kDocument, 200, 0.9});
  c.add({K::kIntermediate, 100, 0.2});
  return c;
}

std::vector<std::int64_t> tokens_of(const Context& c) {
  std::vector<std::int64_t> out;
  for (const Segment& s : c.segments()) out.push_back(s.tokens);
  return out;
}

TEST(Context, CountsTokensAndInformation) {
  const Context c = sample();
  EXPECT_EQ(c.tokens(), 750);
  EXPECT_DOUBLE_EQ(c.information(), 500.0);
  EXPECT_DOUBLE_EQ((Segment{K::kDocument, 40, 0.25}.information()), 10.0);
  EXPECT_EQ(Context{}.tokens(), 0);
}

std::int64_t sum_of_segments(const Context& c) {
  std::int64_t t = 0;
  for (const Segment& s : c.segments()) t += s.tokens;
  return t;
}

// tokens() is kept as the context changes, not summed when read: after every
// kind of change (add, clear, assign, fitting, summarising, copy, move) it
// must equal the sum over the segments.
TEST(Context, TokenCountFollowsEveryChange) {
  const sim::RandomSource rng(31);
  for (int trial = 0; trial < 500; ++trial) {
    sim::RandomStream s = rng.stream("context-tokens", trial);
    Context c;
    for (int op = 0; op < 40; ++op) {
      switch (s.below(7)) {
        case 0:
        case 1:
        case 2:
          c.add({static_cast<K>(s.below(7)), static_cast<std::int64_t>(s.below(900)),
                 static_cast<double>(s.below(5)) / 4});
          break;
        case 3:
          apply_fit(
              c, plan_fit(c, static_cast<std::int64_t>(s.below(2'000)),
                          s.below(2) ? FitPolicy::kTruncateOldest : FitPolicy::kDropLeastRelevant));
          break;
        case 4:
          apply_summary(c, static_cast<std::int64_t>(s.below(300)), 0.5,
                        static_cast<std::int64_t>(s.below(2'000)));
          break;
        case 5: {
          std::vector<Segment> segs = c.segments();
          if (!segs.empty()) segs.pop_back();
          c.assign(std::move(segs));
          break;
        }
        case 6:
          if (s.below(4) == 0) c.clear();
          break;
      }
      ASSERT_EQ(c.tokens(), sum_of_segments(c)) << trial << " " << op;
      const Context copy = c;
      ASSERT_EQ(copy.tokens(), sum_of_segments(c)) << trial << " " << op;
    }
    Context moved = std::move(c);
    ASSERT_EQ(moved.tokens(), sum_of_segments(moved)) << trial;
    ASSERT_EQ(c.tokens(), sum_of_segments(c))
        << trial;  // NOLINT(bugprone-use-after-move): defined empty
    Context assigned;
    assigned.add({K::kQuery, 7, 1.0});
    assigned = std::move(moved);
    ASSERT_EQ(assigned.tokens(), sum_of_segments(assigned)) << trial;
    ASSERT_EQ(moved.tokens(), 0) << trial;           // NOLINT(bugprone-use-after-move)
    ASSERT_TRUE(moved.segments().empty()) << trial;  // NOLINT(bugprone-use-after-move)
    moved = std::move(assigned);
    moved.clear();
    ASSERT_EQ(moved.tokens(), 0) << trial;
    ASSERT_TRUE(moved.segments().empty()) << trial;
  }
}

TEST(Context, OnlySystemPromptAndQueryAreProtected) {
  EXPECT_TRUE((Segment{K::kSystem, 1}.protected_from_fitting()));
  EXPECT_TRUE((Segment{K::kQuery, 1}.protected_from_fitting()));
  for (K k : {K::kMemory, K::kDocument, K::kIntermediate, K::kToolResult, K::kSummary}) {
    EXPECT_FALSE((Segment{k, 1}.protected_from_fitting())) << to_string(k);
  }
}

TEST(ContextFit, AContextThatFitsIsLeftAloneByEveryPolicy) {
  const Context c = sample();
  for (FitPolicy p : {FitPolicy::kTruncateOldest, FitPolicy::kDropLeastRelevant,
                      FitPolicy::kSummarize, FitPolicy::kFail}) {
    const FitPlan plan = plan_fit(c, 750, p);
    EXPECT_TRUE(plan.fits) << to_string(p);
    EXPECT_EQ(plan.tokens_before, 750);
    EXPECT_EQ(plan.tokens_after, 750);
    EXPECT_EQ(plan.retained, 1.0);
    EXPECT_EQ(plan.segments_dropped, 0u);
    EXPECT_EQ(plan.to_summarize_tokens, 0);
    EXPECT_EQ(plan.keep, tokens_of(c));
  }
}

// ---- truncate_oldest ----

TEST(ContextFit, TruncateOldestCutsTheOldestDroppableSegmentPartially) {
  Context c = sample();
  const FitPlan plan = plan_fit(c, 500, FitPolicy::kTruncateOldest);  // 250 too many
  EXPECT_TRUE(plan.fits);
  EXPECT_EQ(plan.keep, (std::vector<std::int64_t>{100, 50, 50, 200, 100}));
  EXPECT_EQ(plan.tokens_after, 500);
  EXPECT_EQ(plan.segments_dropped, 0u);
  EXPECT_DOUBLE_EQ(plan.retained, (100 + 50 + 50 * 0.5 + 180 + 20) / 500.0);  // 0.75
  apply_fit(c, plan);
  EXPECT_EQ(tokens_of(c), plan.keep);
  EXPECT_EQ(c.segments()[2].kind, K::kDocument);
  EXPECT_EQ(c.segments()[2].relevance, 0.5);  // truncation keeps the relevance per token
  EXPECT_DOUBLE_EQ(c.information() / 500.0, plan.retained);
}

TEST(ContextFit, TruncateOldestDropsWholeSegmentsOldestFirstThenCutsTheLastOne) {
  Context c = sample();
  const FitPlan plan = plan_fit(c, 300, FitPolicy::kTruncateOldest);  // 450 too many
  EXPECT_EQ(plan.keep, (std::vector<std::int64_t>{100, 50, 0, 50, 100}));
  EXPECT_EQ(plan.tokens_after, 300);
  EXPECT_EQ(plan.segments_dropped, 1u);
  EXPECT_DOUBLE_EQ(plan.retained, (100 + 50 + 50 * 0.9 + 20) / 500.0);  // 0.43
  apply_fit(c, plan);
  ASSERT_EQ(c.segments().size(), 4u);  // the dropped document is gone
  EXPECT_EQ(tokens_of(c), (std::vector<std::int64_t>{100, 50, 50, 100}));
  EXPECT_EQ(c.segments()[2].relevance, 0.9);
  EXPECT_EQ(c.tokens(), 300);
}

TEST(ContextFit, TruncateOldestCanDropEverythingButSystemPromptAndQuery) {
  Context c = sample();
  const FitPlan plan = plan_fit(c, 150, FitPolicy::kTruncateOldest);
  EXPECT_TRUE(plan.fits);
  EXPECT_EQ(plan.keep, (std::vector<std::int64_t>{100, 50, 0, 0, 0}));
  EXPECT_EQ(plan.segments_dropped, 3u);
  EXPECT_DOUBLE_EQ(plan.retained, 150.0 / 500.0);
  apply_fit(c, plan);
  ASSERT_EQ(c.segments().size(), 2u);
  EXPECT_EQ(c.segments()[0].kind, K::kSystem);
  EXPECT_EQ(c.segments()[1].kind, K::kQuery);
}

TEST(ContextFit, ProtectedSegmentsAreNeverCutWhereverTheyAre) {
  Context c;
  c.add({K::kMemory, 100, 1.0});
  c.add({K::kSystem, 100, 1.0});
  c.add({K::kToolResult, 100, 1.0});
  c.add({K::kQuery, 50, 1.0});
  c.add({K::kIntermediate, 100, 1.0});
  const FitPlan plan = plan_fit(c, 260, FitPolicy::kTruncateOldest);  // 190 too many
  EXPECT_EQ(plan.keep, (std::vector<std::int64_t>{0, 100, 10, 50, 100}));
  EXPECT_DOUBLE_EQ(plan.retained, 260.0 / 450.0);
}

TEST(ContextFit, AProtectedPartLargerThanTheWindowDoesNotFitUnderAnyPolicy) {
  const Context c = sample();  // system + query = 150
  for (FitPolicy p : {FitPolicy::kTruncateOldest, FitPolicy::kDropLeastRelevant,
                      FitPolicy::kSummarize, FitPolicy::kFail}) {
    const FitPlan plan = plan_fit(c, 149, p);
    EXPECT_FALSE(plan.fits) << to_string(p);
    EXPECT_EQ(plan.keep, tokens_of(c)) << to_string(p);  // nothing is planned away
    EXPECT_EQ(plan.to_summarize_tokens, 0) << to_string(p);
  }
  Context unchanged = c;
  apply_fit(unchanged, plan_fit(c, 149, FitPolicy::kTruncateOldest));
  EXPECT_EQ(tokens_of(unchanged), tokens_of(c));
  EXPECT_TRUE(plan_fit(c, 150, FitPolicy::kTruncateOldest).fits);  // exactly the window
}

// ---- drop_least_relevant ----

TEST(ContextFit, DropLeastRelevantDropsTheLowestRelevanceFirst) {
  Context c = sample();
  const FitPlan plan = plan_fit(c, 500, FitPolicy::kDropLeastRelevant);  // 250 too many
  // intermediate (0.2) goes first, then 150 of the 0.5 document; the 0.9 one stays.
  EXPECT_EQ(plan.keep, (std::vector<std::int64_t>{100, 50, 150, 200, 0}));
  EXPECT_EQ(plan.tokens_after, 500);
  EXPECT_EQ(plan.segments_dropped, 1u);
  EXPECT_DOUBLE_EQ(plan.retained, (100 + 50 + 150 * 0.5 + 180) / 500.0);  // 0.81
  // Keeping the relevant tokens retains more than truncating the oldest.
  EXPECT_GT(plan.retained, plan_fit(c, 500, FitPolicy::kTruncateOldest).retained);
  apply_fit(c, plan);
  EXPECT_EQ(tokens_of(c), (std::vector<std::int64_t>{100, 50, 150, 200}));
}

TEST(ContextFit, DropLeastRelevantBreaksTiesOldestFirst) {
  Context c;
  c.add({K::kSystem, 10, 1.0});
  c.add({K::kDocument, 100, 0.9});
  c.add({K::kDocument, 100, 0.5});  // older of the tied pair
  c.add({K::kQuery, 10, 1.0});
  c.add({K::kMemory, 100, 0.5});
  const FitPlan plan = plan_fit(c, 170, FitPolicy::kDropLeastRelevant);  // 150 too many
  EXPECT_EQ(plan.keep, (std::vector<std::int64_t>{10, 100, 0, 10, 50}));
  EXPECT_EQ(plan.segments_dropped, 1u);
  EXPECT_DOUBLE_EQ(plan.retained, (10 + 90 + 10 + 25) / (10 + 90 + 50 + 10 + 50.0));
}

// ---- fail ----

TEST(ContextFit, FailPolicyDoesNotFitAnOversizedContext) {
  Context c = sample();
  const FitPlan plan = plan_fit(c, 749, FitPolicy::kFail);
  EXPECT_FALSE(plan.fits);
  EXPECT_EQ(plan.keep, tokens_of(c));
  EXPECT_TRUE(plan_fit(c, 750, FitPolicy::kFail).fits);
}

// ---- summarize ----

TEST(ContextFit, SummarizeAsksForASummaryOfEveryDroppableToken) {
  const Context c = sample();
  const FitPlan plan = plan_fit(c, 500, FitPolicy::kSummarize);
  EXPECT_TRUE(plan.fits);
  EXPECT_EQ(plan.to_summarize_tokens, 600);
  EXPECT_EQ(plan.keep, tokens_of(c));  // nothing dropped until the summary exists
}

TEST(ContextFit, ApplySummaryReplacesDroppableSegmentsKeepingFidelityOfTheirInformation) {
  Context c = sample();
  const double retained = apply_summary(c, 120, 0.8, 500);
  // Protected 150 + 0.8 x (150 + 180 + 20) = 150 + 280 = 430 of 500.
  EXPECT_DOUBLE_EQ(retained, 430.0 / 500.0);
  ASSERT_EQ(c.segments().size(), 3u);
  EXPECT_EQ(c.segments()[0].kind, K::kSystem);
  EXPECT_EQ(c.segments()[1].kind, K::kQuery);
  EXPECT_EQ(c.segments()[2].kind, K::kSummary);
  EXPECT_EQ(c.segments()[2].tokens, 120);
  EXPECT_DOUBLE_EQ(c.segments()[2].information(), 280.0);
  EXPECT_EQ(c.tokens(), 270);
}

TEST(ContextFit, ApplySummaryTruncatesTheSummaryIfTheResultStillDoesNotFit) {
  Context c = sample();
  const double retained = apply_summary(c, 120, 0.8, 200);
  // 270 tokens > 200: truncate_oldest cuts the summary to 50 of its 120 tokens.
  EXPECT_EQ(tokens_of(c), (std::vector<std::int64_t>{100, 50, 50}));
  EXPECT_DOUBLE_EQ(retained, (150.0 + 280.0 * 50.0 / 120.0) / 500.0);
}

TEST(ContextFit, ApplySummaryWithAnEmptySummaryKeepsOnlyTheProtectedPart) {
  Context c = sample();
  EXPECT_DOUBLE_EQ(apply_summary(c, 0, 0.8, 500), 150.0 / 500.0);
  EXPECT_EQ(tokens_of(c), (std::vector<std::int64_t>{100, 50}));
}

TEST(ContextFit, ZeroInformationContextsRetainEverything) {
  Context c;
  c.add({K::kSystem, 10, 0.0});
  c.add({K::kDocument, 100, 0.0});
  const FitPlan plan = plan_fit(c, 50, FitPolicy::kTruncateOldest);
  EXPECT_EQ(plan.keep, (std::vector<std::int64_t>{10, 40}));
  EXPECT_EQ(plan.retained, 1.0);
}

// Every policy on random contexts: the result fits, protected segments are
// untouched, and `retained` matches the information actually kept.
TEST(ContextFit, RandomContextsFitExactlyAndRetainedMatchesTheKeptInformation) {
  const sim::RandomSource rng(2024);
  for (int trial = 0; trial < 2'000; ++trial) {
    sim::RandomStream s = rng.stream("context-fit", trial);
    Context c;
    const auto n = 1 + s.below(8);
    for (std::uint64_t i = 0; i < n; ++i) {
      const K kind = static_cast<K>(s.below(7));
      c.add({kind, static_cast<std::int64_t>(s.below(500)), static_cast<double>(s.below(5)) / 4});
    }
    const std::int64_t window = static_cast<std::int64_t>(s.below(2'000));
    std::int64_t protected_tokens = 0;
    for (const Segment& seg : c.segments()) {
      protected_tokens += seg.protected_from_fitting() ? seg.tokens : 0;
    }
    for (FitPolicy p : {FitPolicy::kTruncateOldest, FitPolicy::kDropLeastRelevant}) {
      const FitPlan plan = plan_fit(c, window, p);
      ASSERT_EQ(plan.fits, protected_tokens <= window || c.tokens() <= window) << trial;
      if (!plan.fits) continue;
      ASSERT_EQ(plan.tokens_after, std::min(c.tokens(), window)) << trial;
      double kept = 0;
      std::uint32_t partial = 0;
      for (std::size_t i = 0; i < c.segments().size(); ++i) {
        const Segment& seg = c.segments()[i];
        ASSERT_GE(plan.keep[i], 0);
        ASSERT_LE(plan.keep[i], seg.tokens);
        if (seg.protected_from_fitting()) {
          ASSERT_EQ(plan.keep[i], seg.tokens) << trial;
        }
        partial += plan.keep[i] > 0 && plan.keep[i] < seg.tokens;
        kept += static_cast<double>(plan.keep[i]) * seg.relevance;
      }
      ASSERT_LE(partial, 1u) << "at most one segment is cut partially";
      const double before = c.information();
      ASSERT_NEAR(plan.retained, before > 0 ? kept / before : 1.0, 1e-12) << trial;
      Context applied = c;
      apply_fit(applied, plan);
      ASSERT_EQ(applied.tokens(), plan.tokens_after);
    }
  }
}

TEST(ContextFit, TruncateOldestNeverCutsANewerSegmentWhileAnOlderOneHasTokens) {
  const sim::RandomSource rng(77);
  for (int trial = 0; trial < 1'000; ++trial) {
    sim::RandomStream s = rng.stream("truncate-order", trial);
    Context c;
    c.add({K::kSystem, 50, 1.0});
    c.add({K::kQuery, 50, 1.0});
    const auto n = 1 + s.below(6);
    for (std::uint64_t i = 0; i < n; ++i) {
      c.add({K::kIntermediate, static_cast<std::int64_t>(1 + s.below(300)), 1.0});
    }
    const FitPlan plan =
        plan_fit(c, 100 + static_cast<std::int64_t>(s.below(1'000)), FitPolicy::kTruncateOldest);
    // Droppable keeps look like 0, 0, ..., partial, full, full, ...
    bool seen_kept = false;
    for (std::size_t i = 2; i < c.segments().size(); ++i) {
      if (seen_kept) {
        ASSERT_EQ(plan.keep[i], c.segments()[i].tokens) << trial;
      }
      seen_kept = seen_kept || plan.keep[i] > 0;
    }
  }
}

TEST(ContextFit, PolicyAndKindNamesAreStable) {
  EXPECT_EQ(to_string(FitPolicy::kTruncateOldest), "truncate_oldest");
  EXPECT_EQ(to_string(FitPolicy::kDropLeastRelevant), "drop_least_relevant");
  EXPECT_EQ(to_string(FitPolicy::kSummarize), "summarize");
  EXPECT_EQ(to_string(FitPolicy::kFail), "fail");
  EXPECT_EQ(to_string(K::kSystem), "system");
  EXPECT_EQ(to_string(K::kQuery), "query");
  EXPECT_EQ(to_string(K::kMemory), "memory");
  EXPECT_EQ(to_string(K::kDocument), "document");
  EXPECT_EQ(to_string(K::kIntermediate), "intermediate");
  EXPECT_EQ(to_string(K::kToolResult), "tool_result");
  EXPECT_EQ(to_string(K::kSummary), "summary");
}

}  // namespace
}  // namespace orchsim::orchestration::context_test
