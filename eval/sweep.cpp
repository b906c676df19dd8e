#include "eval/sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ostream>
#include <stdexcept>

#include "scenarios/scenario.hpp"

namespace orchsim::eval {

std::vector<std::string> split_top_level(const std::string& s, char separator) {
  std::vector<std::string> out;
  std::string current;
  int depth = 0;
  bool in_string = false, escaped = false;
  for (const char c : s) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == separator && depth == 0) {
      out.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  out.push_back(current);
  return out;
}

std::optional<GridAxis> parse_grid(const std::string& spec) {
  const auto eq = spec.find('=');
  if (spec.empty() || spec[0] != '/' || eq == std::string::npos || eq + 1 >= spec.size()) {
    return std::nullopt;
  }
  GridAxis axis{spec.substr(0, eq), split_top_level(spec.substr(eq + 1))};
  for (const std::string& v : axis.values) {
    if (v.empty()) return std::nullopt;
  }
  return axis;
}

std::vector<std::vector<std::pair<std::string, std::string>>> grid_points(
    const std::vector<GridAxis>& axes) {
  std::vector<std::vector<std::pair<std::string, std::string>>> out(1);
  for (const GridAxis& axis : axes) {
    std::vector<std::vector<std::pair<std::string, std::string>>> next;
    for (const auto& prefix : out) {
      for (const std::string& v : axis.values) {
        next.push_back(prefix);
        next.back().emplace_back(axis.pointer, v);
      }
    }
    out = std::move(next);
  }
  return out;
}

std::vector<bool> pareto_front(const std::vector<Objectives>& points) {
  auto complete = [](const Objectives& o) { return o.p99_ms && o.cost_usd && o.quality; };
  std::vector<bool> front(points.size(), false);
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!complete(points[i])) continue;
    const Objectives& a = points[i];
    bool dominated = false;
    for (std::size_t j = 0; j < points.size() && !dominated; ++j) {
      if (j == i || !complete(points[j])) continue;
      const Objectives& b = points[j];
      const bool no_worse =
          *b.p99_ms <= *a.p99_ms && *b.cost_usd <= *a.cost_usd && *b.quality >= *a.quality;
      const bool better =
          *b.p99_ms < *a.p99_ms || *b.cost_usd < *a.cost_usd || *b.quality > *a.quality;
      dominated = no_worse && better;
    }
    front[i] = !dominated;
  }
  return front;
}

double performance_gap_recovered(double q_router, double q_weak, double q_strong) {
  if (q_strong == q_weak)
    throw std::invalid_argument("PGR: the strong and weak qualities are equal");
  return (q_router - q_weak) / (q_strong - q_weak);
}

std::vector<RouterPoint> router_curve(std::vector<RouterPoint> points) {
  for (RouterPoint& p : points) p.strong_fraction = std::clamp(p.strong_fraction, 0.0, 1.0);
  points.push_back({0.0, 0.0});
  points.push_back({1.0, 1.0});
  std::stable_sort(points.begin(), points.end(), [](const RouterPoint& a, const RouterPoint& b) {
    return a.strong_fraction < b.strong_fraction ||
           (a.strong_fraction == b.strong_fraction && a.pgr < b.pgr);
  });
  return points;
}

double apgr(const std::vector<RouterPoint>& points) {
  const std::vector<RouterPoint> c = router_curve(points);
  double area = 0.0;
  for (std::size_t i = 1; i < c.size(); ++i) {
    area += 0.5 * (c[i].pgr + c[i - 1].pgr) * (c[i].strong_fraction - c[i - 1].strong_fraction);
  }
  return area;
}

std::optional<double> call_performance_threshold(const std::vector<RouterPoint>& points,
                                                 double target) {
  const std::vector<RouterPoint> c = router_curve(points);
  if (c.front().pgr >= target) return c.front().strong_fraction;
  for (std::size_t i = 1; i < c.size(); ++i) {
    if (c[i].pgr < target) continue;
    const RouterPoint& a = c[i - 1];
    const RouterPoint& b = c[i];
    // a.pgr < target <= b.pgr (the first point to reach it).
    return a.strong_fraction +
           (target - a.pgr) / (b.pgr - a.pgr) * (b.strong_fraction - a.strong_fraction);
  }
  return std::nullopt;
}

