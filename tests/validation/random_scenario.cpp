#include "tests/validation/random_scenario.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "sim/random.hpp"

namespace orchsim::validation {

namespace {

using Json = nlohmann::ordered_json;

// Draws with the shapes a scenario needs, all from one keyed stream.
class Draw {
 public:
  explicit Draw(std::uint64_t seed, std::string_view purpose = "random_scenario")
      : stream_(sim::RandomSource(seed).stream("validation", purpose)) {}

  bool chance(double p) { return stream_.uniform01() < p; }
  // Uniform in [lo, hi], to three decimals (readable JSON, exact round trips).
  double real(double lo, double hi) {
    return std::round((lo + (hi - lo) * stream_.uniform01()) * 1000.0) / 1000.0;
  }
  int integer(int lo, int hi) {  // inclusive
    return lo + static_cast<int>(stream_.below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  template <class T>
  const T& pick(const std::vector<T>& from) {
    return from[stream_.below(from.size())];
  }
  // `count` distinct elements of `from`, in random order.
  template <class T>
  std::vector<T> some(std::vector<T> from, std::size_t count) {
    for (std::size_t i = 0; i + 1 < from.size(); ++i) {
      std::swap(from[i], from[i + stream_.below(from.size() - i)]);
    }
    from.resize(std::min(count, from.size()));
    return from;
  }

 private:
  sim::RandomStream stream_;
};

// --- Distributions -------------------------------------------------------------------

// A distribution of non-negative values around `scale` (latencies in ms,
// token counts), from any family.
Json positive_distribution(Draw& d, double scale) {
  Json j;
  switch (d.integer(0, 12)) {
    case 0:
      return d.real(0, 2 * scale);  // a bare number: a constant
    case 1:
      j["constant"] = d.real(0, 2 * scale);
      break;
    case 2: {
      const double lo = d.real(0, scale);
      j["uniform"] = {{"min", lo}, {"max", lo + 0.01 + d.real(0, 2 * scale)}};
      break;
    }
    case 3:
      j["exponential"] = {{"mean", d.real(0.1 * scale, 2 * scale) + 0.01}};
      break;
    case 4:
      // Negative draws are clamped to zero where they are used.
      j["normal"] = {{"mean", d.real(0, 2 * scale)}, {"stddev", d.real(0.01, scale)}};
      j["truncate"] = {0, 20 * scale};
      break;
    case 5: {
      const double median = d.real(0.1 * scale, scale) + 0.01;
      j["lognormal"] = {{"median", median}, {"p99", median * d.real(1.5, 20)}};
      break;
    }
    case 6:
      j["lognormal"] = {{"mu", std::round(std::log(scale + 1) * 1000) / 1000},
                        {"sigma", d.real(0.1, 1.2)}};
      break;
    case 7:
      j["lognormal"] = {{"mean", d.real(0.2 * scale, scale) + 0.01},
                        {"stddev", d.real(0.1 * scale, 2 * scale) + 0.01}};
      break;
    case 8:
      j[d.chance(0.5) ? "gamma" : "weibull"] = {{"shape", d.real(0.3, 4) + 0.01},
                                                {"scale", d.real(0.1 * scale, scale) + 0.01}};
      break;
    case 9:
      // alpha > 1: a finite mean, and no draw beyond simulated time.
      j["pareto"] = {{"scale", d.real(0.1 * scale, scale) + 0.01}, {"alpha", d.real(1.2, 4)}};
      break;
    case 10: {
      const double lo = d.real(0.1 * scale, scale) + 0.01;
      j["bounded_pareto"] = {{"min", lo}, {"max", lo * d.real(2, 50)}, {"alpha", d.real(0.5, 3)}};
      break;
    }
    case 11: {
      Json samples = Json::array();
      for (int i = d.integer(1, 5); i > 0; --i) samples.push_back(d.real(0, 2 * scale));
      if (d.chance(0.5)) {
        j["empirical"] = {{"samples", samples}};
      } else {
        const double x0 = d.real(0, scale);
        j["empirical_cdf"] = {
            {"points", {{x0, 0.0}, {x0 + d.real(0.01, scale) + 0.01, 0.5}, {x0 + 2 * scale, 1.0}}}};
      }
      break;
    }
    default:
      j["mixture"] = {
          {{"weight", d.real(0.1, 1)}, {"of", positive_distribution(d, scale)}},
          {{"weight", d.real(0.01, 0.3)}, {"of", positive_distribution(d, 10 * scale)}}};
      break;
  }
  if (d.chance(0.1)) j["shift"] = d.real(0, scale);
  if (d.chance(0.1) && !j.contains("truncate")) j["truncate"] = {0, 5 * scale + 1};
  return j;
}

// A difficulty distribution with mass in [0, 1].
Json difficulty(Draw& d) {
  switch (d.integer(0, 3)) {
    case 0:
      return d.real(0, 1);
    case 1: {
      const double lo = d.real(0, 0.8);
      return {{"uniform", {{"min", lo}, {"max", lo + 0.01 + d.real(0, 0.99 - lo)}}}};
    }
    case 2:
      return {{"normal", {{"mean", d.real(0.2, 0.8)}, {"stddev", d.real(0.05, 0.3)}}}};
    default:
      return {{"empirical", {{"samples", {d.real(0, 1), d.real(0, 1), d.real(0, 1)}}}}};
  }
}

// --- The scenario --------------------------------------------------------------------

const std::vector<std::string> kLabels = {"tool_call", "final", "plan", "escalate"};
const std::vector<std::string> kErrorKinds = {"transient",        "rate_limited", "permanent",
                                              "context_overflow", "overloaded",   "unavailable"};

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : d_(seed), x_(seed, "step_functions"), seed_(seed) {}

  Json scenario() {
    Json doc;
    doc["version"] = 1;
    doc["name"] = fmt::format("random_{}", seed_);
    doc["run"] = run();
    doc["agents"] = agents();
    doc["workload"] = workload();
    doc["workflow"] = workflow();
    if (d_.chance(0.45)) doc["resilience"] = resilience();
    return doc;
  }

 private:
  Json run() {
    Json r;
    r["seed"] = d_.integer(1, 1'000'000);
    r["requests"] = d_.integer(5, 60);
    if (d_.chance(0.2)) r["warmup_s"] = d_.real(0, 5);
    if (d_.chance(0.35)) r["drain_s"] = d_.real(0.5, 60);
    if (d_.chance(0.3)) r["quality_threshold"] = d_.real(0, 1);
    return r;
  }

  Json agents() {
    Json out = Json::array();
    const int n = d_.integer(1, 5);
    for (int i = 0; i < n; ++i) {
      const std::string name = fmt::format("agent{}", i);
      agent_names_.push_back(name);
      out.push_back(agent(name));
    }
    return out;
  }

  Json agent(const std::string& name) {
    Json a;
    a["name"] = name;
    a["role"] = d_.pick(std::vector<std::string>{"generator", "retrieval", "critic", "tool"});
    if (d_.chance(0.4)) a["context_window_tokens"] = d_.integer(300, 3000);
    a["servers"] = d_.chance(0.3) ? d_.integer(1, 3) : d_.integer(4, 64);
    if (d_.chance(0.15)) a["queue_capacity"] = d_.integer(0, 5);
    if (d_.chance(0.1)) a["bulkhead_per_caller"] = d_.integer(1, 4);
    Json lat;
    lat["base_ms"] = positive_distribution(d_, d_.pick(std::vector<double>{5, 50, 300}));
    if (d_.chance(0.3)) lat["time_to_first_token_ms"] = d_.real(0, 300);
    if (d_.chance(0.3)) lat["output_tokens_per_second"] = d_.real(20, 200);
    if (d_.chance(0.2)) lat["prefill_ms_per_input_token"] = d_.real(0, 0.2);
    if (d_.chance(0.15)) {
      lat["slowdown_alpha"] = d_.real(0, 3);
      lat["slowdown_beta"] = d_.real(0.5, 3);
    }
    a["latency"] = lat;
    if (d_.chance(0.6)) {
      Json o = Json::object();
      // Each rate small enough that their sum stays below 1.
      if (d_.chance(0.7)) o["transient_error"] = d_.real(0, 0.4);
      if (d_.chance(0.3)) o["permanent_error"] = d_.real(0, 0.1);
      if (d_.chance(0.2)) o["rate_limited"] = d_.real(0, 0.1);
      if (d_.chance(0.25)) o["hang"] = d_.real(0, 0.1);
      if (d_.chance(0.4)) o["silent_failure"] = d_.real(0, 0.2);
      if (d_.chance(0.3)) o["error_latency_fraction"] = d_.real(0, 1);
      if (d_.chance(0.2)) o["retry_after_ms"] = d_.real(0, 3000);
      a["outcomes"] = o;
    }
    if (d_.chance(0.5)) {
      a["quality"] = {{"base", d_.real(0.3, 1)},
                      {"difficulty_weight", d_.real(0, 1)},
                      {"input_weight", d_.real(0, 2)},
                      {"context_weight", d_.real(0, 2)},
                      {"noise_sd", d_.real(0, 0.3)},
                      {"silent_quality_max", d_.real(0, 0.5)},
                      {"confidence_noise_sd", d_.real(0, 0.3)}};
    }
    if (d_.chance(0.8)) {
      a["tokens"] = {{"output_tokens", positive_distribution(d_, 200)},
                     {"usd_per_1k_input_tokens", d_.real(0, 0.01)},
                     {"usd_per_1k_output_tokens", d_.real(0, 0.03)}};
    }
    if (d_.chance(0.12)) {
      Json limits = Json::object();
      if (d_.chance(0.6)) limits["requests_per_minute"] = d_.integer(1, 600);
      if (d_.chance(0.6)) limits["tokens_per_minute"] = d_.integer(1000, 1'000'000);
      a["limits"] = limits;
    }
    if (d_.chance(0.15)) {
      Json faults = Json::array();
      for (int i = d_.integer(1, 2); i > 0; --i) {
        const double start = d_.real(0, 10);
        Json f = {
            {"kind", d_.pick(std::vector<std::string>{"outage_fail", "outage_hang", "degraded"})},
            {"start_s", start},
            {"end_s", start + d_.real(0.1, 10)}};
        if (f["kind"] == "degraded") {
          f["latency_factor"] = d_.real(0.5, 5);
          f["extra_error_rate"] = d_.real(0, 0.5);
        }
        faults.push_back(f);
      }
      a["faults"] = faults;
    }
    if (d_.chance(0.2)) {
      a["judge"] = {{"accuracy", d_.real(0.5, 1)}, {"pass_threshold", d_.real(0.3, 0.9)}};
    }
    if (d_.chance(0.35)) {
      Json labels = Json::array();
      for (const std::string& label : d_.some(kLabels, d_.integer(1, 3))) {
        labels.push_back({{"name", label}, {"weight", d_.real(0, 3)}});
        labels_.push_back(label);
      }
      labels.back()["weight"] = labels.back()["weight"].get<double>() + 0.1;  // a positive total
      a["labels"] = labels;
    }
    return a;
  }

  Json workload() {
    Json w;
    switch (d_.integer(0, 5)) {
      case 0:
        w["arrivals"] = {{"poisson", {{"rate_per_s", d_.real(0.5, 50)}}}};
        break;
      case 1:
        w["arrivals"] = {{"deterministic", {{"interval_ms", d_.real(5, 1000)}}}};
        break;
      case 2:
        w["arrivals"] = {{"on_off",
                          {{"on_rate_per_s", d_.real(1, 50)},
                           {"off_rate_per_s", d_.real(0, 2)},
                           {"mean_on_s", d_.real(0.5, 10)},
                           {"mean_off_s", d_.real(0.5, 10)}}}};
        break;
      case 3:
        w["arrivals"] = {{"piecewise_linear",
                          {{"points",
                            {{0, d_.real(0, 20)},
                             {d_.real(1, 10), d_.real(0.5, 40)},
                             {d_.real(11, 30), d_.real(0.5, 20)}}}}}};
        break;
      case 4:
        w["arrivals"] = {{"diurnal",
                          {{"mean_rate_per_s", d_.real(1, 30)},
                           {"amplitude", d_.real(0, 1)},
                           {"period_s", d_.real(5, 100)},
                           {"phase_radians", d_.real(0, 6.28)}}}};
        break;
      default:
        w["arrivals"] = {
            {"closed_loop",
             {{"users", d_.integer(1, 8)}, {"think_time_ms", positive_distribution(d_, 200)}}}};
        break;
    }
    Json classes = Json::array();
    const int n = d_.integer(1, 3);
    for (int i = 0; i < n; ++i) {
      Json c;
      c["name"] = fmt::format("class{}", i);
      class_names_.push_back(c["name"].get<std::string>());
      c["weight"] = d_.real(0.1, 3);
      if (d_.chance(0.7)) c["difficulty"] = difficulty(d_);
      c["input_tokens"] = positive_distribution(d_, d_.pick(std::vector<double>{30, 200, 800}));
      if (d_.chance(0.25)) c["deadline_ms"] = d_.real(100, 20000);
      classes.push_back(c);
    }
    w["classes"] = classes;
    return w;
  }

  Json resilience() {
    Json r = Json::object();
    if (d_.chance(0.5)) {
      switch (d_.integer(0, 2)) {
        case 0:
          r["retry_budget"] = {{"kind", "unlimited"}};
          break;
        case 1:
          // Small buckets and slow refills, so that budgets do deny.
          r["retry_budget"] = {{"kind", "token_bucket"},
                               {"max_tokens", d_.real(1, 6)},
                               {"token_ratio", d_.real(0.01, 0.5)}};
          break;
        default:
          r["retry_budget"] = {{"kind", "concurrency"},
                               {"budget_percent", d_.real(0, 20)},
                               {"min_retry_concurrency", d_.integer(0, 2)}};
          break;
      }
    }
    if (d_.chance(0.5)) {
      Json b = Json::object();
      if (d_.chance(0.5)) b["preset"] = d_.pick(std::vector<std::string>{"resilience4j", "polly"});
      if (d_.chance(0.7)) {
        // Small windows, so that breakers do open in short runs.
        b["window"] = d_.pick(std::vector<std::string>{"count", "time"});
        b["window_size"] = d_.integer(2, 30);
        b["minimum_calls"] = d_.integer(1, 20);
        b["failure_rate_percent"] = d_.real(5, 90);
        b["slow_call_rate_percent"] = d_.real(10, 100);
        b["slow_call_ms"] = d_.real(10, 3000);
        b["open_ms"] = d_.real(10, 5000);
        b["half_open_calls"] = d_.integer(1, 5);
      }
      r["circuit_breaker"] = b;
    }
    if (d_.chance(0.3)) r["max_concurrency_per_agent"] = d_.integer(1, 10);
    return r;
  }

  // --- The workflow ------------------------------------------------------------------

  // A chain of stages: the main path, or one branch of a fan-out. Stage i's
  // entry node is named `prefix + i`; after the last comes `after`.
  struct Region {
    std::string prefix;
    int stages = 1;
    std::string after;
    bool branch = false;
    std::string entry(int i) const { return i < stages ? fmt::format("{}{}", prefix, i) : after; }
  };

  Json workflow() {
    Json w;
    const Region main{"s", d_.integer(1, 5), "done", false};
    w["entry"] = main.entry(0);
    if (d_.chance(0.4)) w["system_prompt_tokens"] = d_.integer(0, 500);
    region(main);
    nodes_.push_back({{"name", "done"},
                      {"type", "terminal"},
                      {"success", true},
                      {"outcome", d_.pick(std::vector<std::string>{"answered", "done"})}});
    // Only when some edge leads there (an unreachable node is an error).
    if (refers_to_failed()) {
      nodes_.push_back({{"name", "failed"}, {"type", "terminal"}, {"success", false}});
    }
    w["nodes"] = nodes_;
    return w;
  }

  void region(const Region& r) {
    int fan_outs = 0;
    for (int i = 0; i < r.stages; ++i) {
      const int kind = d_.integer(0, r.branch ? 5 : 7);
      if (kind <= 2) {
        nodes_.push_back(call(r.entry(i), r.entry(i + 1), forward(r, i)));
      } else if (kind == 3) {
        nodes_.push_back(gate(r.entry(i), r, i));
      } else if (kind <= 5 || fan_outs >= 2) {
        loop(r, i);
      } else {
        ++fan_outs;
        fan_out(r, i);
      }
    }
  }

  // Where a stage may jump forward: later stages, the end of its region, the
  // terminals.
  std::vector<std::string> forward(const Region& r, int i) {
    std::vector<std::string> out;
    for (int j = i + 1; j <= r.stages; ++j) out.push_back(r.entry(j));
    out.push_back("done");
    out.push_back("failed");
    return out;
  }

  std::string target(const std::vector<std::string>& from) { return d_.pick(from); }

  bool refers_to_failed() const {
    for (const Json& n : nodes_) {
      for (const char* edge : {"next", "on_failure", "on_exhausted", "otherwise"}) {
        if (n.contains(edge) && n[edge] == "failed") return true;
      }
      if (!n.contains("rules")) continue;
      for (const Json& rule : n["rules"]) {
        if (rule["then"] == "failed") return true;
      }
    }
    return false;
  }

  // Whether a gate may jump back to `node_name`: not when the node, once
  // exhausted, would send the request forward into the loop again (an
  // endless loop Workflow::validate rejects), i.e. when its on_exhausted
  // stays inside the region.
  bool may_loop_back_to(const Region& r, const std::string& node_name) {
    back_target_ = node_name;
    for (const Json& n : nodes_) {
      if (n["name"] != node_name || !n.contains("on_exhausted")) continue;
      const std::string out = n["on_exhausted"].get<std::string>();
      return out == "done" || out == "failed" || out == r.after;
    }
    return true;
  }

  void bound(const std::string& node_name) {
    for (Json& n : nodes_) {
      if (n["name"] == node_name && !n.contains("max_visits")) n["max_visits"] = d_.integer(1, 3);
    }
  }

  std::vector<std::string> some_agents(int at_most) {
    return d_.some(agent_names_, static_cast<std::size_t>(d_.integer(1, at_most)));
  }

  Json call(const std::string& name, const std::string& next,
            const std::vector<std::string>& forward_targets) {
    Json c;
    c["name"] = name;
    c["type"] = "call";
    const std::vector<std::string> agents = some_agents(3);
    c["agents"] = agents;
    if (d_.chance(0.5)) {
      const std::string policy = d_.pick(
          std::vector<std::string>{"static", "round_robin", "weighted_random", "least_loaded",
                                   "latency_ewma", "p2c", "cost_aware", "linucb", "cascade"});
      Json routing = {{"policy", policy}};
      if (policy == "weighted_random") {
        Json weights = Json::array();
        for (std::size_t i = 0; i < agents.size(); ++i) weights.push_back(d_.real(0, 3));
        routing["weights"] = weights;
      }
      if (policy == "cost_aware") routing["min_confidence"] = d_.real(0, 1);
      if (policy == "linucb") {
        routing["exploration"] = d_.real(0, 2);
        routing["cost_weight"] = d_.real(0, 20);
      }
      if (policy == "cascade") {
        routing["tiers"] = some_agents(3);
        routing["accept_confidence"] = d_.real(0.3, 0.95);
        if (d_.chance(0.3)) c.erase("agents");  // a cascade needs only its tiers
      }
      c["routing"] = routing;
    }
    if (d_.chance(0.35)) c["timeout_ms"] = d_.real(10, 3000);
    if (d_.chance(0.5)) c["retry"] = retry();
    if (d_.chance(0.25)) {
      Json h = {{"max_extra_attempts", d_.integer(1, 3)}, {"delay_ms", d_.real(1, 800)}};
      if (d_.chance(0.4)) h["agents"] = some_agents(2);
      c["hedge"] = h;
    }
    if (d_.chance(0.2)) {
      c["validator"] = {{"bad_below", d_.real(0, 0.8)},
                        {"true_positive_rate", d_.real(0, 1)},
                        {"false_positive_rate", d_.real(0, 0.3)}};
    }
    if (d_.chance(0.2)) c["fallback"] = some_agents(2);
    if (d_.chance(0.15)) {
      Json t = {{"budget_ms", d_.real(5, 2000)}};
      if (d_.chance(0.5)) {
        t["action"] = "redirect";
        t["agent"] = d_.pick(agent_names_);
      } else {
        t["action"] = "decompose";
        t["agent"] = d_.pick(agent_names_);
        t["parts"] = d_.integer(2, 5);
      }
      c["time_budget"] = t;
    }
    if (d_.chance(0.5)) {
      Json x;
      x["fit"] = d_.pick(
          std::vector<std::string>{"truncate_oldest", "drop_least_relevant", "summarize", "fail"});
      if (x["fit"] == "summarize" || d_.chance(0.1)) x["summarizer"] = d_.pick(agent_names_);
      if (d_.chance(0.3)) x["summary_ratio"] = d_.real(0.01, 1);
      if (d_.chance(0.3)) x["summary_fidelity"] = d_.real(0, 1);
      if (d_.chance(0.2)) x["include_context"] = false;
      if (d_.chance(0.3)) {
        x["output_segment"] =
            d_.pick(std::vector<std::string>{"memory", "document", "intermediate", "tool_result"});
      }
      if (d_.chance(0.3)) x["output_relevance"] = d_.real(0, 2);
      if (d_.chance(0.15)) x["output_to_context"] = false;
      c["context"] = x;
    }
    if (d_.chance(0.4)) {
      const std::vector<std::string> channels = {"evidence", "answer", "none"};
      c["quality"] = {{"input", d_.pick(channels)},
                      {"output", d_.pick(channels)},
                      {"judges_answer", d_.chance(0.3)}};
    }
    c["next"] = next;
    if (d_.chance(0.4)) c["on_failure"] = target(forward_targets);
    return c;
  }

  Json retry() {
    Json r = {{"max_attempts", d_.integer(1, 4)}};
    if (d_.chance(0.3)) r["retry_on"] = d_.some(kErrorKinds, d_.integer(0, 4));
    if (d_.chance(0.2)) r["retry_on_timeout"] = d_.chance(0.5);
    if (d_.chance(0.2)) r["retry_on_invalid"] = d_.chance(0.5);
    if (d_.chance(0.7)) {
      Json b = Json::object();
      if (d_.chance(0.5)) {
        b["preset"] = d_.pick(std::vector<std::string>{"custom", "temporal", "step_functions",
                                                       "langgraph", "grpc", "envoy", "polly"});
      }
      if (d_.chance(0.5)) {
        b["shape"] =
            d_.pick(std::vector<std::string>{"constant", "linear", "exponential", "envoy"});
        b["jitter"] =
            d_.pick(std::vector<std::string>{"none", "full", "equal", "decorrelated", "additive"});
        b["base_ms"] = d_.real(0, 300);
        b["cap_ms"] = d_.real(0, 5000);
        b["multiplier"] = d_.real(1, 4);
        b["jitter_max_ms"] = d_.real(0, 500);
      }
      r["backoff"] = b;
    }
    if (x_.chance(0.25)) {
      // Instead: ordered rules, each with its own count and backoff (Step
      // Functions' retriers).
      Json rules = Json::array();
      for (int n = x_.integer(1, 3); n > 0; --n) {
        Json rule = {{"retry_on", x_.some(kErrorKinds, x_.integer(0, 3))},
                     {"retry_on_timeout", x_.chance(0.5)},
                     {"retry_on_invalid", x_.chance(0.3)},
                     {"max_retries", x_.integer(0, 3)}};
        if (x_.chance(0.5)) {
          rule["backoff"] = {
              {"shape", x_.pick(std::vector<std::string>{"constant", "exponential"})},
              {"jitter", x_.pick(std::vector<std::string>{"none", "full", "decorrelated"})},
              {"base_ms", x_.real(0, 300)}};
        }
        rules.push_back(rule);
      }
      return {{"rules", rules}, {"honour_retry_after", x_.chance(0.5)}};
    }
    return r;
  }

  Json condition(const std::string& self) {
    switch (d_.integer(0, 11)) {
      case 0:
        return {{"always", true}};
      case 1:
        if (labels_.empty()) return {{"last_failed", true}};
        return {{"label_is", d_.pick(labels_)}};
      case 2:
        return {{"confidence_below", d_.real(0, 1)}};
      case 3:
        return {{"confidence_at_least", d_.real(0, 1)}};
      case 4:
        return {{"verdict_pass", true}};
      case 5:
        return {{"verdict_fail", true}};
      case 6:
        return {{"last_failed", true}};
      case 7:
        return {{"error_is", d_.pick(kErrorKinds)}};
      case 8:
        return {{"class_is", d_.pick(class_names_)}};
      case 9:
        return {{"cost_above_usd", d_.real(0, 0.02)}};
      case 10:
        return {{"time_left_below_ms", d_.real(0, 10000)}};
      default: {
        std::vector<std::string> names = {self};
        for (const Json& n : nodes_) names.push_back(n["name"].get<std::string>());
        return {{"visits_at_least", {{"node", d_.pick(names)}, {"count", d_.integer(1, 3)}}}};
      }
    }
  }

  // A gate: rules jump forward, or back to an earlier stage of its region
  // (which then gets a visit bound, so that the loop is bounded).
  Json gate(const std::string& name, const Region& r, int i) {
    Json g = {{"name", name}, {"type", "gate"}};
    Json rules = Json::array();
    for (int k = d_.integer(0, 3); k > 0; --k) {
      std::string then;
      if (i > 0 && d_.chance(0.25) && may_loop_back_to(r, r.entry(d_.integer(0, i - 1)))) {
        then = back_target_;
        bound(then);
      } else {
        then = target(forward(r, i));
      }
      rules.push_back({{"if", condition(name)}, {"then", then}});
    }
    if (!rules.empty() || d_.chance(0.5)) g["rules"] = rules;
    g["otherwise"] = r.entry(i + 1);
    return g;
  }

  // A bounded loop: a call and a gate that sends it back, or a call that
  // retries itself through its failure edge.
  void loop(const Region& r, int i) {
    const std::string name = r.entry(i);
    const std::string next = r.entry(i + 1);
    Json c = call(name, next, forward(r, i));
    c["max_visits"] = d_.integer(1, 4);
    if (d_.chance(0.4)) c["on_exhausted"] = target(forward(r, i));
    if (d_.chance(0.4)) {
      c["on_exhausted_outcome"] = d_.pick(std::vector<std::string>{"best_so_far", "fail"});
    }
    if (d_.chance(0.5)) {
      c["on_failure"] = name;
      nodes_.push_back(c);
      return;
    }
    const std::string check = name + "_check";
    c["next"] = check;
    nodes_.push_back(c);
    nodes_.push_back({{"name", check},
                      {"type", "gate"},
                      {"rules", {{{"if", condition(check)}, {"then", name}}}},
                      {"otherwise", next}});
  }

  void fan_out(const Region& r, int i) {
    const std::string name = r.entry(i);
    const std::string join = name + "_join";
    Json f = {{"name", name}, {"type", "fan_out"}, {"join", join}};
    const int shape = d_.integer(0, 2);  // static, map, both
    std::vector<Region> branches;
    if (shape != 1) {
      Json entries = Json::array();
      for (int b = d_.integer(1, 4); b > 0; --b) {
        branches.push_back(
            {fmt::format("{}_b{}_", name, branches.size()), d_.integer(1, 2), join, true});
        entries.push_back(branches.back().entry(0));
      }
      f["branches"] = entries;
    }
    if (shape != 0) {
      branches.push_back({name + "_map_", d_.integer(1, 2), join, true});
      Json m = {{"entry", branches.back().entry(0)}};
      if (!labels_.empty() && d_.chance(0.4)) {
        m["count_from_label"] = true;
      } else {
        m["count"] = d_.integer(1, 6);
      }
      f["map"] = m;
    }
    const std::size_t fan_at = nodes_.size();
    nodes_.push_back(f);
    for (const Region& b : branches) region(b);
    Json j = {{"name", join},
              {"type", "join"},
              {"policy", d_.pick(std::vector<std::string>{"all", "first_success", "first_k",
                                                          "quorum", "deadline"})},
              {"merge", d_.pick(std::vector<std::string>{"max", "mean", "union"})},
              {"next", r.entry(i + 1)}};
    if (j["policy"] == "first_k") j["k"] = d_.integer(1, 5);
    if (j["policy"] == "deadline") j["deadline_ms"] = d_.real(10, 5000);
    if (d_.chance(0.4)) j["on_failure"] = target(forward(r, i));
    // Tolerances (read by `all` joins) and a concurrency limit on the fan-out.
    if (x_.chance(0.3)) j["tolerated_failures"] = x_.integer(0, 2);
    if (x_.chance(0.2)) j["tolerated_failure_percent"] = x_.real(0, 60);
    if (x_.chance(0.35)) nodes_[fan_at]["max_concurrency"] = x_.integer(1, 3);
    nodes_.push_back(j);
  }

  Draw d_;
  // Draws for features added later (retry rules, join tolerances, fan-out
  // concurrency), so that they leave the earlier draws of a seed as they were.
  Draw x_;
  std::uint64_t seed_;
  std::vector<std::string> agent_names_;
  std::vector<std::string> labels_;
  std::vector<std::string> class_names_;
  std::vector<Json> nodes_;
  std::string back_target_;  // may_loop_back_to's node
};

}  // namespace

nlohmann::ordered_json random_scenario(std::uint64_t seed) { return Generator(seed).scenario(); }

}  // namespace orchsim::validation
