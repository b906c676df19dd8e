#include "tests/validation/relations.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string_view>

#include "eval/metrics.hpp"

namespace orchsim::validation {

namespace {

Verdict holds() { return {Verdict::Kind::kHolds, ""}; }
Verdict broken(std::string detail) { return {Verdict::Kind::kBroken, std::move(detail)}; }
Verdict not_applicable(std::string why) { return {Verdict::Kind::kNotApplicable, std::move(why)}; }

// --- Editing scenario documents ----------------------------------------------------

Json& nodes(Json& doc) { return doc["workflow"]["nodes"]; }

template <class F>
void each_node(Json& doc, std::string_view type, F f) {
  for (Json& n : nodes(doc)) {
    if (n.value("type", "") == type) f(n);
  }
}
template <class F>
void each_agent(Json& doc, F f) {
  for (Json& a : doc["agents"]) f(a);
}
Json& resilience(Json& doc) {
  if (!doc.contains("resilience")) doc["resilience"] = Json::object();
  return doc["resilience"];
}
Json& run_settings(Json& doc) {
  if (!doc.contains("run")) doc["run"] = Json::object();
  return doc["run"];
}
std::string first_agent(const Json& doc) { return doc["agents"][0]["name"].get<std::string>(); }

// Whether some gate rule of the document reads `condition`.
bool reads_condition(const Json& doc, std::string_view condition) {
  for (const Json& n : doc["workflow"]["nodes"]) {
    if (n.value("type", "") != "gate" || !n.contains("rules")) continue;
    for (const Json& rule : n["rules"]) {
      if (rule["if"].contains(condition)) return true;
    }
  }
  return false;
}
std::string policy_of(const Json& call_node) {
  return call_node.contains("routing") ? call_node["routing"].value("policy", "static") : "static";
}

// --- Comparing runs ------------------------------------------------------------------

bool same_cost(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

std::vector<std::string> without(const std::vector<std::string>& lines,
                                 const std::vector<std::string_view>& prefixes) {
  std::vector<std::string> out;
  for (const std::string& l : lines) {
    if (std::none_of(prefixes.begin(), prefixes.end(),
                     [&l](std::string_view p) { return l.starts_with(p); })) {
      out.push_back(l);
    }
  }
  return out;
}

// A timer set to "never" never runs only in a run bounded by its drain
// limit: one whose arrivals ended (else nothing stops the clock before the
// timer) and that ended well before "never".
std::optional<Verdict> unbounded(const ScenarioRun& left) {
  if (left.result.arrivals_end == sim::Time::max()) {
    return not_applicable("the arrivals never ended, so no drain limit bounds the run");
  }
  if (left.result.end >= sim::Time::zero() + sim::Duration::from_milliseconds(kNeverMs)) {
    return not_applicable("the run lasted past \"never\"");
  }
  return std::nullopt;
}

// The checks shared by relations whose right side adds timers that never run.
std::function<Verdict(const ScenarioRun&, const ScenarioRun&)> same_run_if_bounded() {
  return [](const ScenarioRun& l, const ScenarioRun& r) {
    if (auto v = unbounded(l)) return *v;
    return same_run(l, r);
  };
}

}  // namespace

Verdict same_run(const ScenarioRun& left, const ScenarioRun& right,
                 const std::vector<std::string>& ignored) {
  if (std::string d = lines_difference(left.events, right.events); !d.empty()) {
    return broken("the events differ: " + d);
  }
  for (std::size_t i = 0; i < left.costs.size(); ++i) {
    if (!same_cost(left.costs[i], right.costs[i])) {
      return broken(fmt::format("event {} costs {} against {}: {}", i, left.costs[i],
                                right.costs[i], left.events[i]));
    }
  }
  if (std::string d = json_difference(left.metrics, right.metrics, ignored); !d.empty()) {
    return broken("the metrics differ at " + d);
  }
  return holds();
}

Verdict evaluate(const Relation& relation, const Json& doc, const ScenarioRun* doc_run) {
  const std::optional<ScenarioPair> pair = relation.make(doc);
  if (!pair) return not_applicable("not made for this scenario");
  std::optional<ScenarioRun> own;
  if (doc_run == nullptr || pair->left != doc) own.emplace(run_document(pair->left));
  const ScenarioRun& left = own ? *own : *doc_run;
  if (!left.ok()) return broken("left side: " + left.error);
  const ScenarioRun right = run_document(pair->right);
  if (!right.ok()) return broken("right side: " + right.error);
  for (const ScenarioRun* side : {&left, &right}) {
    if (side->invariant_violation_count > 0) {
      return broken(fmt::format("{} side breaks {} invariants, first: {}",
                                side == &left ? "left" : "right", side->invariant_violation_count,
                                side->invariant_violations.front()));
    }
  }
  return relation.check(left, right);
}

namespace relations {

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
            std::map<std::string, std::set<int>> totals;
            for (const Json& n : doc["workflow"]["nodes"]) {
              if (n.value("type", "") != "fan_out") continue;
              int total = n.contains("branches") ? static_cast<int>(n["branches"].size()) : 0;
              if (n.contains("map")) {
                total = n["map"].value("count_from_label", false)
                            ? -1000
                            : total + std::max(1, n["map"].value("count", 1));
              }
              totals[n["join"].get<std::string>()].insert(total);
            }
            ScenarioPair p{doc, doc};
            bool any = false;
            each_node(p.right, "join", [&](Json& n) {
              const std::string policy = n.value("policy", "all");
              const auto& t = totals[n["name"].get<std::string>()];
              const int total = t.size() == 1 ? *t.begin() : -1;
              int k = 0;
              if (policy == "first_success") k = 1;
              if (policy == "all" && total > 0) k = total;
              if (policy == "quorum" && total > 0) k = total / 2 + 1;
              if (k == 0) return;
              n["policy"] = "first_k";
              n["k"] = k;
              any = true;
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
          [](const Json& doc) {
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
  return {"prices_doubled_double_every_cost",
          [factor](const Json& doc) -> std::optional<ScenarioPair> {
            // Costs scale exactly (a product by a power of two), but a decision
            // that reads a cost against a fixed number would change.
            for (const Json& n : doc["workflow"]["nodes"]) {
              if (n.value("type", "") == "call" && policy_of(n) == "linucb" &&
                  n["routing"].value("cost_weight", 10.0) != 0.0) {
                return std::nullopt;
              }
            }
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
                return broken(fmt::format("event {} costs {}, then {}: {}", i, l.costs[i],
                                          r.costs[i], l.events[i]));
              }
            }
            // The JSON rounds money to 8 decimals (2 round(x) need not be
            // round(2x)): its cost keys are compared exactly in the collector.
            if (std::string d = json_difference(
                    l.metrics, r.metrics,
                    {"/per_request/cost_usd", "/classes/*/cost_mean_usd", "/agents/*/cost_usd"});
                !d.empty()) {
              return broken("the metrics differ at " + d);
            }
            const eval::MetricsCollector& a = *l.result.metrics;
            const eval::MetricsCollector& b = *r.result.metrics;
            if (a.requests().cost_usd * factor != b.requests().cost_usd) {
              return broken(fmt::format("requests cost {}, then {}", a.requests().cost_usd,
                                        b.requests().cost_usd));
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

std::vector<Relation> for_any_scenario(std::uint64_t pick) {
  static const char* const kFits[] = {"drop_least_relevant", "summarize", "fail"};
  return {same_seed_twice(),
          hedge_never_fires(),
          timeout_never_fires(),
          deadline_never_reached(),
          time_budget_never_reached(),
          max_visits_never_reached(),
          validator_never_flags(),
          breaker_never_opens(),
          rate_limits_never_reached(),
          bulkheads_never_full(),
          retry_budget_never_binding(),
          neutral_degradation(),
          outage_after_the_run(),
          unused_agent(),
          retries_without_failures(),
          fit_policy_with_ample_windows(kFits[pick % 3]),
          never_matching_gate_rules(),
          weighted_one_zero_is_static(),
          join_policy_spellings(),
          agent_order_is_irrelevant(),
          pass_through_gate_adds_only_edges(),
          quality_threshold_moves_only_pass_rates(pick % 2 == 0 ? 0.3 : 0.95),
          warmup_changes_no_event(5.0 + static_cast<double>(pick % 7)),
          prices_doubled_double_every_cost(),
          arrival_times_do_not_change_requests()};
}

}  // namespace relations
}  // namespace orchsim::validation
