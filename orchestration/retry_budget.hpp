// Limits on how much retries and hedges may add to the load, so that nested
// retries cannot multiply an outage (REFERENCE: a^N calls at the bottom of N
// layers of a attempts).
//
// Two kinds, chosen by name in the scenario:
//  - token bucket, gRPC retry throttling: tokens start at max_tokens; each
//    failure takes 1, each success gives back token_ratio (capped at
//    max_tokens); a retry or hedge is allowed only while tokens > max_tokens/2.
//    Kept in thousandths of a token, as gRPC does.
//  - concurrency, Envoy retry budget: retries in flight <= max(budget_percent
//    of active requests, min_retry_concurrency).
//
//   RetryBudget budget(RetryBudgetConfig::grpc(10, 0.1));
//   if (budget.allow_retry()) { budget.retry_started(); ... budget.retry_finished(); }
//   budget.on_success(); / budget.on_failure();   // every attempt's end
#pragma once

#include <algorithm>
#include <cstdint>

#include "sim/enum_names.hpp"

namespace orchsim::orchestration {

struct RetryBudgetConfig {
  enum class Kind : std::uint8_t { kUnlimited, kTokenBucket, kConcurrency };
  Kind kind = Kind::kUnlimited;
  // Token bucket (gRPC): maxTokens in (0, 1000], tokenRatio in (0, 1], both read
  // to three decimal places (further digits are ignored, as gRPC does).
  double max_tokens = 10.0;
  double token_ratio = 0.1;
  // Concurrency (Envoy): percent of active requests, and a floor.
  double budget_percent = 20.0;
  std::uint32_t min_retry_concurrency = 3;

  static RetryBudgetConfig unlimited() { return {}; }
  static RetryBudgetConfig grpc(double max_tokens, double token_ratio);
  // Envoy's defaults are the initialisers above (20%, at least 3), written
  // once: the overloads only replace what they are given.
  static RetryBudgetConfig envoy();
  static RetryBudgetConfig envoy(double budget_percent);
  static RetryBudgetConfig envoy(double budget_percent, std::uint32_t min_concurrency);
};

inline constexpr sim::EnumName<RetryBudgetConfig::Kind> kRetryBudgetKindNames[] = {
    {RetryBudgetConfig::Kind::kUnlimited, "unlimited", "no limit"},
    {RetryBudgetConfig::Kind::kTokenBucket, "token_bucket", "gRPC retry throttling"},
    {RetryBudgetConfig::Kind::kConcurrency, "concurrency", "Envoy's retry budget"},
};

class RetryBudget {
 public:
  explicit RetryBudget(const RetryBudgetConfig& config);

  // Whether one more retry (or hedge) may start now.
  bool allow_retry() const;
  void retry_started() { ++retries_in_flight_; }
  void retry_finished() {
    if (retries_in_flight_ > 0) --retries_in_flight_;
  }
  // Every attempt's end (first tries and retries alike), for the token
  // bucket. Inline: called for every attempt.
  void on_success() {
    if (config_.kind == RetryBudgetConfig::Kind::kTokenBucket) {
      milli_tokens_ = std::min(max_milli_, milli_tokens_ + ratio_milli_);
    }
  }
  void on_failure() {
    if (config_.kind == RetryBudgetConfig::Kind::kTokenBucket) {
      milli_tokens_ = std::max<std::int64_t>(0, milli_tokens_ - 1000);
    }
  }
  // Requests in flight, for the concurrency kind.
  void request_started() { ++active_requests_; }
  void request_finished() {
    if (active_requests_ > 0) --active_requests_;
  }

  double tokens() const { return static_cast<double>(milli_tokens_) / 1000.0; }
  std::uint32_t retries_in_flight() const { return retries_in_flight_; }
  std::uint64_t denied() const { return denied_; }
  // allow_retry() plus bookkeeping of denials, for callers that act on the answer.
  bool admit_retry();

 private:
  RetryBudgetConfig config_;
  // gRPC keeps tokens in thousandths (3 decimal places): so do we, exactly.
  std::int64_t milli_tokens_;
  std::int64_t max_milli_;
  std::int64_t ratio_milli_;
  std::uint32_t retries_in_flight_ = 0;
  std::uint32_t active_requests_ = 0;
  std::uint64_t denied_ = 0;
};

}  // namespace orchsim::orchestration
