// Reads the scenario format (docs/scenario-format.md) into a Scenario.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "scenarios/distribution_json.hpp"
#include "scenarios/json_reader.hpp"
#include "scenarios/replay_trace.hpp"
#include "scenarios/routing_section.hpp"
#include "scenarios/scenario.hpp"

#ifndef ORCHSIM_LIBRARY_DIR
#define ORCHSIM_LIBRARY_DIR "scenarios/library"
#endif

namespace orchsim::scenarios {

using mock_agents::ErrorKind;
using mock_agents::FaultWindow;
using mock_agents::MockAgentConfig;
namespace orch = orchestration;

std::int32_t Scenario::agent_index(const std::string& agent_name) const {
  for (std::size_t i = 0; i < agents.size(); ++i) {
    if (agents[i].name == agent_name) return static_cast<std::int32_t>(i);
  }
  return -1;
}

std::string library_dir() {
  if (const char* env = std::getenv("ORCHSIM_LIBRARY_DIR"); env && *env) return env;
#ifdef ORCHSIM_INSTALLED_LIBRARY_DIR
  // An installed build outlives its source tree: fall back to the installed copy.
  std::error_code ec;
  if (!std::filesystem::is_directory(ORCHSIM_LIBRARY_DIR, ec)) return ORCHSIM_INSTALLED_LIBRARY_DIR;
#endif
  return ORCHSIM_LIBRARY_DIR;
}

std::vector<std::string> library_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(library_dir(), ec)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

sim::Duration ms(double v) { return sim::Duration::from_milliseconds(v); }
sim::Duration seconds(double v) { return sim::Duration::from_seconds(v); }

const std::vector<std::string>& error_kind_names() {
  static const std::vector<std::string> k = {"transient",        "rate_limited", "permanent",
                                             "context_overflow", "overloaded",   "unavailable"};
  return k;
}
ErrorKind error_kind(const std::string& s) {
  if (s == "transient") return ErrorKind::kTransient;
  if (s == "rate_limited") return ErrorKind::kRateLimited;
  if (s == "permanent") return ErrorKind::kPermanent;
  if (s == "context_overflow") return ErrorKind::kContextOverflow;
  if (s == "overloaded") return ErrorKind::kOverloaded;
  return ErrorKind::kUnavailable;
}

// Reads the scenario document section by section, collecting problems.
class Loader {
 public:
  Loader(const Json& doc, Diagnostics& d) : doc_(doc), d_(d) {}

  Scenario load() {
    Scenario s;
    ObjectReader top(doc_, "", d_);
    if (!top.valid()) return s;
    const std::int64_t version = top.integer("version", std::nullopt);
    if (top.has("version") && doc_["version"].is_number_integer() &&
        version != kScenarioFormatVersion) {
      d_.error("/version",
               fmt::format("found {}, expected {} (this orchsim reads format version {})", version,
                           kScenarioFormatVersion, kScenarioFormatVersion));
    }
    top.string("$schema", "");  // for editors (scenarios/schema/scenario.schema.json); not used
    s.name = top.string("name", std::nullopt);
    s.description = top.string("description", "");
    read_run(top, s.run);
    if (const Json* agents = top.child("agents")) {
      read_agents(*agents, "/agents", s);
    } else {
      d_.error("/agents", "missing, expected an array of agents");
    }
    if (const Json* wl = top.child("workload")) {
      read_workload(*wl, "/workload", s);
    } else {
      d_.error("/workload", "missing, expected the workload (arrivals and request classes)");
    }
    if (const Json* wf = top.child("workflow")) {
      read_workflow(*wf, "/workflow", s);
    } else {
      d_.error("/workflow", "missing, expected the workflow graph");
    }
    if (const Json* res = top.child("resilience")) read_resilience(*res, "/resilience", s);
    top.finish();
    s.orchestrator.class_count =
        static_cast<std::uint32_t>(std::max<std::size_t>(1, s.class_names.size()));
    cross_check(s);
    return s;
  }

 private:
  void read_run(ObjectReader& top, RunSettings& run) {
    const Json* j = top.child("run");
    if (!j) return;
    ObjectReader r(*j, "/run", d_);
    run.seed = r.unsigned_integer("seed", 1);
    run.requests = static_cast<std::uint64_t>(r.integer("requests", 0, Range::non_negative()));
    run.duration = seconds(r.number("duration_s", 0.0, Range::non_negative()));
    run.warmup = seconds(r.number("warmup_s", 0.0, Range::non_negative()));
    run.drain = seconds(r.number("drain_s", 600.0, Range::non_negative()));
    run.quality_threshold = r.number("quality_threshold", 0.7, Range::probability());
    r.finish();
  }

  sim::Distribution dist(ObjectReader& r, const std::string& key, std::optional<double> fallback) {
    const Json* j = r.child(key);
    if (!j) {
      if (!fallback) d_.error(r.at(key), "missing, expected a distribution");
      return sim::Distribution::constant(fallback.value_or(0.0));
    }
    return read_distribution(*j, r.at(key), d_);
  }

  // Difficulties are clamped to [0, 1] when drawn; a distribution with no
  // mass there would give every request of the class the same clamped
  // difficulty, which is a mistake (a constant 5 meant as 0.5), not a choice.
  void check_difficulty(const sim::Distribution& d, const std::string& at) {
    const double below = d.cdf(std::nextafter(0.0, -1.0));
    const double up_to_one = d.cdf(1.0);
    if (up_to_one - below > 0.0) return;
    const char* clamped = below == 0.0 ? "1" : up_to_one >= 1.0 ? "0" : "0 or 1";
    d_.error(at, fmt::format("found {}, which never falls in [0, 1]; expected difficulties in "
                             "[0, 1] (draws are clamped, so every request would get {})",
                             d.describe(), clamped));
  }

