#include "eval/plan_check.hpp"

#include <fmt/format.h>

#include <string>

#include "scenarios/json_reader.hpp"

namespace orchsim::eval {

namespace {

using J = nlohmann::ordered_json;

Status incomplete(const TaskPlan& plan, const std::string& pointer, const J* found,
                  const char* expected) {
  return Status::bad_input(
      fmt::format("the stored {} plan is incomplete: {}: found {}, expected {}", plan.command,
                  pointer, found ? scenarios::describe_json(*found) : "nothing", expected));
}

Status too_few_rows(const TaskPlan& plan, std::size_t needed, std::size_t set_count) {
  return Status::bad_input(fmt::format(
      "the stored {} plan does not match its rows: its summaries read {} configurations, the "
      "store has {}",
      plan.command, needed, set_count));
}

const J* member(const J& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

bool is_strings(const J& j) {
  if (!j.is_array()) return false;
  for (const J& s : j) {
    if (!s.is_string()) return false;
  }
  return true;
}

// [[pointer, value], ...], as plans keep overrides.
bool is_pairs(const J& j) {
  if (!j.is_array()) return false;
  for (const J& pair : j) {
    if (!is_strings(pair) || pair.size() != 2) return false;
  }
  return true;
}

// A key the summaries read: present and of the expected shape.
Status need(const TaskPlan& plan, const J& object, const std::string& at, const char* key,
            bool (*shape)(const J&), const char* expected) {
  const J* v = member(object, key);
  if (v == nullptr || !shape(*v)) return incomplete(plan, at + "/" + key, v, expected);
  return {};
}

// A view key read with a default: absent, or of the expected shape.
Status may(const TaskPlan& plan, const char* key, bool (*shape)(const J&), const char* expected) {
  const J* v = member(plan.view, key);
  if (v != nullptr && !shape(*v)) return incomplete(plan, std::string("/view/") + key, v, expected);
  return {};
}

bool is_string(const J& j) { return j.is_string(); }
bool is_boolean(const J& j) { return j.is_boolean(); }
bool is_anything(const J&) { return true; }

Status check_sections(const TaskPlan& plan, bool reads_view) {
  if (!plan.spec.is_object()) return incomplete(plan, "/spec", &plan.spec, "an object");
  if (reads_view && !plan.view.is_object()) {
    return incomplete(plan, "/view", &plan.view, "an object");
  }
  return {};
}

Status check_compare(const TaskPlan& plan, std::size_t set_count) {
  if (Status st = check_sections(plan, true); !st.ok()) return st;
  const J* variants = member(plan.spec, "variants");
  if (variants == nullptr || !variants->is_array() || variants->empty()) {
    return incomplete(plan, "/spec/variants", variants, "an array of at least one variant");
  }
  for (std::size_t i = 0; i < variants->size(); ++i) {
    const std::string at = fmt::format("/spec/variants/{}", i);
    if (Status st = need(plan, (*variants)[i], at, "name", is_string, "a string"); !st.ok())
      return st;
    if (Status st = need(plan, (*variants)[i], at, "overrides", is_pairs,
                         "an array of [pointer, value] pairs");
        !st.ok())
      return st;
  }
  for (const Status& st :
       {need(plan, plan.spec, "/spec", "sets", is_pairs, "an array of [pointer, value] pairs"),
        may(plan, "metrics", is_strings, "an array of metric names"),
        may(plan, "all_metrics", is_boolean, "true or false")}) {
    if (!st.ok()) return st;
  }
  const std::size_t needed = variants->size() + 1;  // the base, then each variant
  if (set_count < needed) return too_few_rows(plan, needed, set_count);
  return {};
}

// The grid's points, as grid_points() makes them, or more than `limit`.
Status check_grid(const TaskPlan& plan, std::size_t limit, std::size_t& points) {
  const J* grid = member(plan.spec, "grid");
  if (grid == nullptr || !grid->is_array()) {
    return incomplete(plan, "/spec/grid", grid, "an array of axes");
  }
  points = 1;
  for (std::size_t i = 0; i < grid->size(); ++i) {
    const std::string at = fmt::format("/spec/grid/{}", i);
    if (Status st = need(plan, (*grid)[i], at, "pointer", is_string, "a string"); !st.ok())
      return st;
    if (Status st = need(plan, (*grid)[i], at, "values", is_strings, "an array of strings");
        !st.ok())
      return st;
    const std::size_t values = (*grid)[i]["values"].size();
    // Capped past the limit: a product of stored sizes must not overflow.
    points = points > limit ? points : points * values;
  }
  return {};
}

Status check_sweep(const TaskPlan& plan, std::size_t set_count) {
  if (Status st = check_sections(plan, false); !st.ok()) return st;
  std::size_t needed = 0;
  if (Status st = check_grid(plan, set_count, needed); !st.ok()) return st;
  const J* router = member(plan.spec, "router");
  if (router == nullptr || !(router->is_null() || router->is_object())) {
    return incomplete(plan, "/spec/router", router, "null or an object");
  }
  if (router->is_object()) {
    const char* pairs = "an array of [pointer, value] pairs";
    for (const Status& st :
         {need(plan, *router, "/spec/router", "strong_agent", is_string, "a string"),
          need(plan, *router, "/spec/router", "weak_overrides", is_pairs, pairs),
          need(plan, *router, "/spec/router", "strong_overrides", is_pairs, pairs),
          need(plan, *router, "/spec/router", "quality_metric", is_string, "a string")}) {
      if (!st.ok()) return st;
    }
    needed += 2;  // the always-weak and always-strong references
  }
  for (const Status& st :
       {need(plan, plan.spec, "/spec", "scenario_name", is_string, "a string"),
        need(plan, plan.spec, "/spec", "sets", is_pairs, "an array of [pointer, value] pairs")}) {
    if (!st.ok()) return st;
  }
  if (set_count < needed) return too_few_rows(plan, needed, set_count);
  return {};
}

Status check_check(const TaskPlan& plan) {
  if (Status st = check_sections(plan, true); !st.ok()) return st;
  const J* tolerances = member(plan.spec, "tolerances");
  if (tolerances == nullptr || !tolerances->is_object()) {
    return incomplete(plan, "/spec/tolerances", tolerances, "an object of tolerances");
  }
  for (const auto& [metric, text] : tolerances->items()) {
    if (!text.is_string()) {
      return incomplete(plan, "/spec/tolerances/" + metric, &text,
                        "a tolerance such as \"rel:0.05\"");
    }
  }
  // Its contents are the baseline's to check (check_against_baseline).
  if (Status st = need(plan, plan.spec, "/spec", "baseline", is_anything, "a baseline"); !st.ok())
    return st;
  return may(plan, "baseline_path", is_string, "a string");
}

}  // namespace

Status check_summary_inputs(const TaskPlan& plan, std::size_t set_count) {
  const std::string& c = plan.command;
  const bool one_set = c == "run" || c == "baseline" || c == "check";
  if (one_set && set_count < 1) return too_few_rows(plan, 1, set_count);
  if (c == "compare") return check_compare(plan, set_count);
  if (c == "sweep") return check_sweep(plan, set_count);
  if (c == "baseline") {
    if (Status st = check_sections(plan, true); !st.ok()) return st;
    return may(plan, "out", is_string, "a file name");
  }
  if (c == "check") return check_check(plan);
  return {};
}

}  // namespace orchsim::eval
