#include "scenarios/asl/retry_mapping.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "orchestration/workflow.hpp"
#include "scenarios/asl/walker_values.hpp"

namespace orchsim::scenarios::asl {

namespace {

// The scenario loader's limits (scenarios/loader.cpp): max_attempts <= 1000,
// multiplier <= 100.
constexpr std::uint64_t kMaxAttemptsLimit = 1000;
constexpr double kMultiplierLimit = 100.0;

// A positive whole number of seconds (IntervalSeconds, MaxDelaySeconds).
std::optional<double> seconds_field(const Json& entry, const std::string& at, const char* key,
                                    ImportContext& cx) {
  const auto it = entry.find(key);
  if (it == entry.end()) return std::nullopt;
  if (!it->is_number_integer() || it->get<double>() < 1.0 || it->get<double>() > kMaxWholeNumber) {
    cx.error(pointer_join(at, key),
             fmt::format("found {}, expected a whole number of seconds from 1 to {}", found(*it),
                         kMaxWholeNumber));
    return std::nullopt;
  }
  return it->get<double>();
}

Json backoff_json(const Retrier& r) {
  Json b = Json::object();
  // The step_functions preset has no cap (MaxDelaySeconds is optional);
  // the fields below make it this retrier's.
  b["preset"] = "step_functions";
  b["shape"] = "exponential";
  b["jitter"] = r.full_jitter ? "full" : "none";
  b["base_ms"] = r.interval_s * 1000.0;
  b["multiplier"] = std::min(r.backoff_rate, kMultiplierLimit);
  if (r.max_delay_s) b["cap_ms"] = *r.max_delay_s * 1000.0;
  return b;
}

// Which retrier decides each failure: the first that matches it (-1: none).
// A retrier every failure of which an earlier one takes never applies.
std::array<int, kFailureCount> owners(const std::vector<Retrier>& retriers, ImportContext& cx) {
  std::array<int, kFailureCount> owner{};
  owner.fill(-1);
  for (std::size_t i = 0; i < retriers.size(); ++i) {
    FailureSet taken_here;
    for (const Failure f : kAllFailures) {
      if (owner[index(f)] < 0 && retriers[i].errors.failures.test(index(f))) {
        owner[index(f)] = static_cast<int>(i);
        taken_here.set(index(f));
      }
    }
    if (taken_here.none() && retriers[i].errors.failures.any()) {
      cx.approximated(retriers[i].pointer,
                      fmt::format("retrier {} ({})", i, describe(retriers[i].errors.failures)),
                      "every failure it matches is matched first by an earlier retrier in the "
                      "simulation (error names map onto fewer kinds): it never applies");
    }
  }
  return owner;
}

// The failures retrier i decides.
FailureSet owned(const std::array<int, kFailureCount>& owner, std::size_t i) {
  FailureSet mine;
  for (const Failure f : kAllFailures) {
    if (owner[index(f)] == static_cast<int>(i)) mine.set(index(f));
  }
  return mine;
}

// A retry_on list: the error kinds (a timeout has its own field).
Json retry_on(const FailureSet& set) {
  Json on = Json::array();
  for (const Failure f : kAllFailures) {
    if (f != Failure::kTimeout && set.test(index(f))) on.push_back(to_string(f));
  }
  return on;
}

// A retrier's retries, cut to the loader's limit (reported).
std::uint64_t retries_of(const Retrier& r, ImportContext& cx) {
  if (r.max_attempts + 1 <= kMaxAttemptsLimit) return r.max_attempts;
  cx.unsupported(pointer_join(r.pointer, "MaxAttempts"),
                 fmt::format("MaxAttempts {}", r.max_attempts),
                 fmt::format("orchsim allows at most {} retries", kMaxAttemptsLimit - 1));
  return kMaxAttemptsLimit - 1;
}

}  // namespace

std::vector<Retrier> read_retriers(const Json& retry, const std::string& at, ImportContext& cx) {
  std::vector<Retrier> out;
  if (!retry.is_array()) {
    cx.error(at, fmt::format("found {}, expected an array of retriers", found(retry)));
    return out;
  }
  for (std::size_t i = 0; i < retry.size(); ++i) {
    const Json& e = retry[i];
    const std::string p = pointer_join(at, std::to_string(i));
    if (!e.is_object()) {
      cx.error(p, fmt::format("found {}, expected a retrier object", found(e)));
      continue;
    }
    Retrier r;
    r.pointer = p;
    r.errors = read_error_equals(e, p, i, retry.size(), "retrier", cx);
    for (auto it = e.begin(); it != e.end(); ++it) {
      const std::string& k = it.key();
      const std::string kp = pointer_join(p, k);
      if (k == "ErrorEquals" || k == "Comment" || k == "IntervalSeconds" ||
          k == "MaxDelaySeconds") {
        continue;
      }
      if (k == "MaxAttempts") {
        if (!it->is_number_integer() || it->get<double>() < 0.0 ||
            it->get<double>() > kMaxWholeNumber) {
          cx.error(kp, fmt::format("found {}, expected a whole number from 0 to {}", found(*it),
                                   kMaxWholeNumber));
        } else {
          r.max_attempts = it->get<std::uint64_t>();
        }
      } else if (k == "BackoffRate") {
        if (!it->is_number() || !(it->get<double>() >= 1.0) || !std::isfinite(it->get<double>())) {
          cx.error(kp, fmt::format("found {}, expected a number >= 1.0", found(*it)));
        } else {
          r.backoff_rate = it->get<double>();
        }
      } else if (k == "JitterStrategy") {
        if (!it->is_string() || (*it != "FULL" && *it != "NONE")) {
          cx.error(kp, fmt::format("found {}, expected \"FULL\" or \"NONE\"", found(*it)));
        } else {
          r.full_jitter = *it == "FULL";
        }
      } else {
        cx.error(kp, fmt::format("found an unknown retrier field \"{}\", expected ErrorEquals, "
                                 "IntervalSeconds, MaxAttempts, BackoffRate, MaxDelaySeconds, "
                                 "JitterStrategy or Comment",
                                 k));
      }
    }
    r.interval_s = seconds_field(e, p, "IntervalSeconds", cx).value_or(1.0);
    r.max_delay_s = seconds_field(e, p, "MaxDelaySeconds", cx);
    out.push_back(std::move(r));
  }
  return out;
}

Json map_retry(const Json* retry, const std::string& at, ImportContext& cx) {
  std::vector<Retrier> retriers;
  if (retry) retriers = read_retriers(*retry, at, cx);
  const std::array<int, kFailureCount> owner = owners(retriers, cx);
  // The retriers that actually retry something.
  std::vector<std::size_t> active;
  FailureSet retried;
  for (std::size_t i = 0; i < retriers.size(); ++i) {
    if (retriers[i].max_attempts == 0) continue;
    const FailureSet mine = owned(owner, i);
    if (mine.none()) continue;
    active.push_back(i);
    retried |= mine;
  }
  for (const std::size_t i : active) {
    if (retriers[i].backoff_rate > kMultiplierLimit) {
      cx.unsupported(pointer_join(retriers[i].pointer, "BackoffRate"),
                     fmt::format("BackoffRate {}", retriers[i].backoff_rate),
                     fmt::format("orchsim's multiplier is at most {}: {} used", kMultiplierLimit,
                                 kMultiplierLimit));
    }
  }
  Json out = Json::object();
  if (active.size() <= 1) {
    // One policy: the node's own retry fields.
    const Retrier& used = active.empty() ? Retrier() : retriers[active.front()];
    out["max_attempts"] = active.empty() ? 1 : retries_of(used, cx) + 1;
    out["retry_on"] = retry_on(retried);
    out["retry_on_timeout"] = retried.test(index(Failure::kTimeout));
    out["retry_on_invalid"] = false;  // no validator: never happens
    out["honour_retry_after"] = false;
    // Without a retrier, Step Functions' defaults, so that `--set
    // .../max_attempts=4` gives its default Retry.
    out["backoff"] = backoff_json(used);
    return out;
  }
  // Several retriers retry: one rule each, with its own count and backoff.
  if (active.size() > orchestration::kMaxRetryRules) {
    cx.unsupported(at, fmt::format("{} retriers that retry", active.size()),
                   fmt::format("orchsim keeps at most {}: the first {}",
                               orchestration::kMaxRetryRules, orchestration::kMaxRetryRules));
    active.resize(orchestration::kMaxRetryRules);
  }
  Json rules = Json::array();
  for (const std::size_t i : active) {
    const FailureSet mine = owned(owner, i);
    rules.push_back({{"retry_on", retry_on(mine)},
                     {"retry_on_timeout", mine.test(index(Failure::kTimeout))},
                     {"max_retries", retries_of(retriers[i], cx)},
                     {"backoff", backoff_json(retriers[i])}});
  }
  out["honour_retry_after"] = false;
  out["rules"] = std::move(rules);
  return out;
}

}  // namespace orchsim::scenarios::asl