std::optional<double> strong_fraction(const RunMetrics& metrics, const std::string& strong_agent) {
  const std::uint64_t arrived = metrics.requests.arrived;
  const AgentMetrics* agent = metrics.agent(strong_agent);
  if (arrived == 0 || agent == nullptr) return std::nullopt;
  return std::clamp(static_cast<double>(agent->calls_started) / static_cast<double>(arrived), 0.0,
                    1.0);
}

namespace {

// A point whose scenario does not load is bad input: the loader's diagnostics say why.
StatusOr<ReplicationSet> run_point(const std::string& scenario,
                                   std::vector<std::pair<std::string, std::string>> overrides,
                                   const ReplicationOptions& options) {
  scenarios::LoadOptions load;
  load.overrides = std::move(overrides);
  const scenarios::LoadResult loaded = scenarios::load_scenario(scenario, load);
  if (!loaded.ok()) return Status::bad_input(loaded.diagnostics.format());
  return run_replications(*loaded.scenario, options);
}

std::optional<double> mean_of(const std::vector<MetricSummary>& s, std::string_view name) {
  const MetricSummary* m = find_metric(s, name);
  if (m == nullptr || m->ci.n == 0) return std::nullopt;
  return m->ci.mean;
}

}  // namespace

StatusOr<SweepResult> run_sweep(
    const std::string& scenario,
    const std::vector<std::pair<std::string, std::string>>& base_overrides,
    const std::vector<GridAxis>& grid, const ReplicationOptions& options,
    const std::optional<RouterSpec>& router) {
  auto with = [&base_overrides](const std::vector<std::pair<std::string, std::string>>& extra) {
    auto overrides = base_overrides;
    overrides.insert(overrides.end(), extra.begin(), extra.end());
    return overrides;
  };
  std::optional<ReplicationSet> weak, strong;
  if (router) {
    StatusOr<ReplicationSet> w = run_point(scenario, with(router->weak_overrides), options);
    if (!w.ok()) return w.status();
    StatusOr<ReplicationSet> s = run_point(scenario, with(router->strong_overrides), options);
    if (!s.ok()) return s.status();
    weak = std::move(*w);
    strong = std::move(*s);
  }
  std::vector<ReplicationSet> sets;
  for (const auto& point : grid_points(grid)) {
    StatusOr<ReplicationSet> set = run_point(scenario, with(point), options);
    if (!set.ok()) return set.status();
    sets.push_back(std::move(*set));
  }
  std::vector<const ReplicationSet*> points;
  for (const ReplicationSet& set : sets) points.push_back(&set);
  return summarize_sweep(grid, points, router, weak ? &*weak : nullptr,
                         strong ? &*strong : nullptr);
}

SweepResult summarize_sweep(const std::vector<GridAxis>& grid,
                            const std::vector<const ReplicationSet*>& points,
                            const std::optional<RouterSpec>& router, const ReplicationSet* weak,
                            const ReplicationSet* strong) {
  SweepResult result;
  if (router && weak != nullptr && strong != nullptr) {
    result.q_weak = mean_of(summarize(weak->metrics), router->quality_metric);
    result.q_strong = mean_of(summarize(strong->metrics), router->quality_metric);
  }
  auto point_overrides = grid_points(grid);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const ReplicationSet& set = *points[i];
    SweepPoint p;
    if (i < point_overrides.size()) p.overrides = std::move(point_overrides[i]);
    p.summaries = summarize(set.metrics);
    if (router) {
      std::vector<double> fractions;
      for (const auto& m : set.metrics) {
        if (auto f = strong_fraction(m, router->strong_agent)) fractions.push_back(*f);
      }
      if (!fractions.empty()) p.strong_fraction = stats::mean(fractions);
      const auto q = mean_of(p.summaries, router->quality_metric);
      if (q && result.q_weak && result.q_strong && *result.q_strong != *result.q_weak) {
        p.pgr = performance_gap_recovered(*q, *result.q_weak, *result.q_strong);
      }
    }
    result.points.push_back(std::move(p));
  }
  mark_pareto(result.points);
  if (router) {
    std::vector<RouterPoint> curve;
    for (const SweepPoint& p : result.points) {
      if (p.strong_fraction && p.pgr) curve.push_back({*p.strong_fraction, *p.pgr});
    }
    if (!curve.empty()) {
      result.apgr = apgr(curve);
      result.cpt50 = call_performance_threshold(curve, 0.5);
      result.cpt80 = call_performance_threshold(curve, 0.8);
    }
  }
  return result;
}

