// Relations: two spellings of one behaviour, and settings that change only
// what they are about (relations.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string_view>

#include "eval/metrics.hpp"
#include "tests/validation/relation_support.hpp"
#include "tests/validation/relations.hpp"

namespace orchsim::validation::relations {

Relation weighted_one_zero_is_static(double second_weight) {
  return {"weighted_one_zero_is_static",
          [second_weight](const Json& doc) -> std::optional<ScenarioPair> {
            // Both take the first candidate, or the first eligible one when
            // its breaker is open; but weighted_random draws evenly among
            // eligible candidates that all weigh nothing, so with a breaker
            // and three or more candidates they part.
            const bool breaker =
                doc.contains("resilience") && doc["resilience"].contains("circuit_breaker");
            ScenarioPair p{doc, doc};
            bool any = false;
            each_node(p.right, "call", [&](Json& n) {
              if (policy_of(n) != "static" || !n.contains("agents")) return;
              if (breaker && n["agents"].size() > 2) return;
              Json weights = Json::array();
              for (std::size_t i = 0; i < n["agents"].size(); ++i)
                weights.push_back(i == 0 ? 1.0 : second_weight);
              n["routing"] = {{"policy", "weighted_random"}, {"weights", weights}};
              any = true;
            });
            if (!any) return std::nullopt;
            return p;
          },
          [](const ScenarioRun& l, const ScenarioRun& r) { return same_run(l, r); }};
}

Relation join_policy_spellings() {
  return {"join_policy_spellings",
          [](const Json& doc) -> std::optional<ScenarioPair> {
            // Each join's number of branches when every fan-out to it has a
            // fixed one (a count from a label varies per request).
            // Node names are per graph: the graph's index goes in front.
            std::map<std::string, std::set<int>> totals;
            int graph = 0;
            each_graph(doc, [&](const Json& list) {
              for (const Json& n : list) {
                if (n.value("type", "") != "fan_out") continue;
                int total = n.contains("branches") ? static_cast<int>(n["branches"].size()) : 0;
                if (n.contains("map")) {
                  total = n["map"].value("count_from_label", false)
                              ? -1000
                              : total + std::max(1, n["map"].value("count", 1));
                }
                totals[fmt::format("{}/{}", graph, n["join"].get<std::string>())].insert(total);
              }
              ++graph;
            });
            ScenarioPair p{doc, doc};
            bool any = false;
            graph = 0;
            each_graph(p.right, [&](Json& list) {
              for (Json& n : list) {
                if (n.value("type", "") != "join") continue;
                const std::string policy = n.value("policy", "all");
                // An `all` join that waits or has a tolerance is no first_k.
                if (policy == "all" &&
                    (n.value("on_branch_failure", "") == "wait_all" ||
                     n.contains("tolerated_failures") || n.contains("tolerated_failure_percent"))) {
                  continue;
                }
                const auto& t = totals[fmt::format("{}/{}", graph, n["name"].get<std::string>())];
                const int total = t.size() == 1 ? *t.begin() : -1;
                int k = 0;
                if (policy == "first_success") k = 1;
                if (policy == "all" && total > 0) k = total;
                if (policy == "quorum" && total > 0) k = total / 2 + 1;
                if (k == 0) continue;
                n["policy"] = "first_k";
                n["k"] = k;
                // The failure handling of an `all` join goes with the policy.
                n.erase("on_branch_failure");
                n.erase("tolerated_failures");
                n.erase("tolerated_failure_percent");
                any = true;
              }
              ++graph;
            });
            if (!any) return std::nullopt;
            return p;
          },
          [](const ScenarioRun& l, const ScenarioRun& r) { return same_run(l, r); }};
}

Relation agent_order_is_irrelevant() {
  return {"agent_order_is_irrelevant",
          [](const Json& doc) -> std::optional<ScenarioPair> {
            // Two outages beginning at one instant on two agents run in the
            // order the agents were built: that order is not the agents'
            // streams' and may differ.
            std::set<double> starts;
            std::size_t windows = 0;
            for (const Json& a : doc["agents"]) {
              if (!a.contains("faults")) continue;
              for (const Json& f : a["faults"]) {
                if (f["kind"] == "degraded") continue;
                starts.insert(f["start_s"].get<double>());
                ++windows;
              }
            }
            if (starts.size() != windows || doc["agents"].size() < 2) return std::nullopt;
            ScenarioPair p{doc, doc};
            std::reverse(p.right["agents"].begin(), p.right["agents"].end());
            return p;
          },
          [](const ScenarioRun& l, const ScenarioRun& r) {
            // Agents' rows and routing decisions are listed by agent index:
            // compare them by name.
            const auto canonical = [](Json m) {
              std::vector<Json> agents(m["agents"].begin(), m["agents"].end());
              std::sort(agents.begin(), agents.end(),
                        [](const Json& a, const Json& b) { return a["name"] < b["name"]; });
              m["agents"] = agents;
              std::vector<Json> d(m["routing"]["decisions"].begin(),
                                  m["routing"]["decisions"].end());
              std::stable_sort(d.begin(), d.end(), [](const Json& a, const Json& b) {
                return std::make_pair(a["node"].get<std::string>(), a["agent"].get<std::string>()) <
                       std::make_pair(b["node"].get<std::string>(), b["agent"].get<std::string>());
              });
              m["routing"]["decisions"] = d;
              return m;
            };
            ScenarioRun l2, r2;
            l2.events = l.events;
            r2.events = r.events;
            l2.costs = l.costs;
            r2.costs = r.costs;
            l2.metrics = canonical(l.metrics);
            r2.metrics = canonical(r.metrics);
            return same_run(l2, r2);
          }};
}

Relation pass_through_gate_adds_only_edges() {
  return {"pass_through_gate_adds_only_edges",
          [](const Json& doc) -> std::optional<ScenarioPair> {
            // Sub-workflows' nodes come after the top level's: gates added
            // there would move them (and their draws).
            if (doc.contains("workflows")) return std::nullopt;
            ScenarioPair p{doc, doc};
            // Appended, so every existing node keeps its index (draws are
            // keyed by it).
            std::vector<Json> gates;
            each_node(p.right, "call", [&](Json& n) {
              const std::string name = "pass_after_" + n["name"].get<std::string>();
              gates.push_back({{"name", name}, {"type", "gate"}, {"otherwise", n["next"]}});
              n["next"] = name;
            });
            for (Json& g : gates) nodes(p.right).push_back(std::move(g));
            return std::optional(p);
          },
          [](const ScenarioRun& l, const ScenarioRun& r) {
            // The gates add edges (and node-entered and flow-decision events)
            // and nothing else.
            ScenarioRun l2, r2;
            l2.events = without(l.events, {"N ", "D "});
            r2.events = without(r.events, {"N ", "D "});
            for (const ScenarioRun* s : {&l, &r}) {
              ScenarioRun& out = s == &l ? l2 : r2;
              for (std::size_t i = 0; i < s->events.size(); ++i) {
                if (!s->events[i].starts_with("N ") && !s->events[i].starts_with("D "))
                  out.costs.push_back(s->costs[i]);
              }
            }
            l2.metrics = l.metrics;
            r2.metrics = r.metrics;
            return same_run(l2, r2, {"/routing/edges"});
          }};
}

Relation quality_threshold_moves_only_pass_rates(double threshold) {
  return {"quality_threshold_moves_only_pass_rates",
          [threshold](const Json& doc) {
            ScenarioPair p{doc, doc};
            run_settings(p.right)["quality_threshold"] = threshold;
            return std::optional(p);
          },
          [](const ScenarioRun& l, const ScenarioRun& r) {
            Verdict v = same_run(
                l, r,
                {"/quality_threshold", "/quality/pass_rate", "/quality/pass_rate_of_finished"});
            if (v.kind != Verdict::Kind::kHolds) return v;
            const double lt = l.metrics["quality_threshold"].get<double>();
            const double rt = r.metrics["quality_threshold"].get<double>();
            for (const char* key : {"pass_rate", "pass_rate_of_finished"}) {
              const Json& lp = l.metrics["quality"][key];
              const Json& rp = r.metrics["quality"][key];
              if (lp.is_null() != rp.is_null())
                return broken(fmt::format("{} null on one side", key));
              if (lp.is_null()) continue;
              const double a = lp.get<double>(), b = rp.get<double>();
              if ((rt > lt && b > a) || (rt < lt && b < a) || (rt == lt && a != b)) {
                return broken(fmt::format("{}: {} at threshold {}, {} at {}", key, a, lt, b, rt));
              }
            }
            return holds();
          }};
}

Relation warmup_changes_no_event(double warmup_s) {
  return {"warmup_changes_no_event",
          [warmup_s](const Json& doc) {
            ScenarioPair p{doc, doc};
            run_settings(p.left)["warmup_s"] = 0;
            run_settings(p.right)["warmup_s"] = warmup_s;
            return std::optional(p);
          },
          [](const ScenarioRun& l, const ScenarioRun& r) {
            if (std::string d = lines_difference(l.events, r.events); !d.empty()) {
              return broken("the events differ: " + d);
            }
            // What the warm-up leaves out is exactly what arrived during it.
            const auto arrived = [](const ScenarioRun& s) {
              return s.metrics["requests"]["arrived"].get<std::uint64_t>() +
                     s.metrics["steady_state"]["excluded_warmup"].get<std::uint64_t>();
            };
            if (arrived(l) != arrived(r) || arrived(l) != l.result.arrived) {
              return broken(fmt::format("{} + excluded arrivals without warm-up, {} with",
                                        arrived(l), arrived(r)));
            }
            return holds();
          }};
}

Relation prices_doubled_double_every_cost(double factor) {
  return {
      "prices_doubled_double_every_cost",
      [factor](const Json& doc) -> std::optional<ScenarioPair> {
        // Costs scale exactly (a product by a power of two), but a decision
        // that reads a cost against a fixed number would change.
        bool learns_from_cost = false;
        each_call_step_of(doc, [&](const Json& n) {
          learns_from_cost = learns_from_cost || (policy_of(n) == "linucb" &&
                                                  n["routing"].value("cost_weight", 10.0) != 0.0);
        });
        if (learns_from_cost) return std::nullopt;
        if (reads_condition(doc, "cost_above_usd")) return std::nullopt;
        ScenarioPair p{doc, doc};
        each_agent(p.right, [factor](Json& a) {
          if (!a.contains("tokens")) return;
          for (const char* key : {"usd_per_1k_input_tokens", "usd_per_1k_output_tokens"}) {
            if (a["tokens"].contains(key))
              a["tokens"][key] = a["tokens"][key].get<double>() * factor;
          }
        });
        return p;
      },
      [factor](const ScenarioRun& l, const ScenarioRun& r) {
        if (std::string d = lines_difference(l.events, r.events); !d.empty()) {
          return broken("the events differ: " + d);
        }
        for (std::size_t i = 0; i < l.costs.size(); ++i) {
          if (!same_cost(l.costs[i] * factor, r.costs[i])) {
            return broken(fmt::format("event {} costs {}, then {}: {}", i, l.costs[i], r.costs[i],
                                      l.events[i]));
          }
        }
        // The JSON rounds money to 8 decimals (2 round(x) need not be
        // round(2x)): its cost keys are compared exactly in the collector.
        if (std::string d = json_difference(
                l.metrics, r.metrics,
                {"/per_request/cost_usd", "/classes/*/cost_mean_usd", "/agents/*/cost_usd",
                 "/sub_workflows/*/cost_per_run_usd", "/coordination/duplicated_cost_usd",
                 "/coordination/cost_per_request_usd"});
            !d.empty()) {
          return broken("the metrics differ at " + d);
        }
        const eval::MetricsCollector& a = *l.result.metrics;
        const eval::MetricsCollector& b = *r.result.metrics;
        if (a.requests().cost_usd * factor != b.requests().cost_usd) {
          return broken(fmt::format("requests cost {}, then {}", a.requests().cost_usd,
                                    b.requests().cost_usd));
        }
        const auto& ca = a.coordination();
        const auto& cb = b.coordination();
        if (ca.all_calls_cost_usd * factor != cb.all_calls_cost_usd ||
            ca.duplicated_cost_usd * factor != cb.duplicated_cost_usd) {
          return broken(fmt::format("coordination costs {} and {}, then {} and {}",
                                    ca.all_calls_cost_usd, ca.duplicated_cost_usd,
                                    cb.all_calls_cost_usd, cb.duplicated_cost_usd));
        }
        for (std::size_t i = 0; i < a.agents().size(); ++i) {
          if (a.agents()[i].cost_usd * factor != b.agents()[i].cost_usd) {
            return broken(fmt::format("agent {} cost {}, then {}", a.agents()[i].name,
                                      a.agents()[i].cost_usd, b.agents()[i].cost_usd));
          }
        }
        for (std::size_t i = 0; i < a.classes().size(); ++i) {
          if (a.classes()[i].cost_usd * factor != b.classes()[i].cost_usd) {
            return broken(fmt::format("class {} cost {}, then {}", a.classes()[i].name,
                                      a.classes()[i].cost_usd, b.classes()[i].cost_usd));
          }
        }
        for (std::size_t i = 0; i < a.sub_workflows().size(); ++i) {
          // Sums of costs in another order than the requests': equal to rounding.
          const double x = a.sub_workflows()[i].cost_usd * factor;
          const double y = b.sub_workflows()[i].cost_usd;
          if (std::abs(x - y) > 1e-12 * std::max(1.0, std::abs(y))) {
            return broken(fmt::format("sub-workflow {} cost {}, then {}", a.sub_workflows()[i].name,
                                      a.sub_workflows()[i].cost_usd, y));
          }
        }
        return holds();
      }};
}

Relation arrival_times_do_not_change_requests(double interval_ms) {
  return {"arrival_times_do_not_change_requests",
          [interval_ms](const Json& doc) -> std::optional<ScenarioPair> {
            // The same requests: a request count, not a duration, ends the run.
            if (!doc.contains("run") || doc["run"].value("requests", 0) == 0 ||
                doc["run"].value("duration_s", 0.0) != 0.0) {
              return std::nullopt;
            }
            // Requests meet only through shared state: queues, load-aware or
            // learning routers, round robin's turn, breakers, budgets, rate
            // limits, bulkheads, the load slowdown, and fault windows (tied to
            // the clock). Take all of it away; what is left is each request's
            // own world.
            Json base = doc;
            each_node(base, "call", [](Json& n) {
              const std::string policy = policy_of(n);
              if (policy != "static" && policy != "weighted_random" && policy != "cascade") {
                n.erase("routing");
              }
            });
            resilience(base) = Json::object();
            each_sub_workflow(base, [](Json& w) { w.erase("retry_budget"); });
            each_agent(base, [](Json& a) {
              for (const char* key : {"limits", "faults", "bulkhead_per_caller", "queue_capacity"})
                a.erase(key);
              a["latency"].erase("slowdown_alpha");
              a["servers"] = 100'000;
            });
            run_settings(base)["warmup_s"] = 0;
            ScenarioPair p{base, base};
            p.right["workload"]["arrivals"] = {{"deterministic", {{"interval_ms", interval_ms}}}};
            return p;
          },
          [](const ScenarioRun& l, const ScenarioRun& r) {
            for (const ScenarioRun* s : {&l, &r}) {
              if (!s->drained()) return not_applicable("a request was cut off by the drain");
              for (const Json& a : s->metrics["agents"]) {
                if (a["max_queue_length"] != 0 || a["errors"]["overloaded"] != 0) {
                  return not_applicable("requests queued behind each other at " +
                                        a["name"].get<std::string>());
                }
              }
            }
            const auto left = per_request_events(l.events);
            const auto right = per_request_events(r.events);
            if (left.size() != right.size()) {
              return broken(fmt::format("{} requests against {}", left.size(), right.size()));
            }
            for (const auto& [id, events] : left) {
              const auto it = right.find(id);
              if (it == right.end()) return broken(fmt::format("request {} missing", id));
              if (std::string d = lines_difference(events, it->second); !d.empty()) {
                return broken(fmt::format("request {}: {}", id, d));
              }
            }
            return holds();
          }};
}

}  // namespace orchsim::validation::relations
