#include "eval/experiment_summaries.hpp"

#include <string>

#include "eval/comparison.hpp"

namespace orchsim::eval {

namespace {

using J = nlohmann::ordered_json;

// [[pointer, value], ...] as the plans keep overrides.
Overrides overrides_from(const J& j) {
  Overrides out;
  for (const J& pair : j)
    out.emplace_back(pair.at(0).get<std::string>(), pair.at(1).get<std::string>());
  return out;
}

// ["pointer=value", ...] as the summaries show them.
J overrides_json(const Overrides& o) {
  J j = J::array();
  for (const auto& [ptr, value] : o) j.push_back(ptr + "=" + value);
  return j;
}

}  // namespace

J comparison_json(const TaskPlan& plan, const std::vector<ReplicationSet>& sets) {
  const J& variants = plan.spec.at("variants");
  const ReplicationSet& base_set = sets.at(0);
  J report;
  report["scenario"] = plan.configs.at(0).scenario_name;
  report["sets"] = overrides_json(overrides_from(plan.spec.at("sets")));
  report["replications"] = base_set.seeds.size();
  report["seeds"] = base_set.seeds;
  report["confidence_level"] = 0.95;
  J jv = J::array();
  for (std::size_t i = 0; i < variants.size(); ++i) {
    J v;
    v["name"] = variants[i].at("name").get<std::string>();
    v["scenario"] = plan.configs.at(i + 1).scenario_name;
    v["overrides"] = overrides_json(overrides_from(variants[i].at("overrides")));
    J metrics = J::object();
    for (const MetricComparison& c : compare(base_set.metrics, sets.at(i + 1).metrics)) {
      metrics[c.name] = to_json(c);
    }
    v["metrics"] = metrics;
    jv.push_back(std::move(v));
  }
  report["variants"] = jv;
  return report;
}

SweepSummary summarize_sweep_plan(const TaskPlan& plan, const std::vector<ReplicationSet>& sets) {
  SweepSummary s;
  for (const J& a : plan.spec.at("grid")) {
    s.grid.push_back(
        {a.at("pointer").get<std::string>(), a.at("values").get<std::vector<std::string>>()});
  }
  const J& r = plan.spec.at("router");
  const std::size_t points = grid_points(s.grid).size();
  std::vector<const ReplicationSet*> point_sets;
  for (std::size_t i = 0; i < points; ++i) point_sets.push_back(&sets.at(i));
  const ReplicationSet* weak = nullptr;
  const ReplicationSet* strong = nullptr;
  if (!r.is_null()) {
    s.router.emplace();
    s.router->strong_agent = r.at("strong_agent").get<std::string>();
    s.router->weak_overrides = overrides_from(r.at("weak_overrides"));
    s.router->strong_overrides = overrides_from(r.at("strong_overrides"));
    s.router->quality_metric = r.at("quality_metric").get<std::string>();
    weak = &sets.at(points);
    strong = &sets.at(points + 1);
  }
  s.result = summarize_sweep(s.grid, point_sets, s.router, weak, strong);
  return s;
}

J sweep_json(const TaskPlan& plan, const SweepSummary& summary) {
  J report = sweep_to_json(summary.grid, summary.result);
  report["scenario"] = plan.spec.at("scenario_name").get<std::string>();
  report["sets"] = overrides_json(overrides_from(plan.spec.at("sets")));
  report["replications"] = plan.replications;
  report["first_seed"] = plan.first_seed;
  return report;
}

}  // namespace orchsim::eval