void mark_pareto(std::vector<SweepPoint>& points) {
  std::vector<Objectives> objectives;
  for (const SweepPoint& p : points) {
    objectives.push_back({mean_of(p.summaries, metric::kLatencyP99),
                          mean_of(p.summaries, metric::kCostPerRequest),
                          mean_of(p.summaries, metric::kQualityMean)});
  }
  const std::vector<bool> front = pareto_front(objectives);
  for (std::size_t i = 0; i < points.size(); ++i) points[i].pareto = front[i];
}

const std::vector<std::string>& sweep_key_metrics() {
  static const std::vector<std::string> keys = {
      std::string(metric::kLatencyP50),      std::string(metric::kLatencyP99),
      std::string(metric::kCostPerRequest),  std::string(metric::kQualityMean),
      std::string(metric::kPassRate),        std::string(metric::kSuccessRate),
      std::string(metric::kCallsPerRequest), std::string(metric::kThroughput)};
  return keys;
}

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string num(std::optional<double> x) {
  return x && std::isfinite(*x) ? fmt::format("{}", *x) : std::string();
}

nlohmann::ordered_json opt(std::optional<double> x) {
  return x && std::isfinite(*x) ? nlohmann::ordered_json(*x) : nlohmann::ordered_json();
}

}  // namespace

void write_sweep_csv(std::ostream& out, const std::vector<GridAxis>& grid, const SweepResult& r) {
  const bool router = r.q_weak.has_value() || r.q_strong.has_value();
  std::string header = "point";
  for (const GridAxis& a : grid) header += "," + csv_field(a.pointer);
  for (const std::string& k : sweep_key_metrics()) {
    header += fmt::format(",{0}.mean,{0}.ci_low,{0}.ci_high", k);
  }
  header += ",pareto";
  if (router) header += ",strong_fraction,pgr";
  out << header << '\n';
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const SweepPoint& p = r.points[i];
    std::string line = fmt::format("{}", i);
    for (const auto& [ptr, value] : p.overrides) line += "," + csv_field(value);
    for (const std::string& k : sweep_key_metrics()) {
      const MetricSummary* m = find_metric(p.summaries, k);
      if (m == nullptr || m->ci.n == 0) {
        line += ",,,";
        continue;
      }
      line += "," + num(m->ci.mean);
      line += "," + (m->ci.has_interval() ? num(m->ci.low()) : std::string());
      line += "," + (m->ci.has_interval() ? num(m->ci.high()) : std::string());
    }
    line += p.pareto ? ",true" : ",false";
    if (router) line += "," + num(p.strong_fraction) + "," + num(p.pgr);
    out << line << '\n';
  }
}

nlohmann::ordered_json sweep_to_json(const std::vector<GridAxis>& grid, const SweepResult& r) {
  using J = nlohmann::ordered_json;
  J j;
  j["schema"] = "orchsim.sweep";
  j["schema_version"] = 1;
  J axes = J::array();
  for (const GridAxis& a : grid) axes.push_back({{"pointer", a.pointer}, {"values", a.values}});
  j["grid"] = axes;
  J points = J::array();
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const SweepPoint& p = r.points[i];
    J jp;
    jp["point"] = i;
    J ov = J::object();
    for (const auto& [ptr, value] : p.overrides) ov[ptr] = value;
    jp["overrides"] = ov;
    jp["pareto"] = p.pareto;
    if (p.strong_fraction || p.pgr) {
      jp["strong_fraction"] = opt(p.strong_fraction);
      jp["pgr"] = opt(p.pgr);
    }
    jp["metrics"] = summaries_to_json(p.summaries);
    points.push_back(std::move(jp));
  }
  j["points"] = points;
  if (r.q_weak || r.q_strong) {
    j["router"] = {{"q_weak", opt(r.q_weak)},
                   {"q_strong", opt(r.q_strong)},
                   {"apgr", opt(r.apgr)},
                   {"cpt50", opt(r.cpt50)},
                   {"cpt80", opt(r.cpt80)}};
  }
  return j;
}

}  // namespace orchsim::eval
