#include "gui/report_data.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <type_traits>

#include "eval/json_field_reader.hpp"
#include "eval/json_number.hpp"
#include "eval/report.hpp"
#include "eval/run_metrics_json.hpp"
#include "eval/runner.hpp"
#include "scenarios/json_reader.hpp"

namespace orchsim::gui {

namespace {

using Json = nlohmann::ordered_json;

using eval::JsonFieldReader;
using eval::StatusOr;
using Reader = JsonFieldReader;

TimeSeries read_series(Reader& r) {
  TimeSeries t;
  const std::string b = "/timeseries";
  t.bucket_ms = r.num(b + "/bucket_ms");
  if (r.ok() && !(t.bucket_ms > 0)) r.fail(b + "/bucket_ms", "expected a positive number");
  const std::size_t n = r.count(b + "/buckets");
  // Every series has one value per bucket.
  t.arrived = r.counts(b + "/arrived", n);
  t.completed = r.counts(b + "/completed", n);
  t.failed = r.counts(b + "/failed", n);
  t.latency_mean_ms = r.opt_nums(b + "/latency_mean_ms", n);
  t.in_flight_mean = r.nums(b + "/in_flight_mean", n);
  t.cost_usd = r.nums(b + "/cost_usd", n);
  r.each(b + "/agents", [&](const std::string& a) {
    TimeSeries::Agent s;
    s.name = r.str(a + "/name");
    s.calls = r.counts(a + "/calls", n);
    s.failed_calls = r.counts(a + "/failed_calls", n);
    s.queue_mean = r.nums(a + "/queue_mean", n);
    s.busy_mean = r.nums(a + "/busy_mean", n);
    s.breaker_open_share = r.nums(a + "/breaker_open_share", n);
    s.breaker_half_open_share = r.nums(a + "/breaker_half_open_share", n);
    t.agents.push_back(std::move(s));
  });
  if (r.has(b + "/routing")) {
    r.each(b + "/routing", [&](const std::string& node) {
      TimeSeries::RoutingNode rn;
      rn.node = r.str(node + "/node");
      r.each(node + "/agents", [&](const std::string& a) {
        rn.agents.push_back(r.str(a + "/name"));
        rn.calls.push_back(r.counts(a + "/calls", n));
      });
      t.routing.push_back(std::move(rn));
    });
  }
  return t;
}

std::vector<MetastabilityMark> read_metastability(Reader& r) {
  std::vector<MetastabilityMark> marks;
  r.each("/metastability/episodes", [&](const std::string& e) {
    MetastabilityMark m;
    m.trigger_start_ms = r.num(e + "/trigger_start_ms");
    m.trigger_end_ms = r.num(e + "/trigger_end_ms");
    m.onset_ms = r.opt_num(e + "/onset_ms");
    m.sustained = r.boolean(e + "/sustained");
    const std::optional<double> recovery = r.opt_num(e + "/recovery_ms");
    if (recovery) m.recovered_ms = m.trigger_end_ms + *recovery;
    m.peak_retry_amplification = r.num(e + "/peak_retry_amplification");
    marks.push_back(m);
  });
  return marks;
}

LatencyBins read_bins(Reader& r) {
  LatencyBins h;
  h.edges_ms = r.nums("/latency_histogram/edges_ms");
  const std::size_t bins = h.edges_ms.empty() ? 0 : h.edges_ms.size() - 1;
  h.all = r.counts("/latency_histogram/all", bins);
  h.success = r.counts("/latency_histogram/success", bins);
  for (std::size_t i = 1; i < h.edges_ms.size() && r.ok(); ++i) {
    if (!(h.edges_ms[i] > h.edges_ms[i - 1])) {
      r.fail("/latency_histogram/edges_ms/" + std::to_string(i), "edges must increase");
    }
  }
  return h;
}

}  // namespace

ReportLoad report_from_json(const Json& doc, const std::string& source) {
  ReportLoad out;
  // Say "foreign" before anything else: a scenario or a trace opened by
  // mistake should be named as such, not as a report with a missing key.
  if (!doc.is_object() || !doc.contains("schema")) {
    out.error = source + ": not an orchsim report (no \"schema\" key; expected \"" + kReportSchema +
                "\", as written by `orchsim run --out DIR`)";
    return out;
  }
  if (!doc["schema"].is_string() || doc["schema"].get<std::string>() != kReportSchema) {
    out.error = source + ": not an orchsim report (schema is " +
                scenarios::describe_json(doc["schema"]) + ", expected \"" + kReportSchema + "\")";
    return out;
  }
  Reader r(doc, source);
  const std::uint64_t version = r.count("/schema_version");
  if (r.ok() && version > static_cast<std::uint64_t>(kReportSchemaVersionRead)) {
    out.error = source + ": written by a newer orchsim (schema_version " + std::to_string(version) +
                "; this explorer reads up to " + std::to_string(kReportSchemaVersionRead) + ")";
    return out;
  }

  ReportData d;
  d.source = source;
  d.scenario_name = r.str("/scenario/name");
  d.scenario_description = r.str("/scenario/description");
  d.seed = r.count("/run/seed");
  d.simulated_s = r.num("/run/simulated_s");
  d.events = r.count("/run/events");

  if (!r.ok()) {
    out.error = r.error();
    return out;
  }
  StatusOr<eval::RunMetrics> metrics =
      doc.contains("metrics")
          ? eval::run_metrics_from_json(doc["metrics"], source, "/metrics")
          : StatusOr<eval::RunMetrics>(eval::Status::bad_input(source + ": /metrics: missing"));
  if (!metrics.ok()) {
    out.error = metrics.status().message();
    return out;
  }
  d.metrics = std::move(*metrics);

  if (r.ok() && r.has("/latency_histogram")) d.latency_bins = read_bins(r);
  if (r.ok() && r.has("/timeseries")) d.series = read_series(r);
  if (r.ok() && r.has("/metastability")) d.metastability = read_metastability(r);

  if (!r.ok()) {
    out.error = r.error();
    return out;
  }
  out.report = std::move(d);
  return out;
}

ReportData report_from_run(const scenarios::Scenario& scenario, const eval::RunResult& result,
                           std::string source) {
  ReportData d;
  d.source = std::move(source);
  d.scenario_name = scenario.name;
  d.scenario_description = scenario.description;
  d.seed = result.seed;
  d.simulated_s = result.end.seconds_f();
  d.events = result.events;
  d.metrics = result.metrics->result();
  const eval::MetricsCollector::RequestStats& requests = result.metrics->requests();
  d.latency_bins = eval::latency_bins(requests.latency_all, requests.latency_success);
  if (result.timeseries) d.series = result.timeseries->result();
  for (const eval::MetastabilityEpisode& e : result.metastability.episodes) {
    // Rounded as the report's "metastability" section has them, so that both
    // paths show the same numbers (eval/metastability.cpp).
    const auto ms = [](sim::Time t) { return eval::round_to(t.since_start().milliseconds_f(), 3); };
    MetastabilityMark m;
    m.trigger_start_ms = ms(e.trigger.start);
    m.trigger_end_ms = ms(e.trigger.end);
    if (e.onset) m.onset_ms = ms(*e.onset);
    if (e.recovery) {
      const double after_end =
          *e.recovery > e.trigger.end
              ? eval::round_to((*e.recovery - e.trigger.end).milliseconds_f(), 3)
              : 0.0;
      m.recovered_ms = m.trigger_end_ms + after_end;
    }
    m.sustained = e.sustained;
    m.peak_retry_amplification = eval::round_to(e.peak_retry_amplification, 2);
    d.metastability.push_back(m);
  }
  return d;
}

ReportLoad parse_report(const std::string& text, const std::string& source) {
  Json doc;
  scenarios::NestingLimit limit;
  try {
    doc = Json::parse(text, limit.callback());
  } catch (const Json::parse_error& e) {
    ReportLoad out;
    out.error = source + ": not valid JSON (byte " + std::to_string(e.byte) +
                "); the file is damaged or not a report";
    return out;
  } catch (const Json::out_of_range&) {  // a number beyond a double, such as 1e999
    ReportLoad out;
    out.error = source +
                ": found a number beyond the range of a double, expected finite numbers; the file "
                "is damaged or not a report";
    return out;
  }
  if (limit.exceeded()) {
    ReportLoad out;
    out.error = source + ": found values nested more than " +
                std::to_string(scenarios::kMaxJsonNesting) + " levels deep, expected at most " +
                std::to_string(scenarios::kMaxJsonNesting) +
                "; the file is damaged or not a report";
    return out;
  }
  return report_from_json(doc, source);
}

ReportLoad load_report(const std::string& path) {
  namespace fs = std::filesystem;
  ReportLoad out;
  std::error_code ec;
  fs::path file(path);
  if (fs::is_directory(file, ec)) {
    file /= "report.json";
    if (!fs::exists(file, ec)) {
      out.error = path +
                  ": no report.json in this folder (a run folder is written by "
                  "`orchsim run --out DIR`)";
      return out;
    }
  } else if (!fs::exists(file, ec)) {
    out.error = path + ": no such file or folder";
    return out;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    out.error = file.string() + ": cannot be read";
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_report(text.str(), file.string());
}

}  // namespace orchsim::gui
