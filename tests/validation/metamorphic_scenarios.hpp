// Hand-written scenarios for the metamorphic tests, each exercising what
// its relations are about, and small enough to run in milliseconds.
#pragma once

#include "tests/validation/scenario_run.hpp"

namespace orchsim::validation::bases {

// retrieve -> generate (retried, validated, fallback) -> critic -> gate:
// a failed verdict loops back to generate (the gate is bounded: at most
// three verdicts). Lognormal
// latencies and token counts, transient errors, silent failures, a judge,
// two classes, Poisson arrivals; servers to spare.
inline Json pipeline() {
  return Json::parse(R"({
    "version": 1, "name": "pipeline",
    "run": { "seed": 11, "requests": 300 },
    "agents": [
      { "name": "retriever", "servers": 64,
        "latency": { "base_ms": { "lognormal": { "median": 40, "p99": 300 } } },
        "outcomes": { "transient_error": 0.05 },
        "tokens": { "output_tokens": { "lognormal": { "median": 600, "p99": 3000 } },
                    "usd_per_1k_input_tokens": 0.0001 } },
      { "name": "generator", "servers": 64, "context_window_tokens": 4000,
        "latency": { "base_ms": { "lognormal": { "median": 300, "p99": 2500 } },
                     "output_tokens_per_second": 90 },
        "outcomes": { "transient_error": 0.1, "silent_failure": 0.05 },
        "tokens": { "output_tokens": { "lognormal": { "median": 150, "p99": 600 } },
                    "usd_per_1k_input_tokens": 0.003, "usd_per_1k_output_tokens": 0.015 } },
      { "name": "backup", "servers": 64,
        "latency": { "base_ms": { "gamma": { "shape": 2, "scale": 100 } } },
        "quality": { "base": 0.8 },
        "tokens": { "output_tokens": 120, "usd_per_1k_output_tokens": 0.002 } },
      { "name": "critic", "servers": 64,
        "latency": { "base_ms": { "uniform": { "min": 50, "max": 400 } } },
        "judge": { "accuracy": 0.85, "pass_threshold": 0.7 },
        "tokens": { "output_tokens": 40, "usd_per_1k_input_tokens": 0.001 } }
    ],
    "workload": {
      "arrivals": { "poisson": { "rate_per_s": 15 } },
      "classes": [
        { "name": "easy", "weight": 2, "difficulty": { "uniform": { "min": 0, "max": 0.5 } },
          "input_tokens": { "lognormal": { "median": 200, "p99": 1500 } } },
        { "name": "hard", "weight": 1, "difficulty": { "uniform": { "min": 0.4, "max": 1 } },
          "input_tokens": { "lognormal": { "median": 800, "p99": 4000 } } } ]
    },
    "workflow": { "entry": "retrieve", "system_prompt_tokens": 300, "nodes": [
      { "name": "retrieve", "type": "call", "agents": ["retriever"],
        "retry": { "max_attempts": 2, "backoff": { "preset": "envoy" } },
        "context": { "output_segment": "document", "output_relevance": 0.7 },
        "quality": { "input": "none", "output": "evidence" }, "next": "generate" },
      { "name": "generate", "type": "call", "agents": ["generator", "backup"],
        "retry": { "max_attempts": 3, "backoff": { "preset": "langgraph" } },
        "validator": { "bad_below": 0.3, "true_positive_rate": 0.8, "false_positive_rate": 0.02 },
        "fallback": ["backup"],
        "context": { "fit": "drop_least_relevant", "output_relevance": 0.4 }, "next": "critic" },
      { "name": "critic", "type": "call", "agents": ["critic"],
        "quality": { "input": "answer", "output": "none", "judges_answer": true },
        "next": "verdict", "on_failure": "done" },
      { "name": "verdict", "type": "gate", "max_visits": 3,
        "rules": [ { "if": { "verdict_fail": true }, "then": "generate" } ],
        "otherwise": "done" },
      { "name": "done", "type": "terminal", "success": true, "outcome": "answered" } ] }
  })");
}

// plan -> fan-out: static branches web, docs (retried) and a map of three
// copies of `part`, joined by `policy`; then answer. The branches fail now
// and then (transient errors without retries on `web`).
inline Json fan_out(const std::string& policy, int k = 1) {
  Json doc = Json::parse(R"({
    "version": 1, "name": "fan_out",
    "run": { "seed": 5, "requests": 300 },
    "agents": [
      { "name": "planner", "servers": 64, "latency": { "base_ms": 20 },
        "labels": [ { "name": "one", "weight": 1 }, { "name": "two", "weight": 1 } ],
        "tokens": { "output_tokens": 50, "usd_per_1k_output_tokens": 0.01 } },
      { "name": "search", "servers": 128,
        "latency": { "base_ms": { "lognormal": { "median": 80, "p99": 900 } } },
        "outcomes": { "transient_error": 0.15 },
        "tokens": { "output_tokens": { "exponential": { "mean": 300 } },
                    "usd_per_1k_input_tokens": 0.0005 } },
      { "name": "writer", "servers": 64,
        "latency": { "base_ms": { "lognormal": { "median": 200, "p99": 1200 } } },
        "tokens": { "output_tokens": 200, "usd_per_1k_output_tokens": 0.01 } }
    ],
    "workload": { "arrivals": { "poisson": { "rate_per_s": 10 } },
                  "classes": [ { "name": "q", "input_tokens": 300 } ] },
    "workflow": { "entry": "plan", "nodes": [
      { "name": "plan", "type": "call", "agents": ["planner"], "next": "fan" },
      { "name": "fan", "type": "fan_out", "branches": ["web", "docs"],
        "map": { "entry": "part", "count": 3 }, "join": "merge" },
      { "name": "web", "type": "call", "agents": ["search"], "next": "merge",
        "quality": { "input": "none", "output": "evidence" } },
      { "name": "docs", "type": "call", "agents": ["search"], "next": "merge",
        "retry": { "max_attempts": 2 }, "quality": { "input": "none", "output": "evidence" } },
      { "name": "part", "type": "call", "agents": ["search"], "next": "merge",
        "quality": { "input": "none", "output": "evidence" } },
      { "name": "merge", "type": "join", "policy": "all", "merge": "mean",
        "next": "answer", "on_failure": "answer" },
      { "name": "answer", "type": "call", "agents": ["writer"], "next": "done" },
      { "name": "done", "type": "terminal", "success": true } ] }
  })");
  Json& merge = doc["workflow"]["nodes"][5];
  merge["policy"] = policy;
  if (policy == "first_k") merge["k"] = k;
  if (policy == "deadline") merge["deadline_ms"] = 60000;
  return doc;
}

// One call node on one agent with `servers` servers: a G/G/c FCFS queue
// (lognormal service, Poisson arrivals, no load slowdown, no failures).
inline Json single_station(int servers) {
  Json doc = Json::parse(R"({
    "version": 1, "name": "station",
    "run": { "seed": 3, "requests": 2000 },
    "agents": [ { "name": "server", "servers": 1,
                  "latency": { "base_ms": { "lognormal": { "median": 80, "p99": 600 } } } } ],
    "workload": { "arrivals": { "poisson": { "rate_per_s": 7 } },
                  "classes": [ { "name": "q", "input_tokens": 100 } ] },
    "workflow": { "entry": "serve", "nodes": [
      { "name": "serve", "type": "call", "agents": ["server"], "next": "done" },
      { "name": "done", "type": "terminal", "success": true } ] }
  })");
  doc["agents"][0]["servers"] = servers;
  return doc;
}

}  // namespace orchsim::validation::bases
