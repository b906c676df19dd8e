// Internal to the orchestrator: what a join decides as its branches end, as a
// pure function of its policy and the count so far.
#pragma once

#include <cstdint>
#include <string>

#include "orchestration/reason.hpp"
#include "orchestration/workflow.hpp"

namespace orchsim::orchestration::detail {

struct JoinCount {
  std::uint32_t total = 0;  // branches started
  std::uint32_t done = 0;   // ended, successfully or not
  std::uint32_t ok = 0;     // ended successfully
};

struct JoinVerdict {
  enum class What : std::uint8_t { kWait, kSucceed, kFail } what = What::kWait;
  Reason why;  // for the request log (those with values: empty when not explaining)
};

// After a branch ended (`last_ok` says how). Deadline joins end here only
// when every branch is done; their timer ends them otherwise.
JoinVerdict decide_join(const JoinNode& join, JoinCount count, bool last_ok, bool explain);

}  // namespace orchsim::orchestration::detail
