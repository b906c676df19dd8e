// The engine of orchsim.RoutingEnv (orchsim/env.py): one run of a scenario
// on a worker thread that pauses at every decision of one node until the
// caller supplies the action.
//
// Strict alternation: the worker runs only between step() and the next
// decision (or the end), the caller only while the worker waits. So an
// episode is as deterministic as a run: the same seed and actions give the
// same bytes. While the worker waits inside choose(), its DecisionContext is
// alive, and the caller reads it through the usual view.
#include <fmt/format.h>
#include <pybind11/stl.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "eval/report.hpp"
#include "eval/runner.hpp"
#include "orchestration/policies/reward.hpp"
#include "python/src/common.hpp"
#include "python/src/experiments.hpp"
#include "python/src/views.hpp"

namespace orchsim::python {

namespace {

namespace orch = orchestration;

// The registered name of the environment's policy (one registry per env).
constexpr const char* kEnvPolicy = "orchsim_routing_env";

// Unwinds the worker's run when the episode is abandoned (reset, close).
struct Abandoned {};

struct FinishedRequest {
  orch::RequestOutcome outcome;
  std::string outcome_text;  // owns what outcome.outcome points at
};

// Shared by the caller and the worker; every field under `mutex`.
struct Channel {
  std::mutex mutex;
  std::condition_variable cv;
  const orch::DecisionContext* context = nullptr;  // set while the worker waits for an action
  std::uint64_t decisions = 0;                     // made so far in this episode
  std::optional<std::pair<std::size_t, double>> action;
  bool abandon = false;
  bool done = false;
  double reward = 0.0;  // since the last step
  std::vector<orch::AttemptOutcome> outcomes;
  std::vector<FinishedRequest> finished;
  std::string report;    // report.json text, when the run ended
  std::string error;     // or why it stopped
  SharedPyObject cause;  // the Python exception behind `error`, if any
  bool policy_error = false;
};

class EnvPolicy final : public orch::RoutingPolicy {
 public:
  EnvPolicy(Channel& channel, orch::policies::Reward reward) : ch_(channel), reward_(reward) {}

  orch::Choice choose(const orch::DecisionContext& ctx) override {
    std::unique_lock<std::mutex> lock(ch_.mutex);
    ch_.context = &ctx;
    ++ch_.decisions;
    ch_.cv.notify_all();
    ch_.cv.wait(lock, [&] { return ch_.action.has_value() || ch_.abandon; });
    ch_.context = nullptr;
    if (ch_.abandon) throw Abandoned{};
    const auto [candidate, probability] = *ch_.action;
    ch_.action.reset();
    return {.candidate = candidate, .probability = probability};
  }

  void observe(const orch::AttemptOutcome& o) override {
    const std::lock_guard<std::mutex> lock(ch_.mutex);
    ch_.reward += reward_(o).value_or(0.0);
    ch_.outcomes.push_back(o);
  }

  void request_finished(const orch::RequestOutcome& r) override {
    const std::lock_guard<std::mutex> lock(ch_.mutex);
    FinishedRequest f{r, std::string(r.outcome)};
    ch_.finished.push_back(std::move(f));
  }

 private:
  Channel& ch_;
  orch::policies::Reward reward_;
};

class RoutingEnvCore {
 public:
  RoutingEnvCore(const ScenarioSource& source, const std::string& node, const Overrides& overrides,
                 const py::dict& policies, std::optional<std::uint64_t> requests,
                 std::optional<double> duration_s, std::optional<double> warmup_s,
                 const std::string& reward_json) {
    reward_ = read_reward(reward_json);
    registry_ = python_registry(policies);
    registry_->add(
        {.name = kEnvPolicy,
         .summary = "orchsim.RoutingEnv: the caller's actions",
         .params = "",
         .builtin = false},
        [this](orch::PolicyParams& p, orch::NodeSpec&) -> std::unique_ptr<orch::RoutingPolicy> {
          p.finish();
          return std::make_unique<EnvPolicy>(channel_, reward_);
        });
    // Find the node in the document, then route it to the environment.
    const scenarios::Scenario plain = load(source, overrides, registry_.get());
    const auto& nodes = plain.document["workflow"]["nodes"];
    std::optional<std::size_t> index;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const std::string name = nodes[i].value("name", "");
      if (nodes[i].value("type", "") == "call") names.push_back(name);
      if (name == node) index = i;
    }
    if (!index || nodes[*index].value("type", "") != "call") {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      raise_scenario_error(
          fmt::format("node=\"{}\": expected a call node of {}: {}", node, plain.name, list));
    }
    // The node's routing becomes the environment's (its old parameters go:
    // they were the old policy's), on the document as overridden.
    nlohmann::ordered_json document = plain.document;
    document["workflow"]["nodes"][*index]["routing"] = {{"policy", kEnvPolicy}};
    scenario_ = load({plain.source, document.dump()}, {}, registry_.get());
    node_ = node;
    for (orch::NodeId i = 0; i < scenario_->workflow.nodes.size(); ++i) {
      const orch::Node& n = scenario_->workflow.nodes[i];
      if (n.name != node) continue;
      node_index_ = i;
      for (const orch::AgentIndex a : n.call.agents)
        candidates_.push_back(scenario_->agents.at(a).name);
    }
    options_.requests = requests;
    options_.duration = seconds(duration_s, "duration", true);
    if (options_.duration && !requests) options_.requests = 0;
    options_.warmup = seconds(warmup_s, "warmup", false);
    if (options_.requests.value_or(scenario_->run.requests) == 0 &&
        options_.duration.value_or(scenario_->run.duration) == sim::Duration::zero()) {
      raise_scenario_error(fmt::format(
          "{}: /run: the run has no end: set run.requests or run.duration_s, or pass requests= "
          "or duration=",
          scenario_->source));
    }
    context_ = std::make_shared<ContextSlot>();
    context_view_ = make_context_view(context_);
  }

