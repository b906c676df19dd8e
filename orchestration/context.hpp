// Context passed between steps: token-counted segments, and the policies
// that fit it into an agent's context window.
//
//   Context ctx;
//   ctx.add({SegmentKind::kSystem, 400});
//   ctx.add({SegmentKind::kQuery, request.input_tokens});
//   ctx.add({SegmentKind::kDocument, 1200, /*relevance=*/0.8});
//   FitPlan plan = plan_fit(ctx, agent.context_window_tokens(), FitPolicy::kDropLeastRelevant);
//   apply_fit(ctx, plan);    // plan.retained: share of the information kept
//
// Information model: a segment carries tokens x relevance units of the
// information a step needs. What fitting drops lowers `retained` =
// information kept / information before, which the agent's quality model
// turns into lower quality (docs/quality-model.md). System prompt and query
// are never dropped; if they alone exceed the window the call cannot be made
// (context_overflow).
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/enum_names.hpp"

namespace orchsim::orchestration {

enum class SegmentKind : std::uint8_t {
  kSystem,
  kQuery,
  kMemory,
  kDocument,
  kIntermediate,
  kToolResult,
  kSummary
};
inline constexpr sim::EnumName<SegmentKind> kSegmentKindNames[] = {
    {SegmentKind::kSystem, "system", "the system prompt; never dropped", /*configurable=*/false},
    {SegmentKind::kQuery, "query", "the request's query; never dropped", /*configurable=*/false},
    {SegmentKind::kMemory, "memory", "remembered facts and conversation"},
    {SegmentKind::kDocument, "document", "retrieved documents"},
    {SegmentKind::kIntermediate, "intermediate", "another step's output"},
    {SegmentKind::kToolResult, "tool_result", "a tool's output"},
    {SegmentKind::kSummary, "summary", "a summary of dropped segments", /*configurable=*/false},
};
std::string_view to_string(SegmentKind kind);

struct Segment {
  SegmentKind kind = SegmentKind::kIntermediate;
  std::int64_t tokens = 0;
  double relevance = 1.0;  // information per token, relative; >= 0
  double information() const { return static_cast<double>(tokens) * relevance; }
  bool protected_from_fitting() const {
    return kind == SegmentKind::kSystem || kind == SegmentKind::kQuery;
  }
};

enum class FitPolicy : std::uint8_t {
  kTruncateOldest,     // drop the oldest droppable segments first (the last one partially)
  kDropLeastRelevant,  // drop the least relevant first (ties: oldest first; last one partially)
  kSummarize,          // replace droppable segments by a summary from a summarizer agent
  kFail,               // do not fit: a call whose context exceeds the window fails
};
inline constexpr sim::EnumName<FitPolicy> kFitPolicyNames[] = {
    {FitPolicy::kTruncateOldest, "truncate_oldest", "drop the oldest droppable segments first"},
    {FitPolicy::kDropLeastRelevant, "drop_least_relevant",
     "drop the least relevant droppable segments first"},
    {FitPolicy::kSummarize, "summarize",
     "replace droppable segments by a summary from the summarizer agent"},
    {FitPolicy::kFail, "fail", "do not fit: the call fails with context_overflow"},
};
std::string_view to_string(FitPolicy policy);

class Context {
 public:
  Context() = default;
  Context(const Context&) = default;
  Context& operator=(const Context&) = default;
  // A moved-from context is empty, its count included (a moved-from vector
  // is left empty, and the count must follow it).
  Context(Context&& o) noexcept : segments_(std::move(o.segments_)), tokens_(o.tokens_) {
    o.clear();
  }
  Context& operator=(Context&& o) noexcept {
    segments_ = std::move(o.segments_);
    tokens_ = o.tokens_;
    o.clear();
    return *this;
  }

  void add(const Segment& s) {
    segments_.push_back(s);
    tokens_ += s.tokens;
  }
  // Empties the context; keeps the buffer, so a reused context does not allocate.
  void clear() {
    segments_.clear();
    tokens_ = 0;
  }
  // Replaces every segment (what fitting keeps).
  void assign(std::vector<Segment> segments);
  // The sum of the segments' tokens, kept as they change: read before every
  // call, so it is not a walk over the segments.
  std::int64_t tokens() const { return tokens_; }
  double information() const;
  const std::vector<Segment>& segments() const { return segments_; }

 private:
  std::vector<Segment> segments_;  // oldest first
  std::int64_t tokens_ = 0;        // sum of segments_[i].tokens
};

// What fitting would do. For kSummarize, `to_summarize_tokens` is the input of
// the summarizer call the orchestrator must make; apply_summary() then
// completes the fit.
struct FitPlan {
  bool fits = true;  // false: even the protected part exceeds the window (or kFail)
  std::int64_t tokens_before = 0;
  std::int64_t tokens_after = 0;
  double retained = 1.0;  // information kept / information before, in [0, 1]
  std::uint32_t segments_dropped = 0;
  std::int64_t to_summarize_tokens = 0;
  // Per segment, tokens to keep (same order as the context).
  std::vector<std::int64_t> keep;
};

// Plans fitting `ctx` into `window` tokens. For kSummarize the plan keeps
// everything and asks for a summary of every droppable segment.
FitPlan plan_fit(const Context& ctx, std::int64_t window, FitPolicy policy);
// Applies a plan made for this context (drops and truncates segments).
void apply_fit(Context& ctx, const FitPlan& plan);
// Replaces every droppable segment by one summary of `summary_tokens` tokens
// keeping `fidelity` of their information; returns the information retained
// overall. If the result still exceeds the window, truncate_oldest finishes.
double apply_summary(Context& ctx, std::int64_t summary_tokens, double fidelity,
                     std::int64_t window);

}  // namespace orchsim::orchestration
