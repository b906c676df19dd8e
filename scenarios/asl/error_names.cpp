#include "scenarios/asl/error_names.hpp"

#include <string>

namespace orchsim::scenarios::asl {

std::string_view to_string(Failure f) {
  switch (f) {
    case Failure::kTransient:
      return "transient";
    case Failure::kRateLimited:
      return "rate_limited";
    case Failure::kPermanent:
      return "permanent";
    case Failure::kContextOverflow:
      return "context_overflow";
    case Failure::kOverloaded:
      return "overloaded";
    case Failure::kUnavailable:
      return "unavailable";
    case Failure::kTimeout:
      return "timeout";
  }
  return "?";
}

mock_agents::ErrorKind error_kind(Failure f) {
  using K = mock_agents::ErrorKind;
  switch (f) {
    case Failure::kTransient:
      return K::kTransient;
    case Failure::kRateLimited:
      return K::kRateLimited;
    case Failure::kPermanent:
      return K::kPermanent;
    case Failure::kContextOverflow:
      return K::kContextOverflow;
    case Failure::kOverloaded:
      return K::kOverloaded;
    case Failure::kUnavailable:
      return K::kUnavailable;
    case Failure::kTimeout:
      return K::kNone;
  }
  return K::kNone;
}

std::string describe(const FailureSet& set) {
  std::string out;
  for (const Failure f : kAllFailures) {
    if (!set.test(index(f))) continue;
    out += out.empty() ? "" : ", ";
    out += to_string(f);
  }
  return out.empty() ? "nothing" : out;
}

namespace {

// Exact names first, then keyword rules on the part after the service
// prefix, in order: the first keyword found decides. Every failure but the
// timeout: what States.TaskFailed matches.
constexpr std::string_view kAllButTimeout =
    "transient, rate_limited, permanent, context_overflow, overloaded, unavailable";
constexpr std::string_view kEverything =
    "transient, rate_limited, permanent, context_overflow, overloaded, unavailable, timeout";

constexpr ErrorNameRow kTable[] = {
    {"States.ALL", kEverything, "every error (it must be last and alone)"},
    {"States.TaskFailed", kAllButTimeout, "every error but States.Timeout"},
    {"States.Timeout", "timeout", "TimeoutSeconds (or HeartbeatSeconds) ran out"},
    {"States.HeartbeatTimeout", "timeout", "HeartbeatSeconds ran out (imported as a timeout)"},
    {"States.Permissions", "permanent", "not allowed: retrying does not help"},
    {"States.ExceedToleratedFailureThreshold", "", "on a Map: its join failed (see Map)"},
    {"States.BranchFailed", "", "no payload: never happens in the simulation"},
    {"States.NoChoiceMatched", "", "Choices are probabilities: one always matches"},
    {"States.ResultPathMatchFailure", "", "no payload: never happens in the simulation"},
    {"States.ParameterPathFailure", "", "no payload: never happens in the simulation"},
    {"States.IntrinsicFailure", "", "no payload: never happens in the simulation"},
    {"States.QueryEvaluationError", "", "no payload: never happens in the simulation"},
    {"States.ItemReaderFailed", "", "Map items are not read: never happens in the simulation"},
    {"States.ResultWriterFailed", "", "Map results are not written: never happens"},
    {"States.DataLimitExceeded", "", "no payload: never happens in the simulation"},
    {"States.Runtime", "", "no payload: never happens in the simulation"},
    {"Lambda.ServiceException", "transient", "Lambda's 5xx"},
    {"Lambda.AWSLambdaException", "transient", "Lambda's generic service error"},
    {"Lambda.SdkClientException", "transient", "a network error calling Lambda"},
    {"Lambda.Unknown", "transient", "the function crashed or ran out of memory"},
    {"Lambda.TooManyRequestsException", "rate_limited", "concurrency or request throttling"},
    {"*Throttl*", "rate_limited", "throttling (Bedrock.ThrottlingException, ...)"},
    {"*TooManyRequests*", "rate_limited", "throttling"},
    {"*LimitExceeded*", "rate_limited", "RequestLimitExceeded, ProvisionedThroughputExceeded..."},
    {"*ThroughputExceeded*", "rate_limited", "DynamoDB.ProvisionedThroughputExceededException"},
    {"*QuotaExceeded*", "rate_limited", "ServiceQuotaExceededException"},
    {"*SlowDown*", "rate_limited", "S3's 503 SlowDown"},
    {"*ServiceUnavailable*", "unavailable", "the service is down"},
    {"*NotReady*", "unavailable", "Bedrock.ModelNotReadyException"},
    {"*Overloaded*", "overloaded", "rejected without service"},
    {"*Capacity*", "overloaded", "InsufficientCapacity..."},
    {"*ContextWindow*", "context_overflow", "the input is too long for the model"},
    {"*TooLong*", "context_overflow", "the input is too long"},
    {"*Validation*", "permanent", "a bad request: retrying does not help"},
    {"*AccessDenied*", "permanent", "not allowed"},
    {"*Unauthorized*", "permanent", "not allowed"},
    {"*NotFound*", "permanent", "no such resource"},
    {"*Invalid*", "permanent", "a bad request"},
    {"*ConditionalCheckFailed*", "permanent", "DynamoDB's condition did not hold"},
    {"*AlreadyExists*", "permanent", "a name taken"},
    {"*Duplicate*", "permanent", "a name taken"},
    {"*TransactionCanceled*", "permanent", "DynamoDB's transaction was cancelled"},
    {"*Conflict*", "transient", "the resource is being changed: later may work"},
    {"*Running*", "transient", "busy with an earlier run: later may work"},
    {"*InUse*", "transient", "busy: later may work"},
    {"*Timeout*", "transient", "the service's own timeout (ModelTimeoutException)"},
    {"*TimedOut*", "transient", "the service's own timeout"},
    {"*InternalServer*", "transient", "a 5xx"},
    {"*InternalFailure*", "transient", "a 5xx"},
    {"*Exception*", "transient", "any other error of an AWS service (Service.NameException)"},
    {"(any other name)", "permanent", "an error your code throws (a Fail state, a function)"},
};

FailureSet parse_failures(std::string_view list) {
  FailureSet set;
  for (const Failure f : kAllFailures) {
    const std::string_view name = to_string(f);
    std::size_t at = 0;
    while ((at = list.find(name, at)) != std::string_view::npos) {
      const std::size_t end = at + name.size();
      // Whole words only ("transient" is not inside another name, but be exact).
      const bool starts = at == 0 || list[at - 1] == ' ' || list[at - 1] == ',';
      const bool ends = end == list.size() || list[end] == ',';
      if (starts && ends) set.set(index(f));
      at = end;
    }
  }
  return set;
}

}  // namespace

std::span<const ErrorNameRow> error_name_table() { return kTable; }

ErrorNameMatch match_error_name(std::string_view name) {
  for (const ErrorNameRow& row : kTable) {
    if (row.name.front() == '*' || row.name.front() == '(') continue;
    if (row.name == name) {
      const FailureSet set = parse_failures(row.failures);
      return {set, set.none() ? MatchSource::kNever : MatchSource::kTable, std::string(row.name)};
    }
  }
  // Other States.* names are not errors Step Functions raises: names a Fail
  // state or a function chose (States.QuorumMet): custom.
  const bool service_error =
      name.find('.') != std::string_view::npos && !name.starts_with("States.");
  if (service_error) {
    const std::string_view error = name.substr(name.find('.') + 1);
    for (const ErrorNameRow& row : kTable) {
      if (row.name.front() != '*') continue;
      const std::string_view keyword = row.name.substr(1, row.name.size() - 2);
      if (error.find(keyword) != std::string_view::npos) {
        return {parse_failures(row.failures), MatchSource::kPattern, std::string(row.name)};
      }
    }
  }
  return {parse_failures("permanent"), MatchSource::kCustom, "(any other name)"};
}

}  // namespace orchsim::scenarios::asl