  ~RoutingEnvCore() {
    // Python objects die with the GIL held; the worker may need it to unwind.
    py::gil_scoped_release nogil;
    stop();
  }

  // Starts an episode; returns when its first decision waits (true) or the
  // run ended without one (false).
  bool reset(std::optional<std::uint64_t> seed) {
    {
      py::gil_scoped_release nogil;
      stop();
      channel_.decisions = 0;
      channel_.action.reset();
      channel_.abandon = false;
      channel_.done = false;
      channel_.reward = 0.0;
      channel_.outcomes.clear();
      channel_.finished.clear();
      channel_.report.clear();
      channel_.error.clear();
      channel_.cause.reset();
      channel_.policy_error = false;
      eval::RunOptions options = options_;
      options.seed = seed;
      worker_ = std::thread([this, options] { work(options); });
      wait_for(0);
    }
    return finish_wait();
  }

  // Delivers the action; returns when the next decision waits (true) or the
  // run ended (false).
  bool step(std::size_t candidate, double probability) {
    const std::size_t n = candidates_.size();
    if (!worker_.joinable() || channel_.done) {
      throw std::runtime_error("the episode is over: call reset() first");
    }
    if (candidate >= n) {
      throw py::value_error(
          fmt::format("action {}: expected a candidate index in [0, {})", candidate, n));
    }
    {
      py::gil_scoped_release nogil;
      std::unique_lock<std::mutex> lock(channel_.mutex);
      const std::uint64_t before = channel_.decisions;
      channel_.action = {candidate, probability};
      channel_.cv.notify_all();
      lock.unlock();
      wait_for(before);
    }
    return finish_wait();
  }

  void close() {
    py::gil_scoped_release nogil;
    stop();
  }

  double take_reward() {
    const std::lock_guard<std::mutex> lock(channel_.mutex);
    return std::exchange(channel_.reward, 0.0);
  }

  py::list take_outcomes() {
    std::vector<orch::AttemptOutcome> outcomes;
    {
      const std::lock_guard<std::mutex> lock(channel_.mutex);
      outcomes.swap(channel_.outcomes);
    }
    py::list out;
    for (const auto& o : outcomes) out.append(attempt_dict(o));
    return out;
  }

  py::list take_finished() {
    std::vector<FinishedRequest> finished;
    {
      const std::lock_guard<std::mutex> lock(channel_.mutex);
      finished.swap(channel_.finished);
    }
    py::list out;
    for (auto& f : finished) {
      f.outcome.outcome = f.outcome_text;
      out.append(request_dict(f.outcome));
    }
    return out;
  }

  py::object context() const { return context_view_; }
  std::uint64_t decisions() const { return channel_.decisions; }
  bool done() const { return channel_.done; }
  py::object report() const {
    return channel_.done && channel_.error.empty() && !channel_.report.empty()
               ? py::object(py::str(channel_.report))
               : py::object(py::none());
  }
  const std::vector<std::string>& candidates() const { return candidates_; }
  const std::string& node() const { return node_; }
  std::uint32_t node_index() const { return node_index_; }
  std::uint32_t class_count() const { return scenario_->orchestrator.class_count; }
  std::vector<std::string> class_names() const { return scenario_->class_names; }
  const std::string& scenario_name() const { return scenario_->name; }
  std::uint64_t default_seed() const { return scenario_->run.seed; }

