#include "scenarios/calibration/model_check.hpp"

#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "mock_agents/mock_agent.hpp"
#include "scenarios/calibration/agent_quantities.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/workload.hpp"
#include "sim/random.hpp"
#include "sim/simulation.hpp"

namespace orchsim::calibration {

namespace {

using nlohmann::ordered_json;

// The benchmark client: a closed loop of users, each call timed from
// submission; a call still running at the timeout is abandoned (a hang).
class Client final : public scenarios::RequestSink, public mock_agents::CallListener {
 public:
  Client(sim::Simulation& sim, mock_agents::MockAgent& agent, sim::Duration timeout)
      : sim_(sim), agent_(agent), timeout_(timeout) {}
  void attach(scenarios::Workload& w) { workload_ = &w; }

  void on_request(const scenarios::RequestSpec& r) override {
    mock_agents::CallRequest call;
    call.request_id = r.id;
    call.input_tokens = r.input_tokens;
    const std::size_t slot = pending_.size();
    pending_.push_back(Pending{.spec = r});
    pending_[slot].call = agent_.submit(call, *this, slot);
    pending_[slot].timer = sim_.schedule_after(timeout_, [this, slot] {
      Pending& p = pending_[slot];
      if (p.done) return;
      agent_.cancel(p.call);
      ++errors;
      ++calls;
      finish(slot);
    });
  }

  void on_call_finished(mock_agents::CallId, std::uint64_t tag,
                        const mock_agents::CallOutcome& o) override {
    const auto slot = static_cast<std::size_t>(tag);
    sim_.cancel(pending_[slot].timer);
    ++calls;
    if (o.status == mock_agents::CallStatus::kSuccess) {
      ttft.push_back((o.first_token - o.submitted).milliseconds_f());
      latency.push_back((o.finished - o.submitted).milliseconds_f());
    } else {
      ++errors;
    }
    finish(slot);
  }

  std::vector<double> ttft, latency;
  std::uint64_t calls = 0, errors = 0;

 private:
  struct Pending {
    scenarios::RequestSpec spec;
    mock_agents::CallId call = 0;
    sim::EventId timer{};
    bool done = false;
  };
  void finish(std::size_t slot) {
    pending_[slot].done = true;
    workload_->on_request_finished(pending_[slot].spec);
  }

