#include "gui/report_data.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <type_traits>

#include "scenarios/json_reader.hpp"

namespace orchsim::gui {

namespace {

using Json = nlohmann::ordered_json;

// Reads typed values by JSON pointer and keeps the first problem, so that the
// parse code below reads as a list of fields rather than a ladder of checks.
class Reader {
 public:
  Reader(const Json& doc, std::string source) : doc_(doc), source_(std::move(source)) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  const Json* at(const std::string& pointer) {
    if (!ok()) return nullptr;
    const Json::json_pointer ptr(pointer);
    if (!doc_.contains(ptr)) {
      fail(pointer, "missing");
      return nullptr;
    }
    return &doc_.at(ptr);
  }

  std::string str(const std::string& pointer) {
    const Json* v = at(pointer);
    if (v == nullptr) return {};
    if (!v->is_string()) {
      fail(pointer, "found " + found(*v) + ", expected a string");
      return "";
    }
    return v->get<std::string>();
  }

  double num(const std::string& pointer) {
    const Json* v = at(pointer);
    if (v == nullptr) return 0;
    if (!v->is_number()) {
      fail(pointer, "found " + found(*v) + ", expected a number");
      return 0;
    }
    return v->get<double>();
  }

  bool boolean(const std::string& pointer) {
    const Json* v = at(pointer);
    if (v == nullptr) return false;
    if (!v->is_boolean()) {
      fail(pointer, "found " + found(*v) + ", expected true or false");
      return false;
    }
    return v->get<bool>();
  }

  // A number or null (a quantile of nothing).
  std::optional<double> opt_num(const std::string& pointer) {
    const Json* v = at(pointer);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_number()) {
      fail(pointer, "found " + found(*v) + ", expected a number or null");
      return std::nullopt;
    }
    return v->get<double>();
  }

  std::uint64_t count(const std::string& pointer) {
    const Json* v = at(pointer);
    if (v == nullptr) return 0;
    // Parsed text holds non-negative integers as unsigned, a report built in
    // memory (eval::make_report) as signed: accept both, but nothing negative,
    // fractional or textual.
    if (!v->is_number_integer() || (!v->is_number_unsigned() && v->get<std::int64_t>() < 0)) {
      fail(pointer, "found " + found(*v) + ", expected a count (integer >= 0)");
      return 0;
    }
    return v->get<std::uint64_t>();
  }

  std::size_t array_size(const std::string& pointer) {
    const Json* v = at(pointer);
    if (v == nullptr) return 0;
    if (!v->is_array()) {
      fail(pointer, "found " + found(*v) + ", expected an array");
      return 0;
    }
    return v->size();
  }

  // Calls fn(pointer of element i) for each element of the array at
  // `pointer`, stopping at the first problem.
  template <typename Fn>
  void each(const std::string& pointer, Fn fn) {
    const std::size_t n = array_size(pointer);
    for (std::size_t i = 0; i < n && ok(); ++i) fn(pointer + "/" + std::to_string(i));
  }

  bool has(const std::string& pointer) const { return doc_.contains(Json::json_pointer(pointer)); }

