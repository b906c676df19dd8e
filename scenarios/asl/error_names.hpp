// Step Functions error names, as they appear in Retry and Catch ErrorEquals,
// mapped onto what can fail in the simulation: the six explicit error kinds
// of mock_agents::ErrorKind and the attempt timeout. The table is documented
// in docs/import.md ("Error names"); a test keeps the two in step.
//
//   ErrorNameMatch m = match_error_name("Lambda.TooManyRequestsException");
//   m.failures.test(index(Failure::kRateLimited));   // true
//   m.source == MatchSource::kTable;
#pragma once

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "mock_agents/agent.hpp"

namespace orchsim::scenarios::asl {

// What a simulated step can fail with. The order is fixed: it is the order
// of catch-gate rules and of the docs' tables.
enum class Failure : std::uint8_t {
  kTransient,
  kRateLimited,
  kPermanent,
  kContextOverflow,
  kOverloaded,
  kUnavailable,
  kTimeout,  // the attempt's timeout (TimeoutSeconds, HeartbeatSeconds)
};
inline constexpr std::size_t kFailureCount = 7;
using FailureSet = std::bitset<kFailureCount>;
inline constexpr std::size_t index(Failure f) { return static_cast<std::size_t>(f); }
inline constexpr std::array<Failure, kFailureCount> kAllFailures = {
    Failure::kTransient,  Failure::kRateLimited, Failure::kPermanent, Failure::kContextOverflow,
    Failure::kOverloaded, Failure::kUnavailable, Failure::kTimeout};
// "transient", ..., "timeout": the scenario format's names (error kinds).
std::string_view to_string(Failure f);
mock_agents::ErrorKind error_kind(Failure f);  // kNone for kTimeout
// "transient, rate_limited" (or "nothing").
std::string describe(const FailureSet& set);

enum class MatchSource : std::uint8_t {
  kTable,    // a name of the table (States.*, service errors)
  kPattern,  // a service error matched by a keyword rule of the table
  kCustom,   // any other name: an error the user's code throws -> permanent
  kNever,    // a data or runtime error that cannot happen without a payload
};

struct ErrorNameMatch {
  FailureSet failures;
  MatchSource source = MatchSource::kTable;
  std::string rule;  // the table row or keyword that matched, for messages
};

ErrorNameMatch match_error_name(std::string_view name);

// The table, as documented.
struct ErrorNameRow {
  std::string_view name;  // an exact name, or "*Keyword*" for a keyword rule
  std::string_view failures;
  std::string_view why;
};
std::span<const ErrorNameRow> error_name_table();

}  // namespace orchsim::scenarios::asl