  sim::Simulation& sim_;
  mock_agents::MockAgent& agent_;
  sim::Duration timeout_;
  scenarios::Workload* workload_ = nullptr;
  std::vector<Pending> pending_;
};

std::vector<QuantileCheck> compare(const Sample& measured, const std::vector<double>& simulated,
                                   const SelectionOptions& bar) {
  const Sample sim_sample = Sample::of(simulated);
  const double limits[] = {bar.max_error_p50, bar.max_error_p90, bar.max_error_p99};
  std::vector<QuantileCheck> out;
  int i = 0;
  for (double p : {0.5, 0.9, 0.99}) {
    QuantileCheck q{.p = p, .measured = measured.quantile(p), .simulated = sim_sample.quantile(p)};
    q.relative_error = q.measured > 0 ? (q.simulated - q.measured) / q.measured : 0.0;
    q.limit = limits[i++];
    q.pass = std::fabs(q.relative_error) <= q.limit;
    out.push_back(q);
  }
  return out;
}

}  // namespace

ModelCheck check_group(const GroupFit& fit, const CheckOptions& options) {
  ModelCheck c;
  c.group = fit.group.name;
  c.agent = fit.group.agent_name;
  const DerivedQuantities& d = fit.derived;
  if (!fit.agent) {
    c.skipped = "no agent (no latency measured)";
    return c;
  }
  if (!d.measured_ttft_ms || !d.measured_latency_ms) {
    c.skipped = "TTFT or latency of successful calls not measured";
    return c;
  }
  // The agent, loaded as a scenario loads it.
  ordered_json cls = {{"name", "default"}};
  if (const QuantityFit* in = fit.quantity("input_tokens"); in && in->chosen().fit.ok) {
    cls["input_tokens"] = in->chosen().fit.json;
  }
  const ordered_json doc = {
      {"version", 1},
      {"name", "check"},
      {"agents", ordered_json::array({*fit.agent})},
      {"workload",
       {{"arrivals", {{"closed_loop", {{"users", options.users}, {"think_time_ms", 0}}}}},
        {"classes", ordered_json::array({cls})}}},
      {"workflow",
       {{"entry", "call"},
        {"nodes",
         ordered_json::array(
             {{{"name", "call"}, {"type", "call"}, {"agents", {c.agent}}, {"next", "done"}},
              {{"name", "done"}, {"type", "terminal"}, {"success", true}}})}}}};
  const scenarios::LoadResult loaded =
      scenarios::parse_scenario(doc.dump(), "fitted agent " + c.agent);
  if (!loaded.ok()) {
    c.skipped = "the fitted agent does not load: " + loaded.diagnostics.format();
    return c;
  }
  const scenarios::Scenario& s = *loaded.scenario;
  sim::Simulation sim;
  const sim::RandomSource rng(options.seed);
  mock_agents::MockAgent agent(sim, rng, s.agents.front());
  const sim::Duration timeout =
      sim::Duration::from_milliseconds(d.client_timeout_ms.value_or(600'000.0));
  Client client(sim, agent, timeout);
  scenarios::WorkloadConfig w = s.workload;
  w.max_requests = options.requests;
  scenarios::Workload workload(sim, rng, w, client);
  client.attach(workload);
  workload.start();
  sim.run();

  c.checked = true;
  c.measured_calls = d.calls;
  c.measured_errors = d.calls - d.outcomes[static_cast<std::size_t>(Outcome::kSuccess)];
  c.measured_error_rate = static_cast<double>(c.measured_errors) / static_cast<double>(d.calls);
  c.error_rate_ci = wilson_interval(c.measured_errors, c.measured_calls);
  c.simulated_calls = client.calls;
  c.simulated_errors = client.errors;
  c.simulated_error_rate =
      client.calls ? static_cast<double>(client.errors) / static_cast<double>(client.calls) : 0.0;
  c.error_rate_pass =
      c.simulated_error_rate >= c.error_rate_ci[0] && c.simulated_error_rate <= c.error_rate_ci[1];
  if (client.ttft.empty()) {
    c.skipped = "no simulated call succeeded";
    c.checked = false;
    return c;
  }
  c.ttft = compare(*d.measured_ttft_ms, client.ttft, options.bar);
  c.latency = compare(*d.measured_latency_ms, client.latency, options.bar);
  c.pass = c.error_rate_pass;
  for (const auto* v : {&c.ttft, &c.latency}) {
    for (const QuantileCheck& q : *v) c.pass = c.pass && q.pass;
  }
  return c;
}

ordered_json check_json(const ModelCheck& c) {
  ordered_json j = {{"group", c.group}, {"agent", c.agent}, {"checked", c.checked}};
  if (!c.checked) {
    j["skipped"] = c.skipped;
    return j;
  }
  for (const auto& [name, v] :
       {std::pair{"ttft_ms", &c.ttft}, std::pair{"latency_ms", &c.latency}}) {
    ordered_json a = ordered_json::array();
    for (const QuantileCheck& q : *v) {
      a.push_back({{"p", q.p},
                   {"measured", q.measured},
                   {"simulated", q.simulated},
                   {"relative_error", q.relative_error},
                   {"limit", q.limit},
                   {"pass", q.pass}});
    }
    j[name] = a;
  }
  j["error_rate"] = {
      {"measured", c.measured_error_rate},    {"ci95", {c.error_rate_ci[0], c.error_rate_ci[1]}},
      {"simulated", c.simulated_error_rate},  {"measured_calls", c.measured_calls},
      {"simulated_calls", c.simulated_calls}, {"pass", c.error_rate_pass}};
  j["pass"] = c.pass;
  return j;
}

std::string check_table(const std::vector<ModelCheck>& checks) {
  std::string out =
      fmt::format("{:<34} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}  {:<22} {}\n", "agent", "TTFT p50",
                  "p90", "p99", "e2e p50", "p90", "p99", "errors (95% CI)", "result");
  for (const ModelCheck& c : checks) {
    if (!c.checked) {
      out += fmt::format("{:<34} not checked: {}\n", c.agent, c.skipped);
      continue;
    }
    std::string row = fmt::format("{:<34}", c.agent);
    for (const auto* v : {&c.ttft, &c.latency}) {
      for (const QuantileCheck& q : *v) {
        row += fmt::format(" {:>+7.1f}%", 100.0 * q.relative_error).substr(0, 9);
      }
    }
    row += fmt::format("  {:.3f} vs {:.3f} [{:.3f}, {:.3f}]", c.simulated_error_rate,
                       c.measured_error_rate, c.error_rate_ci[0], c.error_rate_ci[1]);
    row += c.pass ? "  ok" : "  FAIL";
    out += row + "\n";
  }
  return out;
}

}  // namespace orchsim::calibration