  // An array of counts / numbers / numbers-or-null, each element checked;
  // with `size`, also that it has that many elements.
  std::vector<std::uint64_t> counts(const std::string& pointer,
                                    std::optional<std::size_t> size = std::nullopt) {
    return array_of(pointer, size, [&](const std::string& p) { return count(p); });
  }
  std::vector<double> nums(const std::string& pointer,
                           std::optional<std::size_t> size = std::nullopt) {
    return array_of(pointer, size, [&](const std::string& p) { return num(p); });
  }
  std::vector<std::optional<double>> opt_nums(const std::string& pointer,
                                              std::optional<std::size_t> size = std::nullopt) {
    return array_of(pointer, size, [&](const std::string& p) { return opt_num(p); });
  }
  // An object of name -> count, in the file's order.
  std::vector<std::pair<std::string, std::uint64_t>> named_counts(const std::string& pointer) {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    const Json* v = at(pointer);
    if (v == nullptr) return out;
    if (!v->is_object()) {
      fail(pointer, "found " + found(*v) + ", expected an object");
      return out;
    }
    for (const auto& [key, value] : v->items()) {
      // JSON pointer escaping (RFC 6901): "~" is "~0", "/" is "~1".
      std::string escaped;
      for (const char c : key)
        escaped += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
      out.emplace_back(key, count(pointer + "/" + escaped));
    }
    return out;
  }
  template <typename ReadOne>
  std::vector<std::invoke_result_t<ReadOne&, const std::string&>> array_of(
      const std::string& pointer, std::optional<std::size_t> size, ReadOne read_one) {
    std::vector<std::invoke_result_t<ReadOne&, const std::string&>> out(array_size(pointer));
    for (std::size_t i = 0; i < out.size() && ok(); ++i)
      out[i] = read_one(pointer + "/" + std::to_string(i));
    if (size && out.size() != *size) {
      fail(pointer,
           "found " + std::to_string(out.size()) + " elements, expected " + std::to_string(*size));
    }
    return out;
  }

  void fail(const std::string& pointer, const std::string& what) {
    if (ok()) error_ = source_ + ": " + pointer + ": " + what;
  }

 private:
  static std::string found(const Json& v) { return scenarios::describe_json(v); }

  const Json& doc_;
  std::string source_;
  std::string error_;
};

// The five ways a call (or a sub-workflow run) ends, as metrics write them at `at`.
CallEnds read_ends(Reader& r, const std::string& at) {
  return {r.count(at + "/success"), r.count(at + "/invalid"), r.count(at + "/error"),
          r.count(at + "/timeout"), r.count(at + "/cancelled")};
}
CallEnds read_call_ends(Reader& r, const std::string& base) {
  return read_ends(r, base + "/calls_ended");
}

LatencySummary read_latency(Reader& r, const std::string& base) {
  LatencySummary l;
  l.count = r.count(base + "/count");
  l.mean = r.opt_num(base + "/mean");
  l.min = r.opt_num(base + "/min");
  l.p50 = r.opt_num(base + "/p50");
  l.p90 = r.opt_num(base + "/p90");
  l.p95 = r.opt_num(base + "/p95");
  l.p99 = r.opt_num(base + "/p99");
  l.p999 = r.opt_num(base + "/p999");
  l.max = r.opt_num(base + "/max");
  return l;
}

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

  d.arrived = r.count("/metrics/requests/arrived");
  d.finished = r.count("/metrics/requests/finished");
  d.completed = r.count("/metrics/requests/completed");
  d.failed = r.count("/metrics/requests/failed");
  d.in_flight = r.count("/metrics/requests/in_flight");
  d.success_rate = r.num("/metrics/requests/success_rate");
  d.completed_by_outcome = r.named_counts("/metrics/requests/completed_by_outcome");
  d.failed_by_cause = r.named_counts("/metrics/requests/failed_by_cause");
  d.throughput_rps = r.num("/metrics/requests/throughput_rps");

  d.latency_all = read_latency(r, "/metrics/latency_ms/all");
  d.latency_success = read_latency(r, "/metrics/latency_ms/success");

  d.quality_threshold = r.num("/metrics/quality_threshold");
  d.quality_mean = r.opt_num("/metrics/quality/mean");
  d.pass_rate = r.opt_num("/metrics/quality/pass_rate");
  d.silent_failure_rate = r.opt_num("/metrics/quality/silent_failure_rate");

  d.cost_per_request_usd = r.num("/metrics/per_request/cost_usd");
  d.calls_per_request = r.num("/metrics/per_request/calls");
  d.retries_per_request = r.num("/metrics/per_request/retries");
  d.hedges_per_request = r.num("/metrics/per_request/hedges");
  d.timeouts_per_request = r.num("/metrics/per_request/timeouts");
  d.fallbacks_per_request = r.num("/metrics/per_request/fallbacks");
  d.input_tokens_per_request = r.num("/metrics/per_request/input_tokens");
  d.output_tokens_per_request = r.num("/metrics/per_request/output_tokens");

