#include "cli/arg_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "cli/duration_arg.hpp"
#include "cli/overrides.hpp"
#include "eval/baseline.hpp"
#include "eval/sweep.hpp"
#include "eval/task_plan.hpp"

namespace orchsim::cli {

ArgSpec ArgSpec::integer(std::uint64_t min, std::uint64_t max, std::string note) {
  ArgSpec s(Kind::kInteger);
  s.min_ = min;
  s.max_ = max;
  s.note_ = std::move(note);
  return s;
}

ArgSpec ArgSpec::duration(sim::Duration min, std::string note) {
  ArgSpec s(Kind::kDuration);
  s.min_duration_ = min;
  s.note_ = std::move(note);
  return s;
}

ArgSpec ArgSpec::set() { return ArgSpec(Kind::kSet); }
ArgSpec ArgSpec::grid() { return ArgSpec(Kind::kGrid); }
ArgSpec ArgSpec::variant() { return ArgSpec(Kind::kVariant); }
ArgSpec ArgSpec::tolerance() { return ArgSpec(Kind::kTolerance); }
ArgSpec ArgSpec::name() { return ArgSpec(Kind::kName); }
ArgSpec ArgSpec::path() { return ArgSpec(Kind::kPath); }
ArgSpec ArgSpec::shard() { return ArgSpec(Kind::kShard); }

ArgSpec ArgSpec::number(double min, double max, bool min_open, std::string note) {
  ArgSpec s(Kind::kNumber);
  s.min_number_ = min;
  s.max_number_ = max;
  s.min_open_ = min_open;
  s.note_ = std::move(note);
  return s;
}

ArgSpec ArgSpec::custom(std::string expected, std::function<bool(const std::string&)> accepts,
                        std::vector<std::string> refused, std::vector<std::string> accepted) {
  ArgSpec s(Kind::kCustom);
  s.custom_expected_ = std::move(expected);
  s.accepts_ = std::move(accepts);
  s.refused_ = std::move(refused);
  s.accepted_ = std::move(accepted);
  return s;
}

ArgSpec ArgSpec::choice(std::vector<std::string> choices) {
  ArgSpec s(Kind::kChoice);
  s.choices_ = std::move(choices);
  return s;
}

std::string ArgSpec::expected() const {
  std::string text;
  switch (kind_) {
    case Kind::kInteger:
      text = fmt::format("an integer from {} to {}", min_, max_);
      break;
    case Kind::kDuration:
      // Durations saturate from 9.2e18 ns (sim/time.cpp): 2555555h is the last whole hour below.
      text = fmt::format(
          "a duration {} such as 250ms, 30s, 5min or 2h (units ns, us, ms, s, min, h; at most "
          "2555555h)",
          min_duration_ > sim::Duration::zero() ? "> 0" : ">= 0");
      break;
    case Kind::kSet:
      text = "/json/pointer=value (the pointer starts with '/'; '~' only as ~0 or ~1)";
      break;
    case Kind::kGrid:
      text = fmt::format(
          "/json/pointer=v1,v2,... (the pointer starts with '/'; 1 to {} non-empty values)",
          kMaxGridPoints);
      break;
    case Kind::kVariant:
      text = "NAME:/json/pointer=value[,/json/pointer=value...]";
      break;
    case Kind::kTolerance:
      text =
          "metric=rel:FRACTION or metric=abs:AMOUNT, a finite number >= 0 (e.g. "
          "latency_ms.all.p99=rel:0.05)";
      break;
    case Kind::kChoice: {
      text = "one of:";
      for (std::size_t i = 0; i < choices_.size(); ++i) {
        text += (i == 0 ? " " : ", ") + choices_[i];
      }
      break;
    }
    case Kind::kName:
      text = "a non-empty name";
      break;
    case Kind::kPath:
      text = "a non-empty path";
      break;
    case Kind::kShard:
      text = fmt::format("I/N, integers with 0 <= I < N <= {} (e.g. 0/4)", kMaxShards);
      break;
    case Kind::kNumber:
      text =
          fmt::format("a number {} {} and <= {}", min_open_ ? ">" : ">=", min_number_, max_number_);
      break;
    case Kind::kCustom:
      text = custom_expected_;
      break;
  }
  return note_.empty() ? text : text + " " + note_;
}

std::string ArgSpec::check(std::string& value) const {
  bool ok = false;
  switch (kind_) {
    case Kind::kInteger: {
      // Digits only: CLI11 itself would read "-5" as 2^64 - 5, "0x10" as 16
      // and a number past 2^64 - 1 as 2^64 - 1.
      std::uint64_t x = 0;
      const char* end = value.data() + value.size();
      const bool digits =
          !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
      if (digits && std::from_chars(value.data(), end, x).ec == std::errc() && x >= min_ &&
          x <= max_) {
        value = std::to_string(x);  // "010" would be octal to CLI11
        ok = true;
      }
      break;
    }
    case Kind::kDuration: {
      // A duration that saturates at Duration::max() does not fit the clock.
      const auto d = parse_duration(value);
      ok = d && *d >= min_duration_ && *d < sim::Duration::max();
      break;
    }
    case Kind::kSet:
      ok = parse_set(value).has_value();
      break;
    case Kind::kGrid: {
      const auto axis = eval::parse_grid(value);
      ok = axis && valid_json_pointer(axis->pointer) && axis->values.size() <= kMaxGridPoints;
      break;
    }
    case Kind::kVariant:
      ok = parse_variant(value).has_value();
      break;
    case Kind::kTolerance:
      ok = eval::parse_tolerance(value).has_value();
      break;
    case Kind::kChoice:
      ok = std::find(choices_.begin(), choices_.end(), value) != choices_.end();
      break;
    case Kind::kName:
    case Kind::kPath:
      ok = !value.empty();
      break;
    case Kind::kNumber: {
      // Decimal only: strtod alone takes "inf", "nan", hex floats and
      // leading spaces; from_chars refuses what a double cannot hold (1e999).
      double x = 0;
      const char* end = value.data() + value.size();
      const bool decimal =
          !value.empty() && value.find_first_not_of("0123456789.eE+-") == std::string::npos;
      const auto r = std::from_chars(value.data(), end, x);
      ok = decimal && r.ec == std::errc() && r.ptr == end && std::isfinite(x) &&
           (min_open_ ? x > min_number_ : x >= min_number_) && x <= max_number_;
      break;
    }
    case Kind::kCustom:
      ok = accepts_ && accepts_(value);
      break;
    case Kind::kShard: {
      // eval::parse_shard itself takes what from_chars takes; digits only
      // here, as for integers ("+1/4" and " 1/4" are not shards).
      const auto shard = eval::parse_shard(value);
      ok = shard && value.find_first_not_of("0123456789/") == std::string::npos &&
           shard->count <= kMaxShards;
      break;
    }
  }
  return ok ? std::string() : fmt::format("found '{}', expected {}", value, expected());
}

CLI::Validator ArgSpec::validator() const {
  std::string description;
  switch (kind_) {
    case Kind::kInteger:
      description = fmt::format("in [{}, {}]", min_, max_);
      break;
    case Kind::kDuration:
      description = "DURATION";
      break;
    case Kind::kChoice:
      for (const std::string& c : choices_) description += (description.empty() ? "{" : ",") + c;
      description += "}";
      break;
    default:
      break;
  }
  return CLI::Validator([spec = *this](std::string& value) { return spec.check(value); },
                        description, "orchsim");
}

}  // namespace orchsim::cli
