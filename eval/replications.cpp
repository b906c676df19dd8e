#include "eval/replications.hpp"

#include <atomic>
#include <cmath>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

namespace orchsim::eval {

namespace {

struct Slot {
  RunMetrics metrics;
  std::unique_ptr<LogLinearHistogram> latency_all, latency_success;
  std::exception_ptr error;
};

}  // namespace

ReplicationSet run_replications(const scenarios::Scenario& scenario,
                                const ReplicationOptions& options) {
  const std::uint64_t n = options.replications;
  const std::uint64_t first_seed = options.seed.value_or(scenario.run.seed);
  std::vector<Slot> slots(n);
  std::atomic<std::uint64_t> next{0};
  std::uint64_t done = 0;
  std::mutex progress_mutex;

  auto worker = [&]() {
    for (std::uint64_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) {
      Slot& slot = slots[i];
      try {
        RunOptions run;
        run.seed = first_seed + i;
        run.requests = options.requests;
        run.duration = options.duration;
        run.warmup = options.warmup;
        RunResult r = run_scenario(scenario, run);
        slot.metrics = r.metrics->result();
        slot.latency_all = std::make_unique<LogLinearHistogram>(r.metrics->requests().latency_all);
        slot.latency_success =
            std::make_unique<LogLinearHistogram>(r.metrics->requests().latency_success);
      } catch (...) {
        slot.error = std::current_exception();
      }
      if (options.progress) {
        const std::lock_guard lock(progress_mutex);
        options.progress(++done, n);
      }
    }
  };

  unsigned jobs =
      options.jobs == 0 ? std::max(1u, std::thread::hardware_concurrency()) : options.jobs;
  if (jobs > n) jobs = static_cast<unsigned>(std::max<std::uint64_t>(n, 1));
  if (jobs <= 1) {
    worker();
  } else {
    std::vector<std::thread> threads;
    threads.reserve(jobs);
    for (unsigned t = 0; t < jobs; ++t) threads.emplace_back(worker);
    for (std::thread& t : threads) t.join();
  }

  ReplicationSet set;
  for (std::uint64_t i = 0; i < n; ++i) {
    if (slots[i].error) std::rethrow_exception(slots[i].error);
  }
  for (std::uint64_t i = 0; i < n; ++i) {
    set.seeds.push_back(first_seed + i);
    set.metrics.push_back(std::move(slots[i].metrics));
    set.latency_all.merge(*slots[i].latency_all);
    set.latency_success.merge(*slots[i].latency_success);
  }
  return set;
}

namespace {

void flatten_into(const nlohmann::ordered_json& j, const std::string& prefix,
                  std::vector<std::pair<std::string, double>>& out) {
  auto join = [&prefix](const std::string& key) {
    return prefix.empty() ? key : prefix + "." + key;
  };
  if (j.is_number()) {
    out.emplace_back(prefix, j.get<double>());
  } else if (j.is_object()) {
    for (const auto& [key, value] : j.items()) flatten_into(value, join(key), out);
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) {
      const auto& element = j[i];
      std::string label;
      if (element.is_object()) {
        for (const auto& [key, value] : element.items()) {
          if (!value.is_string()) continue;
          if (!label.empty()) label += "->";
          label += value.get<std::string>();
        }
      }
      if (label.empty()) label = std::to_string(i);
      flatten_into(element, join(label), out);
    }
  }
}

}  // namespace

std::vector<std::pair<std::string, double>> flatten_numeric(const nlohmann::ordered_json& j) {
  std::vector<std::pair<std::string, double>> out;
  flatten_into(j, "", out);
  return out;
}

std::vector<MetricSummary> summarize(const std::vector<RunMetrics>& metrics, double level) {
  std::vector<MetricSummary> out;
  std::map<std::string, std::size_t, std::less<>> index;  // name -> position in out (lookup only)
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t r = 0; r < metrics.size(); ++r) {
    for (auto& [name, value] : flatten(metrics[r])) {
      auto it = index.find(name);
      if (it == index.end()) {
        it = index.emplace(name, out.size()).first;
        out.push_back({name, {}, std::vector<double>(metrics.size(), nan)});
      }
      out[it->second].values[r] = value;
    }
  }
  for (MetricSummary& m : out) {
    std::vector<double> present;
    for (const double v : m.values) {
      if (!std::isnan(v)) present.push_back(v);
    }
    m.ci = stats::confidence_interval(present, level);
    if (is_quantile_metric(m.name) && m.ci.has_interval()) {
      m.ci.half_width += quantization_bound(m.ci.mean);
    }
  }
  return out;
}

bool is_quantile_metric(std::string_view name) {
  std::string_view last = name.substr(name.rfind('.') + 1);  // npos + 1 == 0: the whole name
  if (last.starts_with("latency_")) last.remove_prefix(8);
  if (last.ends_with("_ms")) last.remove_suffix(3);
  if (last.size() < 2 || last[0] != 'p') return false;
  return last.find_first_not_of("0123456789", 1) == std::string_view::npos;
}

double quantization_bound(double value) {
  return LogLinearHistogram::kRelativeError * std::abs(value);
}

nlohmann::ordered_json to_json(const stats::ConfidenceInterval& ci) {
  nlohmann::ordered_json j;
  j["n"] = ci.n;
  j["mean"] = ci.n > 0 ? nlohmann::ordered_json(ci.mean) : nlohmann::ordered_json();
  j["sd"] = ci.sd;
  j["ci_low"] = ci.has_interval() ? nlohmann::ordered_json(ci.low()) : nlohmann::ordered_json();
  j["ci_high"] = ci.has_interval() ? nlohmann::ordered_json(ci.high()) : nlohmann::ordered_json();
  return j;
}

nlohmann::ordered_json summaries_to_json(const std::vector<MetricSummary>& summaries) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const MetricSummary& m : summaries) j[m.name] = to_json(m.ci);
  return j;
}

nlohmann::ordered_json latency_to_json(const LogLinearHistogram& h) {
  nlohmann::ordered_json j;
  auto ms = [&h](double ns) {
    return h.empty() ? nlohmann::ordered_json()
                     : nlohmann::ordered_json(std::round(ns / 1e2) / 1e4);
  };
  j["count"] = h.count();
  j["mean"] = ms(h.mean());
  j["p50"] = ms(h.quantile(0.5));
  j["p90"] = ms(h.quantile(0.9));
  j["p95"] = ms(h.quantile(0.95));
  j["p99"] = ms(h.quantile(0.99));
  j["p999"] = ms(h.quantile(0.999));
  j["max"] = ms(static_cast<double>(h.max()));
  return j;
}

const MetricSummary* find_metric(const std::vector<MetricSummary>& summaries,
                                 std::string_view name) {
  for (const MetricSummary& m : summaries) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

}  // namespace orchsim::eval