  r.each("/metrics/agents", [&](const std::string& a) {
    AgentRow row;
    row.name = r.str(a + "/name");
    row.servers = r.count(a + "/servers");
    row.calls_started = r.count(a + "/calls_started");
    row.ended = read_call_ends(r, a);
    row.queue_wait_mean_ms = r.opt_num(a + "/queue_wait_ms/mean");
    row.queue_wait_p99_ms = r.opt_num(a + "/queue_wait_ms/p99");
    row.duration_p50_ms = r.opt_num(a + "/duration_ms/p50");
    row.duration_p99_ms = r.opt_num(a + "/duration_ms/p99");
    row.cost_usd = r.num(a + "/cost_usd");
    row.busy_ms = r.num(a + "/busy_ms");
    row.utilisation = r.num(a + "/utilisation");
    row.max_queue_length = r.count(a + "/max_queue_length");
    for (auto& [kind, n] : r.named_counts(a + "/errors")) {
      if (n > 0) row.errors.emplace_back(kind, n);
    }
    row.breaker_transitions = r.count(a + "/breaker/transitions");
    row.breaker_open_ms = r.num(a + "/breaker/open_ms");
    d.agents.push_back(std::move(row));
  });

  r.each("/metrics/routing/edges", [&](const std::string& e) {
    EdgeRow row;
    row.from = r.str(e + "/from");
    row.to = r.str(e + "/to");
    row.count = r.count(e + "/count");
    d.edges.push_back(std::move(row));
  });

  r.each("/metrics/routing/decisions", [&](const std::string& e) {
    d.decisions.push_back({r.str(e + "/node"), r.str(e + "/agent"), r.count(e + "/count")});
  });

  if (r.ok() && r.has("/metrics/nodes")) {
    r.each("/metrics/nodes", [&](const std::string& n) {
      NodeRow row;
      row.name = r.str(n + "/name");
      row.calls_started = r.count(n + "/calls_started");
      row.ended = read_call_ends(r, n);
      row.duration_mean_ms = r.opt_num(n + "/duration_mean_ms");
      if (r.has(n + "/workflow")) row.workflow = r.str(n + "/workflow");
      if (r.has(n + "/sub_workflow")) {
        row.sub_workflow = r.str(n + "/sub_workflow");
        row.runs_started = r.count(n + "/runs_started");
        row.runs_ended = read_ends(r, n + "/runs_ended");
      }
      d.nodes.push_back(std::move(row));
    });
  }
  if (r.ok() && r.has("/metrics/sub_workflows")) {
    r.each("/metrics/sub_workflows", [&](const std::string& w) {
      SubWorkflowRow row;
      row.name = r.str(w + "/name");
      row.runs_started = r.count(w + "/runs_started");
      row.runs_ended = read_ends(r, w + "/runs_ended");
      row.duration_mean_ms = r.opt_num(w + "/duration_mean_ms");
      row.calls_per_run = r.opt_num(w + "/calls_per_run");
      r.each(w + "/called_by", [&](const std::string& c) { row.called_by.push_back(r.str(c)); });
      r.each(w + "/nodes", [&](const std::string& c) { row.nodes.push_back(r.str(c)); });
      d.sub_workflows.push_back(std::move(row));
    });
  }

  r.each("/metrics/classes", [&](const std::string& c) {
    ClassRow row;
    row.name = r.str(c + "/name");
    row.count = r.count(c + "/count");
    row.completed = r.count(c + "/completed");
    row.success_rate = r.opt_num(c + "/success_rate");
    row.latency_p50_ms = r.opt_num(c + "/latency_p50_ms");
    row.latency_p99_ms = r.opt_num(c + "/latency_p99_ms");
    row.quality_mean = r.opt_num(c + "/quality_mean");
    row.cost_mean_usd = r.opt_num(c + "/cost_mean_usd");
    d.classes.push_back(std::move(row));
  });

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
