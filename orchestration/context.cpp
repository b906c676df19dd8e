#include "orchestration/context.hpp"

#include <algorithm>
#include <numeric>
#include <utility>

namespace orchsim::orchestration {

std::string_view to_string(SegmentKind kind) { return sim::enum_name(kSegmentKindNames, kind); }
std::string_view to_string(FitPolicy policy) { return sim::enum_name(kFitPolicyNames, policy); }

void Context::assign(std::vector<Segment> segments) {
  segments_ = std::move(segments);
  tokens_ = 0;
  for (const Segment& s : segments_) tokens_ += s.tokens;
}

double Context::information() const {
  double i = 0;
  for (const Segment& s : segments_) i += s.information();
  return i;
}

FitPlan plan_fit(const Context& ctx, std::int64_t window, FitPolicy policy) {
  const auto& segs = ctx.segments();
  FitPlan plan;
  plan.tokens_before = ctx.tokens();
  plan.keep.resize(segs.size());
  for (std::size_t i = 0; i < segs.size(); ++i) plan.keep[i] = segs[i].tokens;
  plan.tokens_after = plan.tokens_before;
  if (plan.tokens_before <= window) return plan;

  std::int64_t protected_tokens = 0;
  for (const Segment& s : segs) protected_tokens += s.protected_from_fitting() ? s.tokens : 0;
  if (policy == FitPolicy::kFail || protected_tokens > window) {
    plan.fits = false;
    return plan;
  }
  if (policy == FitPolicy::kSummarize) {
    for (const Segment& s : segs)
      plan.to_summarize_tokens += s.protected_from_fitting() ? 0 : s.tokens;
    return plan;  // retained is known only once the summary exists
  }

  // Order in which droppable segments go.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    if (!segs[i].protected_from_fitting()) order.push_back(i);
  }
  if (policy == FitPolicy::kDropLeastRelevant) {
    std::stable_sort(order.begin(), order.end(), [&segs](std::size_t a, std::size_t b) {
      return segs[a].relevance < segs[b].relevance;
    });
  }
  std::int64_t excess = plan.tokens_before - window;
  for (std::size_t i : order) {
    if (excess <= 0) break;
    const std::int64_t cut = std::min(excess, segs[i].tokens);
    plan.keep[i] -= cut;
    excess -= cut;
    if (plan.keep[i] == 0) ++plan.segments_dropped;
  }
  plan.tokens_after = std::accumulate(plan.keep.begin(), plan.keep.end(), std::int64_t{0});
  const double before = ctx.information();
  double after = 0;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    after += static_cast<double>(plan.keep[i]) * segs[i].relevance;
  }
  plan.retained = before > 0 ? after / before : 1.0;
  return plan;
}

void apply_fit(Context& ctx, const FitPlan& plan) {
  const auto& segs = ctx.segments();
  std::vector<Segment> kept;
  kept.reserve(segs.size());
  for (std::size_t i = 0; i < segs.size() && i < plan.keep.size(); ++i) {
    if (plan.keep[i] == 0) continue;
    Segment s = segs[i];
    s.tokens = plan.keep[i];
    kept.push_back(s);
  }
  ctx.assign(std::move(kept));
}

double apply_summary(Context& ctx, std::int64_t summary_tokens, double fidelity,
                     std::int64_t window) {
  const double before = ctx.information();
  const auto& segs = ctx.segments();
  double summarized_info = 0;
  std::vector<Segment> kept;
  for (const Segment& s : segs) {
    if (s.protected_from_fitting()) {
      kept.push_back(s);
    } else {
      summarized_info += s.information();
    }
  }
  if (summary_tokens > 0) {
    kept.push_back({SegmentKind::kSummary, summary_tokens,
                    fidelity * summarized_info / static_cast<double>(summary_tokens)});
  }
  ctx.assign(std::move(kept));
  if (ctx.tokens() > window) apply_fit(ctx, plan_fit(ctx, window, FitPolicy::kTruncateOldest));
  return before > 0 ? ctx.information() / before : 1.0;
}

}  // namespace orchsim::orchestration
