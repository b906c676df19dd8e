#include "eval/baseline.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "eval/metric_names.hpp"
#include "scenarios/json_reader.hpp"

namespace orchsim::eval {

using J = nlohmann::ordered_json;

nlohmann::ordered_json make_baseline(const BaselineInfo& info,
                                     const std::vector<MetricSummary>& summaries) {
  J j;
  j["format"] = kBaselineFormat;
  j["version"] = kBaselineVersion;
  j["scenario"] = info.scenario;
  J sets = J::array();
  for (const auto& [ptr, value] : info.overrides) sets.push_back(ptr + "=" + value);
  j["sets"] = sets;
  j["seed"] = info.seed;
  j["replications"] = info.replications;
  j["requests"] = info.requests ? J(*info.requests) : J();
  j["metrics"] = summaries_to_json(summaries);
  return j;
}

namespace {

// The value at `key` of the baseline object, or nullptr.
const J* field(const J& b, const char* key) {
  const auto it = b.find(key);
  return it == b.end() ? nullptr : &*it;
}

Status refuse(const std::string& pointer, const J* found, const std::string& expected) {
  return Status::bad_input(fmt::format("baseline: {}: found {}, expected {}", pointer,
                                       found ? scenarios::describe_json(*found) : "nothing",
                                       expected));
}

// An unsigned integer in [min, max] at `key`.
StatusOr<std::uint64_t> count_in(const J& b, const char* key, std::uint64_t min,
                                 std::uint64_t max) {
  const J* v = field(b, key);
  if (v == nullptr || !v->is_number_unsigned() || v->get<std::uint64_t>() < min ||
      v->get<std::uint64_t>() > max) {
    return refuse(std::string("/") + key, v, fmt::format("an integer from {} to {}", min, max));
  }
  return v->get<std::uint64_t>();
}

// "sets": the overrides the baseline was made with, as --set takes them.
Status read_sets(const J& b, BaselineInfo& info) {
  const J* sets = field(b, "sets");
  if (sets == nullptr || sets->is_null()) return {};
  if (!sets->is_array())
    return refuse("/sets", sets, "an array of \"/json/pointer=value\" strings");
  for (std::size_t i = 0; i < sets->size(); ++i) {
    const J& s = (*sets)[i];
    const std::string text = s.is_string() ? s.get<std::string>() : std::string();
    const auto eq = text.find('=');
    if (eq == std::string::npos || text[0] != '/') {
      return refuse(fmt::format("/sets/{}", i), &s, "\"/json/pointer=value\"");
    }
    info.overrides.emplace_back(text.substr(0, eq), text.substr(eq + 1));
  }
  return {};
}

// "seed", "replications" and "requests": what check runs.
Status read_counts(const J& b, BaselineInfo& info) {
  constexpr std::uint64_t kMaxSeed = std::numeric_limits<std::uint64_t>::max();
  const StatusOr<std::uint64_t> seed = count_in(b, "seed", 0, kMaxSeed);
  if (!seed.ok()) return seed.status();
  const StatusOr<std::uint64_t> replications = count_in(b, "replications", 1, kMaxReplications);
  if (!replications.ok()) return replications.status();
  info.seed = *seed;
  info.replications = *replications;
  if (info.seed > kMaxSeed - (info.replications - 1)) {
    return refuse("/seed", field(b, "seed"),
                  fmt::format("a seed from 0 to {}: the seeds of {} replications must not wrap",
                              kMaxSeed - (info.replications - 1), info.replications));
  }
  if (const J* requests = field(b, "requests"); requests != nullptr && !requests->is_null()) {
    // As run.requests in a scenario file and --requests.
    const StatusOr<std::uint64_t> n = count_in(
        b, "requests", 1, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
    if (!n.ok()) return n.status();
    info.requests = *n;
  }
  return {};
}

}  // namespace

StatusOr<BaselineInfo> baseline_info(const nlohmann::ordered_json& b) {
  // Checked field by field, as strictly as the command line checks the same
  // values: check runs what the file says, and a file can say anything.
  const J* format = b.is_object() ? field(b, "format") : nullptr;
  if (format == nullptr || !format->is_string() || *format != kBaselineFormat) {
    return Status::bad_input(
        fmt::format("not an orchsim baseline (expected \"format\": \"{}\")", kBaselineFormat));
  }
  const J* version = field(b, "version");
  if (version == nullptr || !version->is_number_integer() || *version != kBaselineVersion) {
    return Status::bad_input(fmt::format("unsupported baseline version (found {}, expected {})",
                                         version ? scenarios::describe_json(*version) : "none",
                                         kBaselineVersion));
  }
  BaselineInfo info;
  const J* scenario = field(b, "scenario");
  if (scenario == nullptr || !scenario->is_string() || scenario->get<std::string>().empty()) {
    return refuse("/scenario", scenario, "a scenario name or path");
  }
  info.scenario = scenario->get<std::string>();
  const J* metrics = field(b, "metrics");
  if (metrics == nullptr || !metrics->is_object()) return refuse("/metrics", metrics, "an object");
  if (Status st = read_sets(b, info); !st.ok()) return st;
  if (Status st = read_counts(b, info); !st.ok()) return st;
  return info;
}

StatusOr<nlohmann::ordered_json> parse_baseline(const std::string& text) {
  J doc;
  scenarios::NestingLimit limit;
  // nlohmann reports a syntax error or a number beyond a double (such as
  // 1e999) only by throwing: caught here, at the call, and returned as a value.
  try {
    doc = J::parse(text, limit.callback());
  } catch (const J::parse_error& e) {
    return Status::bad_input(fmt::format("not valid JSON: {}", e.what()));
  } catch (const J::out_of_range&) {
    return Status::bad_input(
        "found a number beyond the range of a double, expected finite numbers");
  }
  if (limit.exceeded()) {
    return Status::bad_input(
        fmt::format("found values nested more than {0} levels deep, expected at most {0}",
                    scenarios::kMaxJsonNesting));
  }
  if (const StatusOr<BaselineInfo> info = baseline_info(doc); !info.ok()) return info.status();
  return doc;
}

std::optional<std::pair<std::string, Tolerance>> parse_tolerance(const std::string& spec) {
  const auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0) return std::nullopt;
  const std::string rest = spec.substr(eq + 1);
  Tolerance t;
  std::string number;
  if (rest.rfind("rel:", 0) == 0) {
    t.kind = Tolerance::Kind::kRelative;
    number = rest.substr(4);
  } else if (rest.rfind("abs:", 0) == 0) {
    t.kind = Tolerance::Kind::kAbsolute;
    number = rest.substr(4);
  } else {
    return std::nullopt;
  }
  try {
    std::size_t used = 0;
    t.value = std::stod(number, &used);
    if (used != number.size() || !(t.value >= 0.0) || !std::isfinite(t.value)) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return std::make_pair(spec.substr(0, eq), t);
}

std::map<std::string, Tolerance> default_tolerances() {
  using K = Tolerance::Kind;
  return {
      {std::string(metric::kLatencyMean), {K::kRelative, 0.10}},
      {std::string(metric::kLatencyP50), {K::kRelative, 0.10}},
      {std::string(metric::kLatencyP99), {K::kRelative, 0.10}},
      {std::string(metric::kCostPerRequest), {K::kRelative, 0.05}},
      {std::string(metric::kQualityMean), {K::kAbsolute, 0.01}},
      {std::string(metric::kPassRate), {K::kAbsolute, 0.02}},
      {std::string(metric::kSuccessRate), {K::kAbsolute, 0.01}},
  };
}

Direction metric_direction(const std::string& m) {
  auto starts = [&m](std::string_view p) { return m.rfind(p, 0) == 0; };
  auto ends = [&m](std::string_view s) {
    return m.size() >= s.size() && m.compare(m.size() - s.size(), s.size(), s) == 0;
  };
  if (starts("latency_ms.") || starts("per_request.") || ends("cost_usd") ||
      ends("silent_failure_rate") || starts("budget_exhausted.") || starts("requests.failed")) {
    return Direction::kLowerIsBetter;
  }
  if (ends("success_rate") || starts("quality.") || ends("throughput_rps") || ends("pass_rate")) {
    return Direction::kHigherIsBetter;
  }
  return Direction::kEither;
}

std::string to_string(const Tolerance& t) {
  return fmt::format("{}:{}", t.kind == Tolerance::Kind::kRelative ? "rel" : "abs", t.value);
}

bool CheckReport::passed() const { return failures() == 0; }

std::size_t CheckReport::failures() const {
  std::size_t n = 0;
  for (const MetricCheck& m : metrics) n += m.passed ? 0 : 1;
  return n;
}

namespace {

std::optional<double> number_at(const J& metric, const char* key) {
  if (!metric.contains(key) || !metric[key].is_number()) return std::nullopt;
  return metric[key].get<double>();
}

}  // namespace

StatusOr<CheckReport> check_against_baseline(const nlohmann::ordered_json& baseline,
                                             const std::vector<MetricSummary>& current,
                                             const std::map<std::string, Tolerance>& tolerances) {
  const StatusOr<BaselineInfo> info = baseline_info(baseline);
  if (!info.ok()) return info.status();
  CheckReport report;
  report.scenario = info->scenario;
  const J& metrics = baseline["metrics"];
  for (const auto& [name, tol] : tolerances) {  // std::map: sorted by name
    MetricCheck c;
    c.name = name;
    c.tolerance = tol;
    c.direction = metric_direction(name);
    if (!metrics.contains(name)) {
      return Status::bad_input(
          fmt::format("--tolerance {}: the baseline has no metric of that name", name));
    }
    const J& b = metrics[name];
    c.base_mean = number_at(b, "mean");
    c.base_low = number_at(b, "ci_low");
    c.base_high = number_at(b, "ci_high");
    const MetricSummary* now = find_metric(current, name);
    if (now != nullptr && now->ci.n > 0) {
      c.new_mean = now->ci.mean;
      if (now->ci.has_interval()) {
        c.new_low = now->ci.low();
        c.new_high = now->ci.high();
      }
    }
    if (!c.base_mean && !c.new_mean) {
      c.status = "ok";  // null in both: nothing to compare
    } else if (!c.base_mean || !c.new_mean) {
      c.status = "missing";
      c.passed = false;
    } else {
      c.diff = *c.new_mean - *c.base_mean;
      const double allowed =
          tol.kind == Tolerance::Kind::kRelative ? tol.value * std::fabs(*c.base_mean) : tol.value;
      // A hair of slack so that a tolerance of exactly the change passes despite rounding.
      const bool beyond = std::fabs(c.diff) > allowed * (1.0 + 1e-12) + 1e-15;
      const bool worse = c.direction == Direction::kLowerIsBetter    ? c.diff > 0.0
                         : c.direction == Direction::kHigherIsBetter ? c.diff < 0.0
                                                                     : true;
      if (!beyond) {
        c.status = "ok";
      } else if (worse) {
        c.status = c.direction == Direction::kEither ? "changed" : "regressed";
        c.passed = false;
      } else {
        c.status = "improved";
      }
    }
    report.metrics.push_back(std::move(c));
  }
  return report;
}

namespace {

std::string fmt_opt(const std::optional<double>& x) {
  return x ? fmt::format("{:.6g}", *x) : "null";
}

std::string ci_text(const std::optional<double>& lo, const std::optional<double>& hi) {
  if (!lo || !hi) return "";
  return fmt::format("[{:.6g}, {:.6g}]", *lo, *hi);
}

std::string change_text(const MetricCheck& c) {
  if (!c.base_mean || !c.new_mean) return "";
  if (*c.base_mean != 0.0) {
    return fmt::format("{:+.6g} ({:+.2f}%)", c.diff, 100.0 * c.diff / std::fabs(*c.base_mean));
  }
  return fmt::format("{:+.6g}", c.diff);
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (const char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::string describe(const MetricCheck& c) {
  return fmt::format("{}: baseline {} {} -> now {} {}, change {}, tolerance {}", c.status,
                     fmt_opt(c.base_mean), ci_text(c.base_low, c.base_high), fmt_opt(c.new_mean),
                     ci_text(c.new_low, c.new_high), change_text(c), to_string(c.tolerance));
}

}  // namespace

void write_check_text(std::ostream& out, const CheckReport& report) {
  out << fmt::format("{:<28} {:>12} {:>12} {:>22} {:>12}  {}\n", "metric", "baseline", "now",
                     "change", "tolerance", "status");
  for (const MetricCheck& c : report.metrics) {
    out << fmt::format("{:<28} {:>12} {:>12} {:>22} {:>12}  {}\n", c.name, fmt_opt(c.base_mean),
                       fmt_opt(c.new_mean), change_text(c), to_string(c.tolerance),
                       c.passed ? c.status : "FAIL (" + c.status + ")");
  }
  if (report.passed()) {
    out << fmt::format("check passed: {} metrics within tolerance\n", report.metrics.size());
  } else {
    out << fmt::format("check FAILED: {} of {} metrics out of tolerance\n", report.failures(),
                       report.metrics.size());
    for (const MetricCheck& c : report.metrics) {
      if (!c.passed) out << fmt::format("  {} {}\n", c.name, describe(c));
    }
  }
}

void write_junit(std::ostream& out, const CheckReport& report) {
  const std::string suite = xml_escape("orchsim check " + report.scenario);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << fmt::format("<testsuites tests=\"{0}\" failures=\"{1}\">\n", report.metrics.size(),
                     report.failures());
  out << fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n", suite,
                     report.metrics.size(), report.failures());
  for (const MetricCheck& c : report.metrics) {
    const std::string classname = xml_escape("orchsim.check." + report.scenario);
    if (c.passed) {
      out << fmt::format("    <testcase classname=\"{}\" name=\"{}\"/>\n", classname,
                         xml_escape(c.name));
    } else {
      out << fmt::format("    <testcase classname=\"{}\" name=\"{}\">\n", classname,
                         xml_escape(c.name));
      out << fmt::format("      <failure message=\"{}\">{}</failure>\n", xml_escape(c.status),
                         xml_escape(c.name + " " + describe(c)));
      out << "    </testcase>\n";
    }
  }
  out << "  </testsuite>\n</testsuites>\n";
}

}  // namespace orchsim::eval
