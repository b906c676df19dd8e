#include "python/src/views.hpp"

#include <pybind11/stl.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace orchsim::python {

namespace {

namespace orch = orchestration;

constexpr double kInf = std::numeric_limits<double>::infinity();

double ms(sim::Time t) { return static_cast<double>(t.count_ns()) * 1e-6; }
double ms(sim::Duration d) { return d.milliseconds_f(); }

[[noreturn]] void stale(const char* what, const char* during) {
  throw std::runtime_error(std::string("this ") + what + " is valid only during " + during +
                           ": keep what you need (to_dict() copies it)");
}

// --- DecisionContext and its parts ----------------------------------------------

struct ContextRef {
  std::shared_ptr<ContextSlot> slot;
  const orch::DecisionContext& get() const {
    if (!slot->current) stale("DecisionContext", "choose()");
    return *slot->current;
  }
};

struct CandidateView : ContextRef {
  std::size_t index = 0;
  orch::Candidate get_candidate() const {
    const orch::DecisionContext& c = get();
    if (index >= c.size()) stale("Candidate", "choose()");
    return c[index];
  }
};

struct CandidatesView : ContextRef {
  std::vector<py::object> items;  // CandidateView, made on first use
  py::object item(std::size_t i) {
    while (items.size() <= i) {
      CandidateView v;
      v.slot = slot;
      v.index = items.size();
      items.push_back(py::cast(std::move(v)));
    }
    return items[i];
  }
};

struct PreviousView : ContextRef {};
struct RandomView : ContextRef {};

struct ContextView : ContextRef {
  py::object candidates, previous, random;
};

struct AttemptView {
  std::shared_ptr<AttemptSlot> slot;
  const orch::AttemptOutcome& get() const {
    if (!slot->current) stale("AttemptOutcome", "observe()");
    return *slot->current;
  }
};

struct RequestView {
  std::shared_ptr<RequestSlot> slot;
  const orch::RequestOutcome& get() const {
    if (!slot->current) stale("RequestOutcome", "request_finished()");
    return *slot->current;
  }
};

double time_left_ms(const orch::DecisionContext& c) {
  return c.deadline == sim::Time::max() ? kInf : ms(c.deadline - c.now);
}

py::dict candidate_dict(const orch::Candidate& k, std::size_t index) {
  py::dict d;
  d["index"] = index;
  d["agent"] = k.agent();
  d["name"] = k.name();
  d["eligible"] = k.eligible();
  d["breaker"] = orch::to_string(k.breaker());
  d["in_flight"] = k.in_flight();
  d["in_service"] = k.in_service();
  d["queued"] = k.queued();
  d["servers"] = k.servers();
  d["ewma_latency_ms"] = k.ewma_latency_ms();
  d["ewma_error_rate"] = k.ewma_error_rate();
  d["ewma_confidence"] = k.ewma_confidence();
  d["ewma_cost_usd"] = k.ewma_cost_usd();
  d["observations"] = k.observations();
  d["usd_per_1k_input_tokens"] = k.usd_per_1k_input_tokens();
  d["usd_per_1k_output_tokens"] = k.usd_per_1k_output_tokens();
  d["context_window_tokens"] = k.context_window_tokens();
  d["rate_limit_headroom"] = k.rate_limit_headroom();
  return d;
}

py::dict previous_dict(const orch::PreviousStep& p) {
  py::dict d;
  d["exists"] = p.exists;
  d["failed"] = p.failed;
  d["error"] = mock_agents::to_string(p.error);
  d["label"] = p.label;
  d["confidence"] = p.confidence;
  d["verdict_pass"] = p.verdict_pass;
  return d;
}

py::dict context_dict(const orch::DecisionContext& c) {
  py::dict d;
  d["now_ms"] = ms(c.now);
  d["request"] = c.request;
  d["class_index"] = c.class_index;
  d["class_count"] = c.class_count;
  d["input_tokens"] = c.input_tokens;
  d["context_tokens"] = c.context_tokens;
  d["deadline_ms"] = c.deadline == sim::Time::max() ? kInf : ms(c.deadline);
  d["time_left_ms"] = time_left_ms(c);
  d["cost_usd"] = c.cost_usd;
  d["node"] = c.node;
  d["node_name"] = c.node_name;
  d["visit"] = c.visit;
  d["attempt"] = c.attempt;
  d["kind"] = orch::to_string(c.kind);
  d["escalations"] = c.escalations;
  d["previous"] = previous_dict(c.previous);
  py::list candidates;
  for (std::size_t i = 0; i < c.size(); ++i) candidates.append(candidate_dict(c[i], i));
  d["candidates"] = candidates;
  return d;
}

void bind_context(py::module_& m) {
  py::class_<CandidateView>(m, "Candidate", R"doc(
One candidate agent of a decision, as a router can see it at decision time.
Read-only; valid only during the choose() call that received it.)doc")
      .def_property_readonly(
          "index", [](const CandidateView& v) { return v.index; },
          "Position in ctx.candidates: what choose() returns to pick this agent.")
      .def_property_readonly(
          "agent", [](const CandidateView& v) { return v.get_candidate().agent(); },
          "Index of the agent among the scenario's agents.")
      .def_property_readonly(
          "name", [](const CandidateView& v) { return v.get_candidate().name(); },
          "The agent's name.")
      .def_property_readonly(
          "eligible", [](const CandidateView& v) { return v.get_candidate().eligible(); },
          "False while its circuit breaker is open (a call to it would be rejected).")
      .def_property_readonly(
          "breaker",
          [](const CandidateView& v) { return orch::to_string(v.get_candidate().breaker()); },
          "Circuit breaker state: 'closed', 'open' or 'half_open' ('closed' without breakers).")
      .def_property_readonly(
          "in_flight", [](const CandidateView& v) { return v.get_candidate().in_flight(); },
          "This orchestrator's calls to the agent not yet ended.")
      .def_property_readonly(
          "in_service", [](const CandidateView& v) { return v.get_candidate().in_service(); },
          "Calls being served now.")
      .def_property_readonly(
          "queued", [](const CandidateView& v) { return v.get_candidate().queued(); },
          "Calls waiting for a server.")
      .def_property_readonly(
          "servers", [](const CandidateView& v) { return v.get_candidate().servers(); },
          "Concurrent calls the agent serves.")
      .def_property_readonly(
          "ewma_latency_ms",
          [](const CandidateView& v) { return v.get_candidate().ewma_latency_ms(); },
          "EWMA of its call latency (answered calls and errors), ms.")
      .def_property_readonly(
          "ewma_error_rate",
          [](const CandidateView& v) { return v.get_candidate().ewma_error_rate(); },
          "EWMA of its share of failed calls (errors and timeouts).")
      .def_property_readonly(
          "ewma_confidence",
          [](const CandidateView& v) { return v.get_candidate().ewma_confidence(); },
          "EWMA of the confidence its answers reported (1 until observed).")
      .def_property_readonly(
          "ewma_cost_usd", [](const CandidateView& v) { return v.get_candidate().ewma_cost_usd(); },
          "EWMA of the cost of its calls, USD.")
      .def_property_readonly(
          "observations", [](const CandidateView& v) { return v.get_candidate().observations(); },
          "Calls behind the latency average.")
      .def_property_readonly(
          "usd_per_1k_input_tokens",
          [](const CandidateView& v) { return v.get_candidate().usd_per_1k_input_tokens(); },
          "Published price per 1000 input tokens, USD.")
      .def_property_readonly(
          "usd_per_1k_output_tokens",
          [](const CandidateView& v) { return v.get_candidate().usd_per_1k_output_tokens(); },
          "Published price per 1000 output tokens, USD.")
      .def_property_readonly(
          "context_window_tokens",
          [](const CandidateView& v) { return v.get_candidate().context_window_tokens(); },
          "The agent's context window, tokens.")
      .def_property_readonly(
          "rate_limit_headroom",
          [](const CandidateView& v) { return v.get_candidate().rate_limit_headroom(); },
          "Share of its rate limits' buckets available now, in [0, 1]; 1 without limits.")
      .def(
          "to_dict",
          [](const CandidateView& v) { return candidate_dict(v.get_candidate(), v.index); },
          "A copy of every field, as a dict.")
      .def("__repr__", [](const CandidateView& v) {
        const orch::DecisionContext* c = v.slot->current;
        return c && v.index < c->size() ? "<orchsim.Candidate " + std::to_string(v.index) + " '" +
                                              std::string((*c)[v.index].name()) + "'>"
                                        : std::string("<orchsim.Candidate (ended)>");
      });

  py::class_<CandidatesView>(m, "Candidates", R"doc(
The candidates of a decision: a lazy, read-only sequence of Candidate views
(len(), indexing, iteration). Valid only during choose().)doc")
      .def("__len__", [](const CandidatesView& v) { return v.get().size(); })
      .def("__getitem__",
           [](CandidatesView& v, std::ptrdiff_t i) {
             const auto n = static_cast<std::ptrdiff_t>(v.get().size());
             if (i < 0) i += n;
             if (i < 0 || i >= n) throw py::index_error("candidate index out of range");
             return v.item(static_cast<std::size_t>(i));
           })
      .def(
          "__iter__",
          [](CandidatesView& v) {
            py::list all;
            for (std::size_t i = 0; i < v.get().size(); ++i) all.append(v.item(i));
            return py::iter(all);
          },
          "Iterates over the Candidate views.");

  py::class_<PreviousView>(m, "PreviousStep", R"doc(
The step before this one on the same flow (branch). Valid only during choose().)doc")
      .def_property_readonly(
          "exists", [](const PreviousView& v) { return v.get().previous.exists; },
          "False on the flow's first step.")
      .def_property_readonly(
          "failed", [](const PreviousView& v) { return v.get().previous.failed; },
          "Whether it failed.")
      .def_property_readonly(
          "error",
          [](const PreviousView& v) { return mock_agents::to_string(v.get().previous.error); },
          "Its error kind ('none', 'transient', 'rate_limited', ...).")
      .def_property_readonly(
          "label", [](const PreviousView& v) { return v.get().previous.label; },
          "Output class index of the agent that answered.")
      .def_property_readonly(
          "confidence", [](const PreviousView& v) { return v.get().previous.confidence; },
          "Confidence its answer reported.")
      .def_property_readonly(
          "verdict_pass", [](const PreviousView& v) { return v.get().previous.verdict_pass; },
          "The verdict of a judge or critic step.")
      .def(
          "to_dict", [](const PreviousView& v) { return previous_dict(v.get().previous); },
          "A copy, as a dict.");

  py::class_<RandomView>(m, "RandomStream", R"doc(
The decision's own random stream, keyed by (request, node, visit, attempt)
like every other draw of the simulator: runs are reproducible, and two
policies compared on one seed face the same world (common random numbers).
Use it, never the random module or a clock. Valid only during choose().)doc")
      .def(
          "uniform",
          [](const RandomView& v, double lo, double hi) {
            return v.get().random().uniform(lo, hi);
          },
          py::arg("low") = 0.0, py::arg("high") = 1.0, "Uniform on [low, high).")
      .def(
          "below",
          [](const RandomView& v, std::uint64_t n) {
            if (n == 0) throw py::value_error("below(n) needs n > 0");
            return v.get().random().below(n);
          },
          py::arg("n"), "Uniform integer in [0, n).")
      .def(
          "bernoulli", [](const RandomView& v, double p) { return v.get().random().bernoulli(p); },
          py::arg("p"), "True with probability p.")
      .def(
          "normal", [](const RandomView& v) { return v.get().random().standard_normal(); },
          "Standard normal N(0, 1).")
      .def(
          "exponential",
          [](const RandomView& v) { return v.get().random().standard_exponential(); },
          "Standard exponential Exp(1).");

  py::class_<ContextView>(m, "DecisionContext", R"doc(
What a real router could know when it decides, plus a random stream.

Read-only, and valid only during the choose() call that received it (a
RuntimeError after): copy with to_dict() what you keep. Reading a field costs
no allocation on the C++ side; nothing is built that you do not read. Times
are milliseconds of simulated time.)doc")
      .def_property_readonly(
          "now_ms", [](const ContextView& v) { return ms(v.get().now); }, "Simulated time now, ms.")
      .def_property_readonly(
          "request", [](const ContextView& v) { return v.get().request; }, "The request's id.")
      .def_property_readonly(
          "class_index", [](const ContextView& v) { return v.get().class_index; },
          "The request's class (index into the scenario's workload classes).")
      .def_property_readonly(
          "class_count", [](const ContextView& v) { return v.get().class_count; },
          "Number of request classes.")
      .def_property_readonly(
          "input_tokens", [](const ContextView& v) { return v.get().input_tokens; },
          "Tokens of the request's query.")
      .def_property_readonly(
          "context_tokens", [](const ContextView& v) { return v.get().context_tokens; },
          "Tokens of the flow's context now, before fitting to a window.")
      .def_property_readonly(
          "deadline_ms",
          [](const ContextView& v) {
            const auto& c = v.get();
            return c.deadline == sim::Time::max() ? kInf : ms(c.deadline);
          },
          "The request's deadline, ms of simulated time (inf: none).")
      .def_property_readonly(
          "time_left_ms", [](const ContextView& v) { return time_left_ms(v.get()); },
          "Time left to the deadline, ms (inf: none).")
      .def_property_readonly(
          "cost_usd", [](const ContextView& v) { return v.get().cost_usd; },
          "Money spent on the request so far, USD.")
      .def_property_readonly(
          "node", [](const ContextView& v) { return v.get().node; }, "The node's index.")
      .def_property_readonly(
          "node_name", [](const ContextView& v) { return v.get().node_name; }, "The node's name.")
      .def_property_readonly(
          "visit", [](const ContextView& v) { return v.get().visit; },
          "1 on the request's first visit of the node.")
      .def_property_readonly(
          "attempt", [](const ContextView& v) { return v.get().attempt; },
          "Attempts this step has started so far.")
      .def_property_readonly(
          "kind", [](const ContextView& v) { return orch::to_string(v.get().kind); },
          "Why an agent is needed: 'first', 'retry', 'hedge' or 'cascade'.")
      .def_property_readonly(
          "escalations", [](const ContextView& v) { return v.get().escalations; },
          "Answers declined by accepts() in this step.")
      .def_property_readonly(
          "previous",
          [](const ContextView& v) {
            (void)v.get();
            return v.previous;
          },
          "The step before this one on the same flow (PreviousStep).")
      .def_property_readonly(
          "candidates",
          [](const ContextView& v) {
            (void)v.get();
            return v.candidates;
          },
          "The candidate agents (Candidates: a lazy sequence of Candidate views). choose() "
          "returns an index into it.")
      .def_property_readonly(
          "explain", [](const ContextView& v) { return v.get().explain(); },
          "Whether someone logs reasons and scores: return scores only then.")
      .def(
          "random",
          [](const ContextView& v) {
            (void)v.get();
            return v.random;
          },
          "The decision's random stream (RandomStream).")
      .def(
          "to_dict", [](const ContextView& v) { return context_dict(v.get()); },
          "A copy of every field and every candidate's, as plain dicts and lists.")
      .def("__repr__", [](const ContextView& v) {
        const orch::DecisionContext* c = v.slot->current;
        return c ? "<orchsim.DecisionContext request " + std::to_string(c->request) + " at '" +
                       std::string(c->node_name) + "'>"
                 : std::string("<orchsim.DecisionContext (ended)>");
      });
}

// --- Outcomes ---------------------------------------------------------------

void bind_outcomes(py::module_& m) {
  py::class_<AttemptView>(m, "AttemptOutcome", R"doc(
How one attempt the policy chose ended: every attempt, whether it succeeded,
was rejected by a validator, failed, timed out or was cancelled. Read-only,
valid only during the observe() (or accepts()) call that received it; to_dict()
copies it. Fields marked ORACLE are the simulator's ground truth, which a
deployed router never sees: use them for upper bounds and evaluation only.)doc")
      .def_property_readonly(
          "at_ms", [](const AttemptView& v) { return ms(v.get().at); }, "When it ended, ms.")
      .def_property_readonly(
          "request", [](const AttemptView& v) { return v.get().request; }, "The request's id.")
      .def_property_readonly(
          "class_index", [](const AttemptView& v) { return v.get().class_index; },
          "The request's class.")
      .def_property_readonly(
          "request_input_tokens", [](const AttemptView& v) { return v.get().request_input_tokens; },
          "Tokens of the request's query, as DecisionContext.input_tokens.")
      .def_property_readonly(
          "node", [](const AttemptView& v) { return v.get().node; }, "The node's index.")
      .def_property_readonly(
          "decision", [](const AttemptView& v) { return v.get().decision; },
          "Id of the routing decision that chose it (the decision log's).")
      .def_property_readonly(
          "candidate", [](const AttemptView& v) { return v.get().candidate; },
          "The candidate index choose() returned.")
      .def_property_readonly(
          "agent", [](const AttemptView& v) { return v.get().agent; }, "The agent's index.")
      .def_property_readonly(
          "attempt", [](const AttemptView& v) { return v.get().attempt; },
          "The attempt's number within its step.")
      .def_property_readonly(
          "kind", [](const AttemptView& v) { return orch::to_string(v.get().kind); },
          "'first', 'retry', 'hedge', 'cascade', ...")
      .def_property_readonly(
          "escalations", [](const AttemptView& v) { return v.get().escalations; },
          "Answers declined by accepts() in its step so far.")
      .def_property_readonly(
          "end", [](const AttemptView& v) { return orch::to_string(v.get().end); },
          "'success', 'invalid' (a validator caught a silent failure), 'error', 'timeout' or "
          "'cancelled' (a hedge that lost, a step that ended).")
      .def_property_readonly(
          "ok", [](const AttemptView& v) { return v.get().ok(); }, "end == 'success'.")
      .def_property_readonly(
          "error", [](const AttemptView& v) { return mock_agents::to_string(v.get().error); },
          "The error kind for end == 'error' ('transient', 'rate_limited', ...), else 'none'.")
      .def_property_readonly(
          "latency_ms", [](const AttemptView& v) { return ms(v.get().latency); },
          "From the call's start to its end, ms.")
      .def_property_readonly(
          "queue_wait_ms", [](const AttemptView& v) { return ms(v.get().queue_wait); },
          "Time it waited for a server, ms.")
      .def_property_readonly(
          "input_tokens", [](const AttemptView& v) { return v.get().input_tokens; }, "Tokens sent.")
      .def_property_readonly(
          "output_tokens", [](const AttemptView& v) { return v.get().output_tokens; },
          "Tokens received.")
      .def_property_readonly(
          "cost_usd", [](const AttemptView& v) { return v.get().cost_usd; }, "Its cost, USD.")
      .def_property_readonly(
          "confidence", [](const AttemptView& v) { return v.get().confidence; },
          "Confidence the output reported (success and invalid only; else 0).")
      .def_property_readonly(
          "label", [](const AttemptView& v) { return v.get().label; },
          "Output class index (success and invalid only).")
      .def_property_readonly(
          "verdict_pass", [](const AttemptView& v) { return v.get().verdict_pass; },
          "A judge's or critic's verdict on what it judged.")
      .def_property_readonly(
          "oracle_quality", [](const AttemptView& v) { return v.get().oracle_quality; },
          "ORACLE: the true quality of the output (0 without one).")
      .def_property_readonly(
          "oracle_silent_failure",
          [](const AttemptView& v) { return v.get().oracle_silent_failure; },
          "ORACLE: whether the output was a silent failure.")
      .def(
          "to_dict", [](const AttemptView& v) { return attempt_dict(v.get()); },
          "A copy of every field, as a dict.");

  py::class_<RequestView>(m, "RequestOutcome", R"doc(
How a request that visited the policy's node ended (in any way). Read-only,
valid only during the request_finished() call that received it; to_dict()
copies it. Fields marked ORACLE are ground truth a deployment does not have.)doc")
      .def_property_readonly(
          "at_ms", [](const RequestView& v) { return ms(v.get().at); }, "When it ended, ms.")
      .def_property_readonly(
          "request", [](const RequestView& v) { return v.get().request; }, "The request's id.")
      .def_property_readonly(
          "class_index", [](const RequestView& v) { return v.get().class_index; },
          "The request's class.")
      .def_property_readonly(
          "success", [](const RequestView& v) { return v.get().success; },
          "Whether it ended with an answer.")
      .def_property_readonly(
          "outcome", [](const RequestView& v) { return v.get().outcome; },
          "The terminal's outcome ('answered', ...) or the failure cause.")
      .def_property_readonly(
          "latency_ms", [](const RequestView& v) { return ms(v.get().latency); },
          "End-to-end latency, ms.")
      .def_property_readonly(
          "cost_usd", [](const RequestView& v) { return v.get().cost_usd; }, "Its cost, USD.")
      .def_property_readonly(
          "input_tokens", [](const RequestView& v) { return v.get().input_tokens; },
          "Tokens sent over all its calls.")
      .def_property_readonly(
          "output_tokens", [](const RequestView& v) { return v.get().output_tokens; },
          "Tokens received over all its calls.")
      .def_property_readonly(
          "calls", [](const RequestView& v) { return v.get().calls; }, "Calls it made.")
      .def_property_readonly(
          "judged", [](const RequestView& v) { return v.get().judged; },
          "Whether a judge or critic gave a verdict on its main path.")
      .def_property_readonly(
          "verdict_pass", [](const RequestView& v) { return v.get().verdict_pass; },
          "The last such verdict.")
      .def_property_readonly(
          "answer_confidence", [](const RequestView& v) { return v.get().answer_confidence; },
          "What the orchestrator saw of its answer's confidence.")
      .def_property_readonly(
          "oracle_quality", [](const RequestView& v) { return v.get().oracle_quality; },
          "ORACLE: the true quality of the answer (0 on failure).")
      .def_property_readonly(
          "oracle_silent_failure",
          [](const RequestView& v) { return v.get().oracle_silent_failure; },
          "ORACLE: whether the answer was an undetected silent failure.")
      .def(
          "to_dict", [](const RequestView& v) { return request_dict(v.get()); },
          "A copy of every field, as a dict.");
}

}  // namespace

