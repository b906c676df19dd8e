#include "orchestration/join.hpp"

#include <fmt/format.h>

#include <cmath>

namespace orchsim::orchestration {

std::uint32_t JoinNode::tolerated(std::uint32_t total) const {
  // Neither given: none tolerated. Both: the stricter one.
  std::uint32_t allowed =
      tolerated_failures == kUnset && tolerated_failure_percent < 0.0 ? 0 : tolerated_failures;
  if (tolerated_failure_percent >= 0.0) {
    // The join fails when failed / total > percent / 100, so up to
    // floor(percent * total / 100) failures are accepted.
    const auto by_share = static_cast<std::uint32_t>(
        std::floor(tolerated_failure_percent * static_cast<double>(total) / 100.0 + 1e-9));
    allowed = std::min(allowed, by_share);
  }
  return allowed;
}

namespace detail {

JoinVerdict decide_join(const JoinNode& join, JoinCount c, bool last_ok, bool explain) {
  using W = JoinVerdict::What;
  const std::uint32_t remaining = c.total - c.done;
  const std::uint32_t failed = c.done - c.ok;
  // A reason with values only when someone reads it (formatted later, if ever).
  const auto say = [explain]<class... Args>(fmt::format_string<Args...> format, Args&&... args) {
    return explain ? Reason::format(format, std::forward<Args>(args)...) : Reason();
  };
  switch (join.policy) {
    case JoinPolicy::kAll: {
      const std::uint32_t allowed = join.tolerated(c.total);
      const bool wait_all = join.on_branch_failure == BranchFailure::kWaitAll;
      if (!last_ok && failed > allowed && !wait_all) {
        return {W::kFail, allowed == 0 ? Reason::format("a branch failed (join: all)")
                                       : say("{} branches failed, more than the {} tolerated",
                                             failed, allowed)};
      }
      if (remaining > 0) return {};
      if (failed == 0) return {W::kSucceed, Reason::format("all branches succeeded")};
      if (failed <= allowed) {
        return {W::kSucceed, say("all branches done, {} failed ({} tolerated)", failed, allowed)};
      }
      return {W::kFail,
              say("all branches done, {} failed, more than the {} tolerated", failed, allowed)};
    }
    case JoinPolicy::kFirstSuccess:
      if (last_ok) return {W::kSucceed, Reason::format("first success")};
      if (remaining == 0) return {W::kFail, Reason::format("every branch failed")};
      return {};
    case JoinPolicy::kFirstK:
      if (c.ok >= join.k) return {W::kSucceed, say("first {} successes", join.k)};
      if (c.ok + remaining < join.k)
        return {W::kFail, Reason::format("too few successes possible")};
      return {};
    case JoinPolicy::kQuorum: {
      const std::uint32_t quorum = c.total / 2 + 1;
      if (c.ok >= quorum) return {W::kSucceed, say("quorum of {}", quorum)};
      if (c.ok + remaining < quorum) return {W::kFail, Reason::format("quorum impossible")};
      return {};
    }
    case JoinPolicy::kDeadline:
      if (remaining == 0) {
        return {c.ok > 0 ? W::kSucceed : W::kFail,
                Reason::format("all branches done before the deadline")};
      }
      return {};
  }
  return {};
}

}  // namespace detail
}  // namespace orchsim::orchestration
