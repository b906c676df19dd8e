#include "scenarios/calibration/error_mapping.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

namespace orchsim::calibration {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool contains_any(const std::string& text, std::initializer_list<std::string_view> words) {
  return std::any_of(words.begin(), words.end(),
                     [&text](std::string_view w) { return text.find(w) != std::string::npos; });
}

bool says_timeout(const std::string& text) {
  return contains_any(text, {"timeout", "timed out", "timed_out", "deadline"});
}

// An integer code, also written as a float ("429.0": pandas writes them so).
bool integer_code(std::string_view s, long long& out) {
  double v = 0;
  const char* b = s.data();
  const char* e = s.data() + s.size();
  if (b != e && *b == '+') ++b;
  const auto [stop, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || stop != e || b == e || !std::isfinite(v) || v != std::floor(v) ||
      std::fabs(v) > 1e9) {
    return false;
  }
  out = static_cast<long long>(v);
  return true;
}

}  // namespace

bool parse_outcome(std::string_view text, Outcome& out) {
  const std::string t = lower(trim(text));
  for (Outcome o : {Outcome::kSuccess, Outcome::kRateLimited, Outcome::kTransient,
                    Outcome::kPermanent, Outcome::kHang}) {
    if (t == to_string(o)) {
      out = o;
      return true;
    }
  }
  return false;
}

ErrorClass ErrorMap::classify(std::string_view code_in, std::string_view message) const {
  const std::string code = lower(trim(code_in));
  for (const auto& [key, outcome] : overrides) {
    if (lower(key) == code) return {outcome, true};
  }
  const std::string msg = lower(message);
  long long n = 0;
  if (integer_code(code, n)) {
    if (n == 0) return {Outcome::kSuccess, true};
    if (n == 429) return {Outcome::kRateLimited, true};
    if (n >= 500 && n <= 599) return {Outcome::kTransient, true};
    if (n == 408) return {Outcome::kHang, true};
    if (n >= 400 && n <= 499) return {Outcome::kPermanent, true};
    if (n < 0) return {says_timeout(msg) ? Outcome::kHang : Outcome::kTransient, true};
    if (n >= 200 && n <= 299) return {Outcome::kSuccess, true};
    return {Outcome::kTransient, false};
  }
  if (code.empty() || code == "none" || code == "null" || code == "ok" || code == "false" ||
      code == "success" || code == "unset") {
    return {Outcome::kSuccess, true};
  }
  Outcome named{};
  if (parse_outcome(code, named)) return {named, true};
  const std::string both = code + " " + msg;
  if (contains_any(both, {"rate limit", "rate_limit", "ratelimit", "too many requests",
                          "too_many_requests", "throttl", "quota"})) {
    return {Outcome::kRateLimited, true};
  }
  if (says_timeout(code)) return {Outcome::kHang, true};
  if (contains_any(code, {"overload", "unavailable", "server", "internal", "gateway", "transient",
                          "connection", "5xx"})) {
    return {Outcome::kTransient, true};
  }
  if (contains_any(code,
                   {"invalid", "bad request", "bad_request", "not found", "not_found", "unauthori",
                    "forbidden", "permission", "authentic", "content filter", "content_filter",
                    "context length", "context_length", "permanent", "4xx"})) {
    return {Outcome::kPermanent, true};
  }
  if (says_timeout(msg)) return {Outcome::kHang, true};
  return {Outcome::kTransient, false};
}

}  // namespace orchsim::calibration