py::object make_context_view(std::shared_ptr<ContextSlot> slot) {
  ContextView v;
  v.slot = slot;
  CandidatesView candidates;
  candidates.slot = slot;
  v.candidates = py::cast(std::move(candidates));
  PreviousView previous;
  previous.slot = slot;
  v.previous = py::cast(std::move(previous));
  RandomView random;
  random.slot = slot;
  v.random = py::cast(std::move(random));
  return py::cast(std::move(v));
}

py::object make_attempt_view(std::shared_ptr<AttemptSlot> slot) {
  return py::cast(AttemptView{std::move(slot)});
}

py::object make_request_view(std::shared_ptr<RequestSlot> slot) {
  return py::cast(RequestView{std::move(slot)});
}

py::dict attempt_dict(const orch::AttemptOutcome& o) {
  py::dict d;
  d["at_ms"] = ms(o.at);
  d["request"] = o.request;
  d["class_index"] = o.class_index;
  d["request_input_tokens"] = o.request_input_tokens;
  d["node"] = o.node;
  d["decision"] = o.decision;
  d["candidate"] = o.candidate;
  d["agent"] = o.agent;
  d["attempt"] = o.attempt;
  d["kind"] = orch::to_string(o.kind);
  d["escalations"] = o.escalations;
  d["end"] = orch::to_string(o.end);
  d["ok"] = o.ok();
  d["error"] = mock_agents::to_string(o.error);
  d["latency_ms"] = ms(o.latency);
  d["queue_wait_ms"] = ms(o.queue_wait);
  d["input_tokens"] = o.input_tokens;
  d["output_tokens"] = o.output_tokens;
  d["cost_usd"] = o.cost_usd;
  d["confidence"] = o.confidence;
  d["label"] = o.label;
  d["verdict_pass"] = o.verdict_pass;
  d["oracle_quality"] = o.oracle_quality;
  d["oracle_silent_failure"] = o.oracle_silent_failure;
  return d;
}

py::dict request_dict(const orch::RequestOutcome& r) {
  py::dict d;
  d["at_ms"] = ms(r.at);
  d["request"] = r.request;
  d["class_index"] = r.class_index;
  d["success"] = r.success;
  d["outcome"] = r.outcome;
  d["latency_ms"] = ms(r.latency);
  d["cost_usd"] = r.cost_usd;
  d["input_tokens"] = r.input_tokens;
  d["output_tokens"] = r.output_tokens;
  d["calls"] = r.calls;
  d["judged"] = r.judged;
  d["verdict_pass"] = r.verdict_pass;
  d["answer_confidence"] = r.answer_confidence;
  d["oracle_quality"] = r.oracle_quality;
  d["oracle_silent_failure"] = r.oracle_silent_failure;
  return d;
}

void bind_views(py::module_& m) {
  bind_context(m);
  bind_outcomes(m);
}

}  // namespace orchsim::python