  void read_agents(const Json& j, const std::string& at, Scenario& s) {
    if (!j.is_array() || j.empty()) {
      d_.error(at, fmt::format("found {}, expected a non-empty array of agents", describe_json(j)));
      return;
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
      const std::string p = pointer_join(at, std::to_string(i));
      ObjectReader r(j[i], p, d_);
      MockAgentConfig c;  // its defaults are the format's defaults for absent keys
      c.name = r.string("name", std::nullopt);
      c.role = r.string("role", "generator");
      c.context_window_tokens = r.integer("context_window_tokens", 128'000, {1, 1e12});
      c.servers = static_cast<std::uint32_t>(r.integer("servers", 1, {1, 1e7}));
      c.queue_capacity = r.integer("queue_capacity", -1, {-1, 1e12});
      c.bulkhead_per_caller =
          static_cast<std::uint32_t>(r.integer("bulkhead_per_caller", 0, {0, 1e7}));
      if (const Json* lat = r.child("latency")) {
        ObjectReader l(*lat, r.at("latency"), d_);
        c.latency.base_ms = dist(l, "base_ms", 0.0);
        c.latency.time_to_first_token_ms = dist(l, "time_to_first_token_ms", 0.0);
        c.latency.output_tokens_per_second = l.number(
            "output_tokens_per_second", c.latency.output_tokens_per_second, Range::non_negative());
        c.latency.inter_token_ms = dist(l, "inter_token_ms", 0.0);
        c.latency.prefill_ms_per_input_token =
            l.number("prefill_ms_per_input_token", c.latency.prefill_ms_per_input_token,
                     Range::non_negative());
        c.latency.slowdown_alpha =
            l.number("slowdown_alpha", c.latency.slowdown_alpha, Range::non_negative());
        c.latency.slowdown_beta =
            l.number("slowdown_beta", c.latency.slowdown_beta, Range::non_negative());
        l.finish();
      } else {
        d_.error(r.at("latency"), "missing, expected the agent's latency model");
      }
      if (const Json* o = r.child("outcomes")) {
        ObjectReader q(*o, r.at("outcomes"), d_);
        c.outcomes.transient_error =
            q.number("transient_error", c.outcomes.transient_error, Range::probability());
        c.outcomes.permanent_error =
            q.number("permanent_error", c.outcomes.permanent_error, Range::probability());
        c.outcomes.rate_limited =
            q.number("rate_limited", c.outcomes.rate_limited, Range::probability());
        c.outcomes.hang = q.number("hang", c.outcomes.hang, Range::probability());
        c.outcomes.silent_failure =
            q.number("silent_failure", c.outcomes.silent_failure, Range::probability());
        c.outcomes.error_latency_fraction = q.number(
            "error_latency_fraction", c.outcomes.error_latency_fraction, Range::probability());
        c.outcomes.spontaneous_retry_after =
            ms(q.number("retry_after_ms", 1000.0, Range::non_negative()));
        q.finish();
      }
      if (const Json* o = r.child("quality")) {
        ObjectReader q(*o, r.at("quality"), d_);
        c.quality.base = q.number("base", c.quality.base, Range::probability());
        c.quality.difficulty_weight =
            q.number("difficulty_weight", c.quality.difficulty_weight, Range::non_negative());
        c.quality.input_weight =
            q.number("input_weight", c.quality.input_weight, Range::non_negative());
        c.quality.context_weight =
            q.number("context_weight", c.quality.context_weight, Range::non_negative());
        c.quality.noise_sd = q.number("noise_sd", c.quality.noise_sd, Range::non_negative());
        c.quality.silent_quality_max =
            q.number("silent_quality_max", c.quality.silent_quality_max, Range::probability());
        c.quality.confidence_noise_sd =
            q.number("confidence_noise_sd", c.quality.confidence_noise_sd, Range::non_negative());
        q.finish();
      }
      if (const Json* o = r.child("tokens")) {
        ObjectReader t(*o, r.at("tokens"), d_);
        c.tokens.output_tokens = dist(t, "output_tokens", 0.0);
        c.tokens.output_tokens_from_request = t.boolean("output_tokens_from_request", false);
        c.tokens.usd_per_1k_input_tokens = t.number(
            "usd_per_1k_input_tokens", c.tokens.usd_per_1k_input_tokens, Range::non_negative());
        c.tokens.usd_per_1k_output_tokens = t.number(
            "usd_per_1k_output_tokens", c.tokens.usd_per_1k_output_tokens, Range::non_negative());
        t.finish();
      }
      if (const Json* o = r.child("limits")) {
        ObjectReader t(*o, r.at("limits"), d_);
        c.limits.requests_per_minute = t.integer("requests_per_minute", 0, {0, 1.5e8});
        c.limits.tokens_per_minute = t.integer("tokens_per_minute", 0, {0, 1.5e8});
        t.finish();
      }
      if (const Json* o = r.child("faults")) read_faults(*o, r.at("faults"), c);
      if (const Json* o = r.child("judge")) {
        ObjectReader t(*o, r.at("judge"), d_);
        c.judge.enabled = true;
        c.judge.accuracy = t.number("accuracy", 0.9, Range::probability());
        c.judge.pass_threshold = t.number("pass_threshold", 0.7, Range::probability());
        t.finish();
      }
      if (const Json* o = r.child("labels")) read_labels(*o, r.at("labels"), c);
      r.finish();
      // The agent's own consistency checks, mapped back to pointers.
      for (const std::string& problem : c.validate()) {
        const auto colon = problem.find(':');
        std::string field = problem.substr(0, colon);
        // The config's names for what the file spells differently.
        if (field == "label_weights") field = "labels";
        if (field == "outcomes.spontaneous_retry_after") field = "outcomes.retry_after_ms";
        const std::string pointer = p + field_pointer(field);
        // Range problems were already reported by the reader; keep the others.
        const std::string message = problem.substr(colon + 2);
        if (!already_reported(pointer)) d_.error(pointer, message);
      }
      s.agents.push_back(std::move(c));
    }
  }

  // "a.b[2].c" -> "/a/b/2/c": a config's field path as a JSON pointer suffix.
  static std::string field_pointer(const std::string& field) {
    std::string out = "/";
    for (char ch : field) {
      if (ch == '.' || ch == '[') {
        out += '/';
      } else if (ch != ']') {
        out += ch;
      }
    }
    std::string cleaned;  // "b[2].c" gave "b/2//c"
    for (char ch : out) {
      if (!(ch == '/' && !cleaned.empty() && cleaned.back() == '/')) cleaned += ch;
    }
    return cleaned;
  }

  // Whether a problem was reported at `pointer` or inside it.
  bool already_reported(const std::string& pointer) const {
    for (const Diagnostic& x : d_.items()) {
      if (x.pointer == pointer || x.pointer.rfind(pointer + "/", 0) == 0) return true;
    }
    return false;
  }

  void read_faults(const Json& j, const std::string& at, MockAgentConfig& c) {
    if (!j.is_array()) {
      d_.error(at, fmt::format("found {}, expected an array of fault windows", describe_json(j)));
      return;
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
      ObjectReader r(j[i], pointer_join(at, std::to_string(i)), d_);
      FaultWindow w;
      const std::string kind =
          r.choice("kind", std::nullopt, {"outage_fail", "outage_hang", "degraded"});
      w.kind = kind == "outage_hang" ? FaultWindow::Kind::kOutageHang
               : kind == "degraded"  ? FaultWindow::Kind::kDegraded
                                     : FaultWindow::Kind::kOutageFail;
      w.start =
          sim::Time::zero() + seconds(r.number("start_s", std::nullopt, Range::non_negative()));
      w.end = sim::Time::zero() + seconds(r.number("end_s", std::nullopt, Range::non_negative()));
      w.latency_factor = r.number("latency_factor", 1.0, Range::positive());
      w.extra_error_rate = r.number("extra_error_rate", 0.0, Range::probability());
      if (r.has("start_s") && r.has("end_s") && !(w.start < w.end)) {
        d_.error(r.at("end_s"), fmt::format("found {} s, expected a time after start_s ({} s)",
                                            w.end.seconds_f(), w.start.seconds_f()));
      }
      r.finish();
      c.faults.push_back(w);
    }
  }

  void read_labels(const Json& j, const std::string& at, MockAgentConfig& c) {
    if (!j.is_array() || j.empty()) {
      d_.error(at, fmt::format("found {}, expected an array of {{\"name\", \"weight\"}}",
                               describe_json(j)));
      return;
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
      ObjectReader r(j[i], pointer_join(at, std::to_string(i)), d_);
      c.labels.push_back(r.string("name", std::nullopt));
      c.label_weights.push_back(r.number("weight", std::nullopt, Range::non_negative()));
      r.finish();
    }
  }

  void read_workload(const Json& j, const std::string& at, Scenario& s) {
    ObjectReader r(j, at, d_);
    if (!r.valid()) return;
    if (const Json* a = r.child("arrivals")) {
      read_arrivals(*a, r.at("arrivals"), s.workload);
    } else {
      d_.error(r.at("arrivals"), "missing, expected an arrival process");
    }
    s.workload.classes.clear();
    if (const Json* c = r.child("classes")) {
      if (!c->is_array() || c->empty()) {
        d_.error(r.at("classes"),
                 fmt::format("found {}, expected a non-empty array of request classes",
                             describe_json(*c)));
      } else {
        for (std::size_t i = 0; i < c->size(); ++i) {
          ObjectReader k((*c)[i], pointer_join(r.at("classes"), std::to_string(i)), d_);
          RequestClass rc;
          rc.name = k.string("name", std::nullopt);
          rc.weight = k.number("weight", 1.0, Range::non_negative());
          rc.difficulty = dist(k, "difficulty", 0.5);
          if (k.has("difficulty")) check_difficulty(rc.difficulty, k.at("difficulty"));
          rc.input_tokens = dist(k, "input_tokens", 500.0);
          rc.deadline = ms(k.number("deadline_ms", 0.0, Range::non_negative()));
          k.finish();
          s.class_names.push_back(rc.name);
          s.workload.classes.push_back(std::move(rc));
        }
      }
    } else {
      s.workload.classes = {RequestClass{}};
      s.class_names = {"default"};
    }
    r.finish();
    if (replay_) {
      auto bound = bind_replay(*replay_, s.class_names);
      if (auto* attributes = std::get_if<ReplayAttributes>(&bound)) {
        s.workload.replay = std::make_shared<const ReplayAttributes>(std::move(*attributes));
      } else {
        d_.error(at + "/arrivals/replay/file", std::get<std::string>(bound));
      }
      replay_.reset();
    }
    // The workload's own checks (what the arrival processes and classes
    // reject at run time), mapped back to pointers, unless already reported.
    if (already_reported(at)) return;
    for (const std::string& problem : s.workload.validate()) {
      const auto colon = problem.find(':');
      std::string field = problem.substr(0, colon);
      std::string message = problem.substr(colon + 2);
      if (field.ends_with(".deadline")) field += "_ms";
      std::string pointer = at + field_pointer(field);
      if (field.rfind("arrivals", 0) == 0) {  // arrivals.users -> arrivals/closed_loop/users
        const auto arrivals = j.find("arrivals");
        if (arrivals != j.end() && arrivals->is_object() && !arrivals->empty()) {
          pointer = pointer_join(at + "/arrivals", arrivals->begin().key());
          if (field.size() > 9) pointer += field_pointer(field.substr(9));
        }
      }
      d_.error(pointer, message);
    }
  }

  void read_arrivals(const Json& j, const std::string& at, WorkloadConfig& w) {
    static const std::vector<std::string> kinds = {"poisson",          "deterministic", "on_off",
                                                   "piecewise_linear", "diurnal",       "replay",
                                                   "closed_loop"};
    ObjectReader r(j, at, d_);
    if (!r.valid()) return;
    std::string kind;
    for (const auto& k : kinds) {
      if (!r.has(k)) continue;
      r.child(k);  // known, even when it is the second one
      if (!kind.empty()) {
        d_.error(at,
                 fmt::format("found both \"{}\" and \"{}\", expected exactly one arrival process",
                             kind, k));
      }
      kind = k;
    }
    if (kind.empty()) {
      std::string near;
      for (auto it = j.begin(); it != j.end(); ++it) near = closest_match(it.key(), kinds);
      d_.error(at,
               "found no arrival process, expected one of: poisson, deterministic, on_off, "
               "piecewise_linear, diurnal, replay, closed_loop",
               near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
      return;
    }
    ObjectReader a(*r.child(kind), r.at(kind), d_);
    if (kind == "poisson") {
      w.arrivals =
          ArrivalSpec{PoissonArrivals{a.number("rate_per_s", std::nullopt, Range::positive())}};
    } else if (kind == "deterministic") {
      w.arrivals = ArrivalSpec{
          DeterministicArrivals{ms(a.number("interval_ms", std::nullopt, Range::positive()))}};
    } else if (kind == "on_off") {
      OnOffArrivals o;
      o.on_rate_per_second = a.number("on_rate_per_s", std::nullopt, Range::positive());
      o.off_rate_per_second = a.number("off_rate_per_s", 0.0, Range::non_negative());
      o.mean_on = seconds(a.number("mean_on_s", std::nullopt, Range::positive()));
      o.mean_off = seconds(a.number("mean_off_s", std::nullopt, Range::positive()));
      w.arrivals = ArrivalSpec{o};
    } else if (kind == "piecewise_linear") {
      PiecewiseLinearArrivals p;
      const Json* pts = a.child("points");
      if (!pts || !pts->is_array() || pts->empty()) {
        d_.error(a.at("points"), "expected a non-empty array of [time_s, rate_per_s] pairs");
      } else {
        for (std::size_t i = 0; i < pts->size(); ++i) {
          const Json& pt = (*pts)[i];
          if (!pt.is_array() || pt.size() != 2 || !pt[0].is_number() || !pt[1].is_number() ||
              pt[1].get<double>() < 0) {
            d_.error(
                pointer_join(a.at("points"), std::to_string(i)),
                fmt::format("found {}, expected [time_s, rate_per_s >= 0]", describe_json(pt)));
            continue;
          }
          p.points.emplace_back(seconds(pt[0].get<double>()), pt[1].get<double>());
        }
      }
      w.arrivals = ArrivalSpec{p};
    } else if (kind == "diurnal") {
      DiurnalArrivals dd;
      dd.mean_rate_per_second = a.number("mean_rate_per_s", std::nullopt, Range::positive());
      dd.amplitude = a.number("amplitude", 0.5, Range::probability());
      dd.period = seconds(a.number("period_s", 86'400.0, Range::positive()));
      dd.phase_radians = a.number("phase_radians", 0.0);
      w.arrivals = ArrivalSpec{dd};
    } else if (kind == "replay") {
      std::string file = a.string("file", std::nullopt);
      const double rate_scale = a.number("rate_scale", 1.0, Range::positive());
      if (!file.empty()) {
        std::filesystem::path path(file);
        if (path.is_relative() && !base_dir_.empty())
          path = std::filesystem::path(base_dir_) / path;
        try {
          ReplayTrace trace = load_replay_trace(path.string(), rate_scale);
          w.arrivals = ArrivalSpec{trace.arrivals};
          // Its classes are bound once the workload's classes are read.
          if (trace.has_attributes()) replay_ = std::move(trace);
        } catch (const std::exception& e) {
          d_.error(a.at("file"), fmt::format("cannot replay: {}", e.what()));
        }
      }
    } else {
      ClosedLoopUsers u;
      u.users = static_cast<std::uint32_t>(a.integer("users", std::nullopt, {1, 1e7}));
      u.think_time_ms = dist(a, "think_time_ms", 1000.0);
      w.arrivals = u;
    }
    a.finish();
    r.finish();
  }

 public:
  std::string base_dir_;
  std::optional<ReplayTrace> replay_;  // a replayed trace's attributes, until classes are known
  const orch::PolicyRegistry* policies_ = &orch::PolicyRegistry::global();

 private:
  void read_resilience(const Json& j, const std::string& at, Scenario& s) {
    ObjectReader r(j, at, d_);
    if (!r.valid()) return;
    if (const Json* b = r.child("retry_budget")) {
      ObjectReader rb(*b, r.at("retry_budget"), d_);
      const std::string kind =
          rb.choice("kind", std::nullopt, {"unlimited", "token_bucket", "concurrency"});
      // Every kind's parameters are read whatever the kind, so that --set can
      // switch the kind of a file that keeps them all.
      const double max_tokens = rb.number("max_tokens", 10.0, {1e-3, 1000});
      const double token_ratio = rb.number("token_ratio", 0.1, {1e-3, 1});
      const double percent = rb.number("budget_percent", 20.0, {0, 100});
      const auto min_concurrency =
          static_cast<std::uint32_t>(rb.integer("min_retry_concurrency", 3, {0, 1e7}));
      orch::RetryBudgetConfig c;
      if (kind == "token_bucket") {
        c = orch::RetryBudgetConfig::grpc(max_tokens, token_ratio);
      } else if (kind == "concurrency") {
        c = orch::RetryBudgetConfig::envoy(percent, min_concurrency);
      }
      rb.finish();
      s.orchestrator.retry_budget = c;
    }
    if (const Json* b = r.child("circuit_breaker")) {
      ObjectReader cb(*b, r.at("circuit_breaker"), d_);
      const std::string preset = cb.choice("preset", "resilience4j", {"resilience4j", "polly"});
      orch::CircuitBreakerConfig c = preset == "polly" ? orch::CircuitBreakerConfig::polly()
                                                       : orch::CircuitBreakerConfig::resilience4j();
      const std::string window = cb.choice(
          "window", c.window == orch::CircuitBreakerConfig::Window::kTimeBased ? "time" : "count",
          {"count", "time"});
      c.window = window == "time" ? orch::CircuitBreakerConfig::Window::kTimeBased
                                  : orch::CircuitBreakerConfig::Window::kCountBased;
      c.window_size =
          static_cast<std::uint32_t>(cb.integer("window_size", c.window_size, {1, 1e6}));
      c.minimum_calls =
          static_cast<std::uint32_t>(cb.integer("minimum_calls", c.minimum_calls, {1, 1e9}));
      c.failure_rate_threshold =
          cb.number("failure_rate_percent", c.failure_rate_threshold, {0, 100});
      c.slow_call_rate_threshold =
          cb.number("slow_call_rate_percent", c.slow_call_rate_threshold, {0, 100});
      if (cb.has("slow_call_ms"))
        c.slow_call_duration = ms(cb.number("slow_call_ms", 0.0, Range::non_negative()));
      c.open_duration =
          ms(cb.number("open_ms", c.open_duration.milliseconds_f(), Range::non_negative()));
      c.half_open_calls =
          static_cast<std::uint32_t>(cb.integer("half_open_calls", c.half_open_calls, {1, 1e6}));
      cb.finish();
      s.orchestrator.breaker = c;
    }
    s.orchestrator.max_concurrency_per_agent =
        static_cast<std::uint32_t>(r.integer("max_concurrency_per_agent", 0, {0, 1e9}));
    r.finish();
  }

  // --- Workflow -------------------------------------------------------------

  orch::AgentIndex agent_ref(const Json* j, const std::string& at, const Scenario& s) {
    if (!j || !j->is_string()) {
      d_.error(at,
               fmt::format("found {}, expected an agent name", j ? describe_json(*j) : "nothing"));
      return 0;
    }
    const std::string name = j->get<std::string>();
    const std::int32_t i = s.agent_index(name);
    if (i < 0 && s.agents.empty()) return 0;  // /agents itself is missing or broken, reported there
    if (i < 0) {
      std::vector<std::string> names;
      for (const auto& a : s.agents) names.push_back(a.name);
      const std::string near = closest_match(name, names);
      d_.error(at,
               fmt::format("found \"{}\", expected the name of an agent defined in /agents", name),
               near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
      return 0;
    }
    return static_cast<orch::AgentIndex>(i);
  }

  std::vector<orch::AgentIndex> agent_list(ObjectReader& r, const std::string& key,
                                           const Scenario& s, bool required) {
    std::vector<orch::AgentIndex> out;
    const Json* j = r.child(key);
    if (!j) {
      if (required) d_.error(r.at(key), "missing, expected an array of agent names");
      return out;
    }
    if (!j->is_array()) {
      d_.error(r.at(key),
               fmt::format("found {}, expected an array of agent names", describe_json(*j)));
      return out;
    }
    for (std::size_t i = 0; i < j->size(); ++i) {
      out.push_back(agent_ref(&(*j)[i], pointer_join(r.at(key), std::to_string(i)), s));
    }
    return out;
  }

  orch::NodeId node_ref(ObjectReader& r, const std::string& key, bool required) {
    const Json* j = r.child(key);
    if (!j || j->is_null()) {
      if (required) d_.error(r.at(key), "missing, expected the name of a node");
      return orch::kNoNode;
    }
    return node_ref_value(*j, r.at(key));
  }

  orch::NodeId node_ref_value(const Json& j, const std::string& at) {
    if (!j.is_string()) {
      d_.error(at, fmt::format("found {}, expected the name of a node", describe_json(j)));
      return orch::kNoNode;
    }
    const std::string name = j.get<std::string>();
    const auto it = node_ids_.find(name);
    if (it == node_ids_.end()) {
      std::vector<std::string> names;
      for (const auto& [n, id] : node_ids_) names.push_back(n);
      const std::string near = closest_match(name, names);
      d_.error(at,
               fmt::format("found \"{}\", expected the name of a node in /workflow/nodes", name),
               near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
      return orch::kNoNode;
    }
    return it->second;
  }

  orch::BackoffPolicy read_backoff(const Json& j, const std::string& at) {
    ObjectReader r(j, at, d_);
    orch::BackoffPolicy p;
    const std::string preset =
        r.choice("preset", "custom",
                 {"custom", "temporal", "step_functions", "langgraph", "grpc", "envoy", "polly"});
    if (preset == "temporal") p = orch::BackoffPolicy::temporal();
    if (preset == "step_functions") p = orch::BackoffPolicy::step_functions();
    if (preset == "langgraph") p = orch::BackoffPolicy::langgraph();
    if (preset == "envoy") p = orch::BackoffPolicy::envoy();
    if (preset == "polly") p = orch::BackoffPolicy::polly();
    if (preset == "grpc")
      p = orch::BackoffPolicy::grpc(sim::Duration::seconds(1), sim::Duration::seconds(120), 1.6);
    const std::string shape = r.choice("shape", std::string(orch::to_string(p.shape)),
                                       {"constant", "linear", "exponential", "envoy"});
    p.shape = shape == "constant" ? orch::BackoffShape::kConstant
              : shape == "linear" ? orch::BackoffShape::kLinear
              : shape == "envoy"  ? orch::BackoffShape::kEnvoy
                                  : orch::BackoffShape::kExponential;
    const std::string jitter = r.choice("jitter", std::string(orch::to_string(p.jitter)),
                                        {"none", "full", "equal", "decorrelated", "additive"});
    p.jitter = jitter == "none"           ? orch::Jitter::kNone
               : jitter == "equal"        ? orch::Jitter::kEqual
               : jitter == "decorrelated" ? orch::Jitter::kDecorrelated
               : jitter == "additive"     ? orch::Jitter::kAdditive
                                          : orch::Jitter::kFull;
    p.jitter_max =
        ms(r.number("jitter_max_ms", p.jitter_max.milliseconds_f(), Range::non_negative()));
    p.base = ms(r.number("base_ms", p.base.milliseconds_f(), Range::non_negative()));
    if (r.has("cap_ms")) p.cap = ms(r.number("cap_ms", 0.0, Range::non_negative()));
    p.multiplier = r.number("multiplier", p.multiplier, {1.0, 100.0});
    r.finish();
    return p;
  }

  void read_call(ObjectReader& r, orch::Node& n, const Scenario& s) {
    orch::CallNode& c = n.call;
    c.agents = agent_list(r, "agents", s, false);
    std::vector<std::string> agent_names;
    for (const auto& a : s.agents) agent_names.push_back(a.name);
    c.routing = orch::RoutingConfig{};
    c.routing.pointer = r.at("routing");
    if (const Json* rt = r.child("routing")) read_routing(*rt, r.at("routing"), c, agent_names, d_);
    const std::size_t before = d_.items().size();
    const auto class_count =
        static_cast<std::uint32_t>(std::max<std::size_t>(1, s.class_names.size()));
    if (!s.agents.empty()) check_routing(c, n.name, agent_names, class_count, *policies_, d_);
    const bool policy_problems = d_.items().size() != before;
    const Json* agents_json = r.child("agents");
    const bool agents_wrong_type = agents_json && !agents_json->is_array();  // reported above
    if (c.agents.empty() && !policy_problems && !agents_wrong_type) {
      d_.error(r.at("agents"), "missing, expected a non-empty array of agent names");
    }
    c.attempt_timeout = ms(r.number("timeout_ms", 0.0, Range::non_negative()));
    if (const Json* rt = r.child("retry")) {
      ObjectReader rr(*rt, r.at("retry"), d_);
      c.retry.max_attempts = static_cast<std::uint32_t>(rr.integer("max_attempts", 1, {1, 1000}));
      if (const Json* b = rr.child("backoff")) c.retry.backoff = read_backoff(*b, rr.at("backoff"));
      if (const Json* on = rr.child("retry_on")) {
        c.retry.retry_on.clear();
        if (!on->is_array()) {
          d_.error(rr.at("retry_on"), "expected an array of error kinds");
        } else {
          for (std::size_t i = 0; i < on->size(); ++i) {
            const std::string at = pointer_join(rr.at("retry_on"), std::to_string(i));
            const std::string k = (*on)[i].is_string() ? (*on)[i].get<std::string>() : "";
            if (std::find(error_kind_names().begin(), error_kind_names().end(), k) ==
                error_kind_names().end()) {
              const std::string near = closest_match(k, error_kind_names());
              d_.error(at,
                       fmt::format(
                           "found {}, expected an error kind (transient, rate_limited, permanent, "
                           "context_overflow, overloaded, unavailable)",
                           describe_json((*on)[i])),
                       near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
            } else {
              c.retry.retry_on.push_back(error_kind(k));
            }
          }
        }
      }
      c.retry.retry_on_timeout = rr.boolean("retry_on_timeout", true);
      c.retry.retry_on_invalid = rr.boolean("retry_on_invalid", true);
      rr.finish();
    }
    if (const Json* h = r.child("hedge")) {
      ObjectReader hr(*h, r.at("hedge"), d_);
      c.hedge.max_extra_attempts =
          static_cast<std::uint32_t>(hr.integer("max_extra_attempts", 1, {0, 4}));
      c.hedge.delay = ms(hr.number("delay_ms", std::nullopt, Range::non_negative()));
      c.hedge.agents = agent_list(hr, "agents", s, false);
      hr.finish();
    }
    if (const Json* v = r.child("validator")) {
      ObjectReader vr(*v, r.at("validator"), d_);
      c.validator.enabled = true;
      c.validator.bad_below = vr.number("bad_below", 0.3, Range::probability());
      c.validator.true_positive_rate = vr.number("true_positive_rate", 0.9, Range::probability());
      c.validator.false_positive_rate =
          vr.number("false_positive_rate", 0.05, Range::probability());
      vr.finish();
    }
    c.fallback_agents = agent_list(r, "fallback", s, false);
    if (const Json* t = r.child("time_budget")) {
      ObjectReader tr(*t, r.at("time_budget"), d_);
      c.time_budget.budget = ms(tr.number("budget_ms", std::nullopt, Range::positive()));
      const std::string action = tr.choice("action", std::nullopt, {"redirect", "decompose"});
      if (action == "decompose") {
        c.time_budget.action = orch::TimeBudgetConfig::Action::kDecompose;
        c.time_budget.decompose_agent = agent_ref(tr.child("agent"), tr.at("agent"), s);
        c.time_budget.parts = static_cast<std::uint32_t>(tr.integer("parts", 2, {2, 64}));
      } else {
        c.time_budget.fast_agent = agent_ref(tr.child("agent"), tr.at("agent"), s);
      }
      tr.finish();
    }
    if (const Json* cx = r.child("context")) {
      ObjectReader cr(*cx, r.at("context"), d_);
      const std::string fit =
          cr.choice("fit", "truncate_oldest",
                    {"truncate_oldest", "drop_least_relevant", "summarize", "fail"});
      c.fit = fit == "drop_least_relevant" ? orch::FitPolicy::kDropLeastRelevant
              : fit == "summarize"         ? orch::FitPolicy::kSummarize
              : fit == "fail"              ? orch::FitPolicy::kFail
                                           : orch::FitPolicy::kTruncateOldest;
      // Read whenever present (so --set can switch `fit`), required for summarize.
      if (cr.has("summarizer") || c.fit == orch::FitPolicy::kSummarize) {
        c.summarizer = agent_ref(cr.child("summarizer"), cr.at("summarizer"), s);
      }
      c.summary_ratio = cr.number("summary_ratio", 0.2, {0.001, 1.0});
      c.summary_fidelity = cr.number("summary_fidelity", 0.8, Range::probability());
      c.include_context = cr.boolean("include_context", true);
      const std::string seg = cr.choice("output_segment", "intermediate",
                                        {"memory", "document", "intermediate", "tool_result"});
      c.output_segment = seg == "memory"        ? orch::SegmentKind::kMemory
                         : seg == "document"    ? orch::SegmentKind::kDocument
                         : seg == "tool_result" ? orch::SegmentKind::kToolResult
                                                : orch::SegmentKind::kIntermediate;
      c.output_relevance = cr.number("output_relevance", 1.0, Range::non_negative());
      c.output_to_context = cr.boolean("output_to_context", true);
      cr.finish();
    }
    if (const Json* q = r.child("quality")) {
      ObjectReader qr(*q, r.at("quality"), d_);
      const auto channel = [](const std::string& v) {
        return v == "evidence" ? orch::QualityChannel::kEvidence
               : v == "answer" ? orch::QualityChannel::kAnswer
                               : orch::QualityChannel::kNone;
      };
      c.input = channel(qr.choice("input", "evidence", {"evidence", "answer", "none"}));
      c.output = channel(qr.choice("output", "answer", {"evidence", "answer", "none"}));
      c.judges_answer = qr.boolean("judges_answer", false);
      qr.finish();
    }
    n.next = node_ref(r, "next", true);
    n.on_failure = node_ref(r, "on_failure", false);
  }

  orch::Condition read_condition(const Json& j, const std::string& at, const Scenario& s) {
    using W = orch::Condition::What;
    static const std::vector<std::string> kinds = {
        "always",       "label_is",       "confidence_below",   "confidence_at_least",
        "verdict_pass", "verdict_fail",   "last_failed",        "error_is",
        "class_is",     "cost_above_usd", "time_left_below_ms", "visits_at_least"};
    orch::Condition c;
    ObjectReader r(j, at, d_);
    if (!r.valid()) return c;
    if (j.empty()) {
      d_.error(at,
               "found an empty object, expected exactly one condition, e.g. {\"confidence_below\": "
               "0.6}");
      return c;
    }
    if (j.size() != 1) {
      d_.error(at, fmt::format("found {} keys, expected exactly one condition", j.size()));
    }
    const std::string key = j.begin().key();
    const Json& v = j.begin().value();
    const std::string vat = r.at(key);
    if (std::find(kinds.begin(), kinds.end(), key) == kinds.end()) {
      const std::string near = closest_match(key, kinds);
      std::string list;
      for (const auto& k : kinds) list += (list.empty() ? "" : ", ") + k;
      d_.error(vat, fmt::format("unknown condition, expected one of: {}", list),
               near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
      return c;
    }
    r.child(key);
    const auto need_number = [&](Range range) {
      if (!v.is_number() || !(v.get<double>() >= range.min && v.get<double>() <= range.max)) {
        d_.error(vat,
                 fmt::format("found {}, expected {}", describe_json(v),
                             std::isfinite(range.max) ? "a number in [0, 1]" : "a number >= 0"));
        return 0.0;
      }
      return v.get<double>();
    };
    if (key == "always") c.what = W::kAlways;
    if (key == "verdict_pass") c.what = W::kVerdictPass;
    if (key == "verdict_fail") c.what = W::kVerdictFail;
    if (key == "last_failed") c.what = W::kLastFailed;
    if (key == "confidence_below") {
      c.what = W::kConfidenceBelow;
      c.value = need_number(Range::probability());
    }
    if (key == "confidence_at_least") {
      c.what = W::kConfidenceAtLeast;
      c.value = need_number(Range::probability());
    }
    if (key == "cost_above_usd") {
      c.what = W::kCostAbove;
      c.value = need_number(Range::non_negative());
    }
    if (key == "time_left_below_ms") {
      c.what = W::kTimeLeftBelow;
      c.duration = ms(need_number(Range::non_negative()));
    }
    if (key == "error_is") {
      c.what = W::kErrorIs;
      const std::string k = v.is_string() ? v.get<std::string>() : "";
      if (std::find(error_kind_names().begin(), error_kind_names().end(), k) ==
          error_kind_names().end()) {
        d_.error(vat, fmt::format("found {}, expected an error kind", describe_json(v)));
      }
      c.error = error_kind(k);
    }
    if (key == "class_is") {
      c.what = W::kClassIs;
      const std::string k = v.is_string() ? v.get<std::string>() : "";
      const auto it = std::find(s.class_names.begin(), s.class_names.end(), k);
      if (it == s.class_names.end()) {
        const std::string near = closest_match(k, s.class_names);
        d_.error(vat,
                 fmt::format("found {}, expected a request class name from /workload/classes",
                             describe_json(v)),
                 near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
      } else {
        c.class_index = static_cast<std::uint32_t>(it - s.class_names.begin());
      }
    }
    if (key == "label_is") {
      c.what = W::kLabelIs;
      c.label_name = v.is_string() ? v.get<std::string>() : "";
      // Labels are per agent: resolve the name in every agent's label list.
      const std::string k = v.is_string() ? v.get<std::string>() : "";
      bool found = false;
      std::vector<std::string> all_labels;
      for (const auto& a : s.agents) {
        std::int32_t index = -1;
        for (std::size_t i = 0; i < a.labels.size(); ++i) {
          all_labels.push_back(a.labels[i]);
          if (a.labels[i] == k && index < 0) index = static_cast<std::int32_t>(i);
        }
        c.label_by_agent.push_back(index);
        if (index >= 0 && !found)
          c.label = static_cast<std::uint32_t>(index);  // first agent's, for display
        found = found || index >= 0;
      }
      if (!found) {
        const std::string near = closest_match(k, all_labels);
        d_.error(vat,
                 fmt::format("found {}, expected a label some agent can output (/agents/*/labels)",
                             describe_json(v)),
                 near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
      }
    }
    if (key == "visits_at_least") {
      c.what = W::kVisitsAtLeast;
      ObjectReader vr(v, vat, d_);
      c.node = node_ref(vr, "node", true);
      c.count = static_cast<std::uint32_t>(vr.integer("count", std::nullopt, {1, 1e6}));
      vr.finish();
    }
    return c;
  }

  void read_workflow(const Json& j, const std::string& at, Scenario& s) {
    ObjectReader r(j, at, d_);
    if (!r.valid()) return;
    orch::Workflow& wf = s.workflow;
    wf.name = s.name;
    wf.system_prompt_tokens = r.integer("system_prompt_tokens", 0, {0, 1e9});
    const Json* nodes = r.child("nodes");
    if (!nodes || !nodes->is_array() || nodes->empty()) {
      d_.error(r.at("nodes"), "missing or empty, expected an array of nodes");
      r.finish();
      return;
    }
    // First pass: names, so edges may point forward.
    for (std::size_t i = 0; i < nodes->size(); ++i) {
      const Json& n = (*nodes)[i];
      const std::string p = pointer_join(r.at("nodes"), std::to_string(i));
      if (!n.is_object() || !n.contains("name") || !n["name"].is_string()) continue;
      const std::string name = n["name"].get<std::string>();
      if (!node_ids_.emplace(name, static_cast<orch::NodeId>(i)).second) {
        d_.error(pointer_join(p, "name"),
                 fmt::format("found \"{}\" again, expected unique node names", name));
      }
    }
    for (std::size_t i = 0; i < nodes->size(); ++i) {
      const std::string p = pointer_join(r.at("nodes"), std::to_string(i));
      ObjectReader nr((*nodes)[i], p, d_);
      orch::Node n;
      n.name = nr.string("name", std::nullopt);
      const bool type_ok = nr.has("type") && (*nodes)[i]["type"].is_string();
      std::string type =
          nr.choice("type", std::nullopt, {"call", "gate", "fan_out", "join", "terminal"});
      if (!type_ok || type != (*nodes)[i]["type"].get<std::string>()) type.clear();  // reported
      n.max_visits = static_cast<std::uint32_t>(nr.integer("max_visits", 0, {0, 1e6}));
      n.on_exhausted = node_ref(nr, "on_exhausted", false);
      n.exhausted_is_success = nr.choice("on_exhausted_outcome", "best_so_far",
                                         {"best_so_far", "fail"}) == "best_so_far";
      if (type == "call") {
        n.kind = orch::NodeKind::kCall;
        read_call(nr, n, s);
      } else if (type == "gate") {
        n.kind = orch::NodeKind::kGate;
        if (const Json* rules = nr.child("rules")) {
          if (!rules->is_array()) {
            d_.error(nr.at("rules"), "expected an array of {\"if\": condition, \"then\": node}");
          } else {
            for (std::size_t k = 0; k < rules->size(); ++k) {
              ObjectReader rr((*rules)[k], pointer_join(nr.at("rules"), std::to_string(k)), d_);
              orch::GateRule rule;
              if (const Json* cond = rr.child("if")) {
                rule.when = read_condition(*cond, rr.at("if"), s);
              } else {
                d_.error(rr.at("if"), "missing, expected a condition");
              }
              rule.then = node_ref(rr, "then", true);
              rr.finish();
              n.gate.rules.push_back(rule);
            }
          }
        }
        n.gate.otherwise = node_ref(nr, "otherwise", true);
      } else if (type == "fan_out") {
        n.kind = orch::NodeKind::kFanOut;
        if (const Json* b = nr.child("branches")) {
          if (!b->is_array()) {
            d_.error(nr.at("branches"), "expected an array of node names");
          } else {
            for (std::size_t k = 0; k < b->size(); ++k) {
              n.fan_out.branches.push_back(
                  node_ref_value((*b)[k], pointer_join(nr.at("branches"), std::to_string(k))));
            }
          }
        }
        if (const Json* m = nr.child("map")) {
          ObjectReader mr(*m, nr.at("map"), d_);
          n.fan_out.map_entry = node_ref(mr, "entry", true);
          n.fan_out.count_from_label = mr.boolean("count_from_label", false);
          n.fan_out.map_count = static_cast<std::uint32_t>(
              mr.integer("count", n.fan_out.count_from_label ? 1 : 0, {1, 1000}));
          mr.finish();
        }
        if (n.fan_out.branches.empty() && n.fan_out.map_entry == orch::kNoNode && !nr.has("map")) {
          d_.error(nr.at("branches"), "missing, expected \"branches\" or \"map\"");
        }
        n.fan_out.join = node_ref(nr, "join", true);
      } else if (type == "join") {
        n.kind = orch::NodeKind::kJoin;
        const std::string policy =
            nr.choice("policy", "all", {"all", "first_success", "first_k", "quorum", "deadline"});
        n.join.policy = policy == "first_success" ? orch::JoinPolicy::kFirstSuccess
                        : policy == "first_k"     ? orch::JoinPolicy::kFirstK
                        : policy == "quorum"      ? orch::JoinPolicy::kQuorum
                        : policy == "deadline"    ? orch::JoinPolicy::kDeadline
                                                  : orch::JoinPolicy::kAll;
        n.join.k = static_cast<std::uint32_t>(nr.integer("k", 1, {1, 1000}));
        n.join.deadline =
            ms(nr.number("deadline_ms", policy == "deadline" ? std::optional<double>() : 0.0,
                         Range::non_negative()));
        const std::string merge = nr.choice("merge", "max", {"max", "mean", "union"});
        n.join.merge = merge == "mean"    ? orch::Merge::kMean
                       : merge == "union" ? orch::Merge::kUnion
                                          : orch::Merge::kMax;
        n.next = node_ref(nr, "next", true);
        n.join.on_failure = node_ref(nr, "on_failure", false);
      } else if (type == "terminal") {
        n.kind = orch::NodeKind::kTerminal;
        n.terminal.success = nr.boolean("success", true);
        n.terminal.outcome = nr.string("outcome", n.name);
      }
      // Without a valid type the node's other keys cannot be judged: no "unknown key" noise.
      if (!type.empty()) nr.finish();
      wf.nodes.push_back(std::move(n));
    }
    const Json* entry = r.child("entry");
    if (entry) {
      wf.entry = node_ref_value(*entry, r.at("entry"));
      if (wf.entry == orch::kNoNode) wf.entry = 0;
    } else {
      wf.entry = 0;  // the first node
    }
    r.finish();
  }

  void cross_check(const Scenario& s) {
    std::map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < s.agents.size(); ++i) {
      if (!seen.emplace(s.agents[i].name, i).second) {
        d_.error(fmt::format("/agents/{}/name", i),
                 fmt::format("found \"{}\" again, expected unique agent names", s.agents[i].name));
      }
    }
    // Fan-outs must wait at a join node: said at the "join" key.
    for (std::size_t i = 0; i < s.workflow.nodes.size(); ++i) {
      const orch::Node& n = s.workflow.nodes[i];
      if (n.kind != orch::NodeKind::kFanOut || n.fan_out.join >= s.workflow.nodes.size()) continue;
      const orch::Node& join = s.workflow.nodes[n.fan_out.join];
      if (join.kind != orch::NodeKind::kJoin) {
        d_.error(fmt::format("/workflow/nodes/{}/join", i),
                 fmt::format("found \"{}\", which is not a join node, expected the name of a node "
                             "of type \"join\"",
                             join.name));
      }
    }
    // Graph checks only make sense once every edge and agent of the
    // workflow resolved; problems elsewhere in the file do not stop them,
    // so that all problems are reported at once.
    if (already_reported("/workflow") || s.workflow.nodes.empty() || s.agents.empty()) return;
    for (const std::string& problem : s.workflow.validate(s.agents.size())) {
      const auto colon = problem.find(':');
      const std::string node_name = problem.substr(0, colon);
      const std::string pointer = "/workflow";
      const auto it = node_ids_.find(node_name);
      if (it == node_ids_.end()) {
        d_.error(pointer, problem.substr(colon + 2));
      } else {
        d_.error(fmt::format("/workflow/nodes/{}", it->second),
                 fmt::format("node \"{}\": {}", node_name, problem.substr(colon + 2)));
      }
    }
  }

  const Json& doc_;
  Diagnostics& d_;
  std::map<std::string, orch::NodeId> node_ids_;
};

// Line and column of a byte offset, for parse errors.
std::pair<std::size_t, std::size_t> line_col(const std::string& text, std::size_t offset) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

// Keys that appear twice in one object. nlohmann keeps one of the values
// without a word, so a scenario could silently lose a setting; the parser's
// callback sees every key, and a stack of frames names where it was.
class DuplicateKeyFinder {
 public:
  struct Duplicate {
    std::string pointer;  // of the key
    std::string key;
  };

  bool on_event(int depth, Json::parse_event_t event, Json& parsed) {
    // Containers deeper than kMaxJsonNesting are dropped (as NestingLimit
    // does). Inside one, nlohmann still reports starts and keys (deeper than
    // the drop) but no values or ends: the first event back at the drop's
    // level means the dropped container has ended.
    if (dropped_at_) {
      if (depth > *dropped_at_) return false;
      dropped_at_.reset();
      element_done();
    }
    if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
        depth >= kMaxJsonNesting) {
      if (!too_deep_) too_deep_ = pointer();
      dropped_at_ = depth;
      return false;  // not even built
    }
    switch (event) {
      case Json::parse_event_t::object_start:
        frames_.push_back({false, 0, {}, {}});
        break;
      case Json::parse_event_t::array_start:
        frames_.push_back({true, 0, {}, {}});
        break;
      case Json::parse_event_t::key: {
        Frame& f = frames_.back();
        f.key = parsed.get<std::string>();
        if (!f.keys.insert(f.key).second) duplicates_.push_back({pointer(), f.key});
        break;
      }
      case Json::parse_event_t::value:
        element_done();
        break;
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        frames_.pop_back();
        element_done();
        break;
    }
    return true;  // keep the rest: this only watches
  }

  const std::vector<Duplicate>& duplicates() const { return duplicates_; }
  // Where the document first nests deeper than kMaxJsonNesting, if it does.
  const std::optional<std::string>& too_deep() const { return too_deep_; }

 private:
  struct Frame {
    bool array;
    std::size_t index;
    std::string key;  // the current key (objects)
    std::set<std::string> keys;
  };

  void element_done() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  // The pointer of the current key: each frame's current component.
  std::string pointer() const {
    std::string p;
    for (const Frame& f : frames_) {
      p += '/';
      if (f.array) {
        p += std::to_string(f.index);
      } else {
        for (const char c : f.key) p += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
      }
    }
    return p;
  }

  std::vector<Frame> frames_;
  std::vector<Duplicate> duplicates_;
  std::optional<std::string> too_deep_;
  std::optional<int> dropped_at_;  // the depth of the container being dropped
};

}  // namespace


namespace {

// `--set /.../routing/params/NAME=V` (or `.../routing/params={...}`) may add a
// value the file does not have: a policy's parameters are optional, and the
// policy reports names it does not know, with their pointers.
bool adds_policy_param(const nlohmann::ordered_json& doc, const std::string& pointer) {
  static constexpr std::string_view kParams = "/routing/params";
  const auto at = pointer.rfind(kParams);
  if (at == std::string::npos) return false;
  const std::string_view rest = std::string_view(pointer).substr(at + kParams.size());
  if (!rest.empty() && (rest[0] != '/' || rest.find('/', 1) != std::string_view::npos)) return false;
  const nlohmann::ordered_json::json_pointer routing(pointer.substr(0, at + 8));  // "/routing"
  if (!doc.contains(routing) || !doc.at(routing).is_object()) return false;
  const auto& node = doc.at(routing);
  return rest.empty() || !node.contains("params") || node["params"].is_object();
}

}  // namespace

LoadResult parse_scenario(const std::string& text, const std::string& source,
                          const LoadOptions& options) {
  LoadResult result;
  result.diagnostics = Diagnostics(source);
  Diagnostics& d = result.diagnostics;
  Json doc;
  DuplicateKeyFinder duplicates;
  try {
    doc = Json::parse(
        text,
        [&duplicates](int depth, Json::parse_event_t event, Json& parsed) {
          return duplicates.on_event(depth, event, parsed);
        },
        /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const Json::parse_error& e) {
    const auto [line, col] = line_col(text, e.byte == 0 ? 0 : e.byte - 1);
    std::string what = e.what();
    const auto pos = what.find("syntax error");
    d.error("", fmt::format("not valid JSON at line {}, column {}: {}", line, col,
                            pos == std::string::npos ? what : what.substr(pos)));
    return result;
  } catch (const Json::out_of_range& e) {
    // A number beyond a double (1e999): nlohmann's exception has no position.
    d.error("", number_overflow_message(text, e, /*ignore_comments=*/true));
    return result;
  }
  if (duplicates.too_deep()) {
    d.error(*duplicates.too_deep(),
            fmt::format("found a value nested more than {0} levels deep, expected at most {0} "
                        "(a scenario needs about 10)",
                        kMaxJsonNesting));
    return result;
  }
  for (const auto& dup : duplicates.duplicates()) {
    d.error(dup.pointer,
            fmt::format("found the key \"{}\" twice in one object, expected each key once "
                        "(one of the values would be silently dropped)",
                        dup.key));
  }
  if (!d.ok()) return result;
  for (const auto& [pointer, value] : options.overrides) {
    const std::optional<Json> parsed = override_value(pointer, value, d);
    if (!parsed) continue;
    const Json& v = *parsed;
    try {
      const Json::json_pointer ptr(pointer);
      if (adds_policy_param(doc, pointer)) {
        doc[ptr] = v;  // the policy checks its params' names itself: a typo is still an error
        continue;
      }
      if (!doc.contains(ptr.parent_pointer()) ||
          !(doc[ptr.parent_pointer()].is_object() || doc[ptr.parent_pointer()].is_array())) {
        d.error(pointer, "--set: the parent of this pointer does not exist in the scenario");
        continue;
      }
      if (!doc.contains(ptr)) {
        d.error(pointer,
                "--set: no such value in the scenario (only existing values can be overridden)");
        continue;
      }
      doc[ptr] = v;
    } catch (const Json::exception& e) {
      d.error(pointer, fmt::format("--set: not a usable JSON pointer ({})", e.what()));
    }
  }
  if (!d.ok()) return result;
  Loader loader(doc, d);
  const std::filesystem::path src(source);
  loader.base_dir_ = src.has_parent_path() ? src.parent_path().string() : "";
  if (options.policies) loader.policies_ = options.policies;
  Scenario s = loader.load();
  s.source = source;
  s.document = doc;
  if (d.ok()) result.scenario = std::move(s);
  return result;
}

LoadResult load_scenario(const std::string& name_or_path, const LoadOptions& options) {
  std::string path = name_or_path;
  const bool looks_like_path = name_or_path.find('/') != std::string::npos ||
                               name_or_path.find(".json") != std::string::npos;
  if (!looks_like_path) path = library_dir() + "/" + name_or_path + ".json";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.diagnostics = Diagnostics(name_or_path);
    std::string hint;
    if (!looks_like_path) {
      const std::string near = closest_match(name_or_path, library_names());
      if (!near.empty()) hint = fmt::format("did you mean \"{}\"?", near);
      r.diagnostics.error(
          "",
          fmt::format("no built-in scenario named \"{}\" (see 'orchsim list') and no such file",
                      name_or_path),
          hint);
    } else {
      r.diagnostics.error("", "cannot open the file for reading");
    }
    return r;
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), path, options);
}

}  // namespace orchsim::scenarios
