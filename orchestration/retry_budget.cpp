#include "orchestration/retry_budget.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace orchsim::orchestration {

RetryBudgetConfig RetryBudgetConfig::grpc(double max_tokens, double token_ratio) {
  RetryBudgetConfig c;
  c.kind = Kind::kTokenBucket;
  c.max_tokens = max_tokens;
  c.token_ratio = token_ratio;
  return c;
}

RetryBudgetConfig RetryBudgetConfig::envoy() {
  RetryBudgetConfig c;
  c.kind = Kind::kConcurrency;
  return c;
}
RetryBudgetConfig RetryBudgetConfig::envoy(double budget_percent) {
  RetryBudgetConfig c = envoy();
  c.budget_percent = budget_percent;
  return c;
}
RetryBudgetConfig RetryBudgetConfig::envoy(double budget_percent, std::uint32_t min_concurrency) {
  RetryBudgetConfig c = envoy(budget_percent);
  c.min_retry_concurrency = min_concurrency;
  return c;
}

namespace {
// Thousandths of a token, as gRPC parses maxTokens and tokenRatio: digits past
// the third decimal place are ignored (the tiny epsilon keeps 0.3 from becoming
// 299 through binary rounding). Out-of-range values are rejected before use.
std::int64_t to_milli(double tokens) {
  if (!(tokens >= 0 && tokens <= 1e6)) return 0;
  return static_cast<std::int64_t>(std::floor(tokens * 1000.0 + 1e-6));
}
}  // namespace

RetryBudget::RetryBudget(const RetryBudgetConfig& config)
    : config_(config),
      milli_tokens_(to_milli(config.max_tokens)),
      max_milli_(milli_tokens_),
      ratio_milli_(to_milli(config.token_ratio)) {
  if (config_.kind == RetryBudgetConfig::Kind::kTokenBucket &&
      !(config_.max_tokens > 0 && config_.max_tokens <= 1000 && config_.token_ratio > 0 &&
        config_.token_ratio <= 1 && max_milli_ > 0 && ratio_milli_ > 0)) {
    throw std::invalid_argument(
        "retry budget: need 0 < max_tokens <= 1000 and 0.001 <= token_ratio <= 1");
  }
  if (config_.kind == RetryBudgetConfig::Kind::kConcurrency &&
      !(config_.budget_percent >= 0 && config_.budget_percent <= 100)) {
    throw std::invalid_argument("retry budget: need 0 <= budget_percent <= 100");
  }
}

bool RetryBudget::allow_retry() const {
  switch (config_.kind) {
    case RetryBudgetConfig::Kind::kUnlimited:
      return true;
    case RetryBudgetConfig::Kind::kTokenBucket:
      return 2 * milli_tokens_ > max_milli_;
    case RetryBudgetConfig::Kind::kConcurrency: {
      const double budget = std::max(config_.budget_percent / 100.0 * active_requests_,
                                     static_cast<double>(config_.min_retry_concurrency));
      return static_cast<double>(retries_in_flight_) + 1.0 <= std::floor(budget) + 1e-9;
    }
  }
  return true;
}

bool RetryBudget::admit_retry() {
  if (allow_retry()) return true;
  ++denied_;
  return false;
}

}  // namespace orchsim::orchestration
