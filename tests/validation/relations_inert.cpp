// Relations: settings that never take effect change nothing (relations.hpp).
#include <fmt/format.h>

#include <string>

#include "tests/validation/relation_support.hpp"
#include "tests/validation/relations.hpp"

namespace orchsim::validation::relations {

Relation same_seed_twice() {
  return {"same_seed_twice",
          [](const Json& doc) {
            return std::optional<ScenarioPair>({doc, doc});
          },
          [](const ScenarioRun& l, const ScenarioRun& r) { return same_run(l, r); }};
}

Relation hedge_never_fires(double delay_ms) {
  return {"hedge_never_fires",
          [delay_ms](const Json& doc) {
            ScenarioPair p{doc, doc};
            each_node(p.left, "call", [](Json& n) { n.erase("hedge"); });
            each_node(p.right, "call", [delay_ms](Json& n) {
              n["hedge"] = {{"max_extra_attempts", 2}, {"delay_ms", delay_ms}};
            });
            return std::optional(p);
          },
          same_run_if_bounded()};
}

Relation timeout_never_fires(double timeout_ms) {
  return {"timeout_never_fires",
          [timeout_ms](const Json& doc) {
            ScenarioPair p{doc, doc};
            each_node(p.right, "call", [timeout_ms](Json& n) {
              if (n.value("timeout_ms", 0.0) == 0.0) n["timeout_ms"] = timeout_ms;
            });
            return std::optional(p);
          },
          same_run_if_bounded()};
}

Relation deadline_never_reached(double deadline_ms) {
  return {"deadline_never_reached",
          [deadline_ms](const Json& doc) -> std::optional<ScenarioPair> {
            if (!doc["workload"].contains("classes")) return std::nullopt;
            ScenarioPair p{doc, doc};
            for (Json& c : p.right["workload"]["classes"]) {
              if (c.value("deadline_ms", 0.0) == 0.0) c["deadline_ms"] = deadline_ms;
            }
            return p;
          },
          [](const ScenarioRun& l, const ScenarioRun& r) {
            if (auto v = unbounded(l)) return *v;
            // Arrival events state each request's deadline: the one thing
            // the setting changes in what is recorded.
            const auto strip = [](std::vector<std::string> lines) {
              for (std::string& line : lines) {
                if (line.starts_with("A ")) line.erase(line.find(" deadline="));
              }
              return lines;
            };
            ScenarioRun l2, r2;
            l2.events = strip(l.events);
            r2.events = strip(r.events);
            l2.costs = l.costs;
            r2.costs = r.costs;
            l2.metrics = l.metrics;
            r2.metrics = r.metrics;
            return same_run(l2, r2);
          }};
}

Relation time_budget_never_reached(double budget_ms) {
  return {"time_budget_never_reached",
          [budget_ms](const Json& doc) {
            ScenarioPair p{doc, doc};
            each_node(p.left, "call", [](Json& n) { n.erase("time_budget"); });
            const std::string fast = first_agent(doc);
            each_node(p.right, "call", [&](Json& n) {
              if (!n.contains("time_budget")) {
                n["time_budget"] = {{"action", "redirect"}, {"agent", fast}};
              }
              n["time_budget"]["budget_ms"] = budget_ms;
            });
            return std::optional(p);
          },
          same_run_if_bounded()};
}

Relation max_visits_never_reached(std::int64_t bound) {
  return {"max_visits_never_reached",
          [bound](const Json& doc) {
            ScenarioPair p{doc, doc};
            for (Json& n : nodes(p.right)) {
              if (n.value("max_visits", 0) == 0) n["max_visits"] = bound;
            }
            return std::optional(p);
          },
          [](const ScenarioRun& l, const ScenarioRun& r) { return same_run(l, r); }};
}

Relation validator_never_flags(double true_positive_rate, double false_positive_rate) {
  return {"validator_never_flags",
          [=](const Json& doc) {
            ScenarioPair p{doc, doc};
            each_node(p.left, "call", [](Json& n) { n.erase("validator"); });
            each_node(p.right, "call", [&](Json& n) {
              n["validator"] = {{"bad_below", 0.5},
                                {"true_positive_rate", true_positive_rate},
                                {"false_positive_rate", false_positive_rate}};
            });
            return std::optional(p);
          },
          [](const ScenarioRun& l, const ScenarioRun& r) { return same_run(l, r); }};
}

Relation breaker_never_opens(std::int64_t minimum_calls) {
  return {"breaker_never_opens",
          [minimum_calls](const Json& doc) {
            ScenarioPair p{doc, doc};
            resilience(p.left).erase("circuit_breaker");
            // A time-based window: a count-based one caps minimum_calls at
            // its size (as Resilience4j does).
            resilience(p.right)["circuit_breaker"] = {{"window", "time"},
                                                      {"window_size", 20},
                                                      {"minimum_calls", minimum_calls},
                                                      {"failure_rate_percent", 10},
                                                      {"open_ms", 1000}};
            return std::optional(p);
          },
          [](const ScenarioRun& l, const ScenarioRun& r) { return same_run(l, r); }};
}

Relation rate_limits_never_reached(std::int64_t per_minute, bool tokens_too) {
  return {"rate_limits_never_reached",
          [=](const Json& doc) {
            ScenarioPair p{doc, doc};
            each_agent(p.left, [](Json& a) { a.erase("limits"); });
            each_agent(p.right, [&](Json& a) {
              a["limits"] = {{"requests_per_minute", per_minute}};
              if (tokens_too) a["limits"]["tokens_per_minute"] = per_minute;
            });
            return std::optional(p);
          },
          [](const ScenarioRun& l, const ScenarioRun& r) { return same_run(l, r); }};
}

Relation bulkheads_never_full(std::int64_t size) {
  return {"bulkheads_never_full",
          [size](const Json& doc) {
            ScenarioPair p{doc, doc};
            each_agent(p.left, [](Json& a) {
              a.erase("queue_capacity");
              a.erase("bulkhead_per_caller");
            });
            resilience(p.left).erase("max_concurrency_per_agent");
            each_agent(p.right, [size](Json& a) {
              a["queue_capacity"] = size;
              a["bulkhead_per_caller"] = size;
            });
            resilience(p.right)["max_concurrency_per_agent"] = size;
            return std::optional(p);
          },
          [](const ScenarioRun& l, const ScenarioRun& r) { return same_run(l, r); }};
}

Relation retry_budget_never_binding(std::int64_t floor) {
  return {"retry_budget_never_binding",
          [floor](const Json& doc) {
            ScenarioPair p{doc, doc};
            resilience(p.left).erase("retry_budget");
            resilience(p.right)["retry_budget"] = {
                {"kind", "concurrency"}, {"budget_percent", 0}, {"min_retry_concurrency", floor}};
            return std::optional(p);
          },
          [](const ScenarioRun& l, const ScenarioRun& r) { return same_run(l, r); }};
}

Relation neutral_degradation(double latency_factor, double extra_error_rate) {
  return {"neutral_degradation",
          [=](const Json& doc) {
            ScenarioPair p{doc, doc};
            // Listed last: the first window covering an instant wins, so the
            // agent's own windows keep their effect.
            each_agent(p.right, [&](Json& a) {
              a["faults"].push_back({{"kind", "degraded"},
                                     {"start_s", 0},
                                     {"end_s", kNeverMs / 1000},
                                     {"latency_factor", latency_factor},
                                     {"extra_error_rate", extra_error_rate}});
            });
            return std::optional(p);
          },
          [](const ScenarioRun& l, const ScenarioRun& r) { return same_run(l, r); }};
}

Relation outage_after_the_run(double start_s) {
  return {"outage_after_the_run",
          [start_s](const Json& doc) {
            ScenarioPair p{doc, doc};
            each_agent(p.right, [&](Json& a) {
              a["faults"].push_back(
                  {{"kind", "outage_fail"}, {"start_s", start_s}, {"end_s", start_s + 1}});
            });
            return std::optional(p);
          },
          same_run_if_bounded()};
}

Relation unused_agent() {
  return {"unused_agent",
          [](const Json& doc) {
            ScenarioPair p{doc, doc};
            p.right["agents"].push_back({{"name", "unused_extra_agent"},
                                         {"servers", 3},
                                         {"latency", {{"base_ms", 7}}},
                                         {"labels", {{{"name", "x"}, {"weight", 1}}}}});
            return std::optional(p);
          },
          [](const ScenarioRun& l, const ScenarioRun& r) {
            // The extra agent's row is the one legitimate difference; it must
            // say that nothing happened there.
            const std::size_t extra = l.metrics["agents"].size();
            const Json& row = r.metrics["agents"][extra];
            if (row["calls_started"] != 0 || row["busy_ms"] != 0.0) {
              return broken("the unused agent was used: " + row.dump());
            }
            return same_run(l, r, {fmt::format("/agents/{}", extra)});
          }};
}

Relation retries_without_failures(int max_attempts) {
  return {"retries_without_failures",
          [max_attempts](const Json& doc) {
            // Remove every way a call can fail; silent failures stay (they
            // report success).
            Json base = doc;
            each_agent(base, [](Json& a) {
              const double silent =
                  a.contains("outcomes") ? a["outcomes"].value("silent_failure", 0.0) : 0.0;
              a["outcomes"] = {{"silent_failure", silent}};
              for (const char* key : {"faults", "limits", "queue_capacity", "bulkhead_per_caller"})
                a.erase(key);
              a["context_window_tokens"] = 1'000'000'000'000;
            });
            for (Json& c : base["workload"]["classes"]) c.erase("deadline_ms");
            resilience(base).erase("circuit_breaker");
            resilience(base).erase("max_concurrency_per_agent");
            each_node(base, "call", [](Json& n) {
              n.erase("timeout_ms");
              n.erase("validator");
              n["retry"] = {{"max_attempts", 1}};
            });
            ScenarioPair p{base, base};
            each_node(p.right, "call", [max_attempts](Json& n) {
              n["retry"] = {{"max_attempts", max_attempts},
                            {"retry_on",
                             {"transient", "rate_limited", "overloaded", "unavailable", "permanent",
                              "context_overflow"}}};
            });
            return std::optional(p);
          },
          [](const ScenarioRun& l, const ScenarioRun& r) {
            for (const Json& a : l.metrics["agents"]) {
              const Json& e = a["calls_ended"];
              if (e["error"] != 0 || e["timeout"] != 0 || e["invalid"] != 0) {
                return not_applicable("a call failed after all: " + a.dump());
              }
            }
            return same_run(l, r);
          }};
}

Relation fit_policy_with_ample_windows(const std::string& fit, std::int64_t window) {
  return {"fit_policy_with_ample_windows",
          [fit, window](const Json& doc) {
            Json base = doc;
            each_agent(base, [window](Json& a) { a["context_window_tokens"] = window; });
            ScenarioPair p{base, base};
            const std::string summarizer = first_agent(doc);
            each_node(p.left, "call", [](Json& n) { n["context"]["fit"] = "truncate_oldest"; });
            each_node(p.right, "call", [&](Json& n) {
              n["context"]["fit"] = fit;
              if (fit == "summarize") n["context"]["summarizer"] = summarizer;
            });
            return std::optional(p);
          },
          [](const ScenarioRun& l, const ScenarioRun& r) { return same_run(l, r); }};
}

Relation never_matching_gate_rules(double confidence_below) {
  return {
      "never_matching_gate_rules",
      [confidence_below](const Json& doc) -> std::optional<ScenarioPair> {
        ScenarioPair p{doc, doc};
        bool any = false;
        each_node(p.right, "gate", [&](Json& n) {
          any = true;
          const Json target = n["otherwise"];
          Json rules = Json::array();
          // Confidences are clamped to [0, 1]; no request spends 10^12
          // USD; no node is visited 10^6 times here.
          rules.push_back({{"if", {{"confidence_below", confidence_below}}}, {"then", target}});
          rules.push_back({{"if", {{"cost_above_usd", 1e12}}}, {"then", target}});
          rules.push_back({{"if", {{"visits_at_least", {{"node", n["name"]}, {"count", 1000000}}}}},
                           {"then", target}});
          if (n.contains("rules")) {
            for (const Json& r : n["rules"]) rules.push_back(r);
          }
          n["rules"] = rules;
        });
        if (!any) return std::nullopt;
        return p;
      },
      [](const ScenarioRun& l, const ScenarioRun& r) { return same_run(l, r); }};
}

}  // namespace orchsim::validation::relations
