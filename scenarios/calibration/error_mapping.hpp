// Maps an error as a measurement file records it (an HTTP status, an
// OpenTelemetry `error.type`, llmperf's client codes, a CSV word) onto the
// mock agent's outcomes.
//
//   ErrorMap map;                                   // user overrides first
//   map.overrides["content_filter"] = Outcome::kPermanent;
//   ErrorClass c = map.classify("429", "");         // {kRateLimited, recognised}
//   map.classify("-1", "Read timed out");           // {kHang, recognised}
//
// Rules, in order (case-insensitive):
//   1. an override for the exact code;
//   2. an integer code: 429 -> rate_limited; 500-599 -> transient (a server
//      error or overload; 504 is the server's timeout, not the client's);
//      408 -> hang (the client's request timed out); other 400-499 ->
//      permanent; a negative code (llmperf's client-side codes) -> hang when
//      the message says it timed out, else transient;
//   3. words: rate limit / too many requests / throttl / quota ->
//      rate_limited; timeout / timed out / deadline -> hang; overload /
//      unavailable / server / internal / gateway / transient / connection ->
//      transient; invalid / bad request / not found / unauthori / forbidden /
//      permission / authentic / content filter / context length / permanent
//      -> permanent;
//   4. empty, "0", "none", "null", "ok", "false", "success" -> success;
//   5. anything else -> transient, marked unrecognised (the fit report lists
//      it, so that the user can add an override).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "scenarios/calibration/observation.hpp"

namespace orchsim::calibration {

struct ErrorClass {
  Outcome outcome = Outcome::kSuccess;
  bool recognised = true;
};

struct ErrorMap {
  // Exact codes (compared case-insensitively) and what they mean.
  std::map<std::string, Outcome> overrides{};

  ErrorClass classify(std::string_view code, std::string_view message) const;
};

// "rate_limited", "transient", "permanent", "hang" or "success" as an Outcome;
// false for anything else.
bool parse_outcome(std::string_view text, Outcome& out);

}  // namespace orchsim::calibration