 private:
  static orch::policies::Reward read_reward(const std::string& json) {
    const nlohmann::ordered_json params =
        nlohmann::ordered_json{{"reward", nlohmann::ordered_json::parse(json)}};
    orch::PolicyParams p(&params, "");
    const orch::policies::Reward r = orch::policies::Reward::read(p, 0.0);
    p.finish();
    if (!p.ok()) {
      std::string message = "reward:";
      for (const auto& problem : p.problems()) {
        message += fmt::format("\n  {}: {}{}{}", problem.pointer, problem.message,
                               problem.hint.empty() ? "" : " ", problem.hint);
      }
      raise_scenario_error(message);
    }
    return r;
  }

  void work(eval::RunOptions options) {
    std::string report, error;
    SharedPyObject cause;
    bool policy_error = false;
    try {
      const eval::RunResult result = eval::run_scenario(*scenario_, options);
      report = eval::make_report(*scenario_, result).dump();
    } catch (const Abandoned&) {
    } catch (const PolicyFailure& e) {
      error = e.what();
      cause = e.exception();
      policy_error = true;
    } catch (const std::exception& e) {
      error = e.what();
    }
    const std::lock_guard<std::mutex> lock(channel_.mutex);
    channel_.report = std::move(report);
    channel_.error = std::move(error);
    channel_.cause = std::move(cause);
    channel_.policy_error = policy_error;
    channel_.done = true;
    channel_.cv.notify_all();
  }

  // Without the GIL: until a decision after the `before`-th waits, or the run ended.
  void wait_for(std::uint64_t before) {
    std::unique_lock<std::mutex> lock(channel_.mutex);
    channel_.cv.wait(lock, [&] {
      return channel_.done || (channel_.decisions > before && channel_.context != nullptr &&
                               !channel_.action.has_value());
    });
    context_->current = channel_.done ? nullptr : channel_.context;
  }

  // With the GIL: raises what stopped the run, if anything did.
  bool finish_wait() {
    if (!channel_.done) return true;
    if (worker_.joinable()) {
      py::gil_scoped_release nogil;
      worker_.join();
    }
    context_->current = nullptr;
    if (!channel_.error.empty()) {
      const std::string error = std::exchange(channel_.error, {});
      if (channel_.policy_error) {
        raise_run_failure(std::make_exception_ptr(PolicyFailure(error, channel_.cause)));
      }
      raise_run_failure(std::make_exception_ptr(std::runtime_error(error)));
    }
    return false;
  }

  // Without the GIL: abandons a running episode and joins its worker.
  void stop() {
    if (!worker_.joinable()) return;
    {
      const std::lock_guard<std::mutex> lock(channel_.mutex);
      channel_.abandon = true;
      channel_.cv.notify_all();
    }
    worker_.join();
    context_->current = nullptr;
  }

  Channel channel_;
  orch::policies::Reward reward_;
  std::shared_ptr<orch::PolicyRegistry> registry_;
  std::optional<scenarios::Scenario> scenario_;
  eval::RunOptions options_;
  std::string node_;
  orch::NodeId node_index_ = 0;
  std::vector<std::string> candidates_;
  std::shared_ptr<ContextSlot> context_;
  py::object context_view_;
  std::thread worker_;
};

}  // namespace

void bind_routing_env(py::module_& m) {
  py::class_<RoutingEnvCore>(m, "RoutingEnvCore")
      .def(py::init<const ScenarioSource&, const std::string&, const Overrides&, const py::dict&,
                    std::optional<std::uint64_t>, std::optional<double>, std::optional<double>,
                    const std::string&>(),
           py::arg("scenario"), py::arg("node"), py::arg("overrides"), py::arg("policies"),
           py::arg("requests"), py::arg("duration_s"), py::arg("warmup_s"), py::arg("reward"))
      .def("reset", &RoutingEnvCore::reset, py::arg("seed"))
      .def("step", &RoutingEnvCore::step, py::arg("candidate"), py::arg("probability"))
      .def("close", &RoutingEnvCore::close)
      .def("take_reward", &RoutingEnvCore::take_reward)
      .def("take_outcomes", &RoutingEnvCore::take_outcomes)
      .def("take_finished", &RoutingEnvCore::take_finished)
      .def("context", &RoutingEnvCore::context)
      .def("report", &RoutingEnvCore::report)
      .def_property_readonly("decisions", &RoutingEnvCore::decisions)
      .def_property_readonly("done", &RoutingEnvCore::done)
      .def_property_readonly("candidates", &RoutingEnvCore::candidates)
      .def_property_readonly("node", &RoutingEnvCore::node)
      .def_property_readonly("node_index", &RoutingEnvCore::node_index)
      .def_property_readonly("class_count", &RoutingEnvCore::class_count)
      .def_property_readonly("class_names", &RoutingEnvCore::class_names)
      .def_property_readonly("scenario_name", &RoutingEnvCore::scenario_name)
      .def_property_readonly("default_seed", &RoutingEnvCore::default_seed);
}

}  // namespace orchsim::python
