// Helpers shared by the built-in policies: the usual "lowest score among the
// eligible candidates" rule, with a reusable score buffer for the decision log.
#pragma once

#include <cstddef>
#include <limits>
#include <span>
#include <vector>

#include "orchestration/policy.hpp"

namespace orchsim::orchestration::policies {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

inline bool any_eligible(const DecisionContext& ctx) {
  for (std::size_t i = 0; i < ctx.size(); ++i) {
    if (ctx[i].eligible()) return true;
  }
  return false;
}

// Index of the lowest score among eligible candidates (among all when none is
// eligible); ties go to the earlier candidate. Fills `scores` (resized to
// ctx.size()) with every candidate's score when it is not null.
template <class Score>
std::size_t argmin(const DecisionContext& ctx, Score score, std::vector<double>* scores) {
  const bool any = any_eligible(ctx);
  if (scores) scores->assign(ctx.size(), 0.0);
  std::size_t best = 0;
  double best_score = kInf;
  for (std::size_t i = 0; i < ctx.size(); ++i) {
    const double s = score(i);
    if (scores) (*scores)[i] = s;
    if ((any && !ctx[i].eligible()) || !(s < best_score)) continue;
    best = i;
    best_score = s;
  }
  return best;
}

// The scores to hand back in a Choice: the buffer when explaining, else none.
inline std::span<const double> scores_of(const DecisionContext& ctx,
                                         const std::vector<double>& buffer) {
  return ctx.explain() ? std::span<const double>(buffer) : std::span<const double>();
}

}  // namespace orchsim::orchestration::policies
