// The views are plain CPython types (PyType_FromSpec, getset descriptors),
// not pybind11 classes: a policy reads fields in its hot loop, and a getset
// getter costs a C call where a pybind11 property costs a dispatch through
// argument casters (~5x more). Strings of enums are interned once.
#include "python/src/views.hpp"

#include <array>
#include <cmath>
#include <limits>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace orchsim::python {

namespace {

namespace orch = orchestration;
using Ctx = orch::DecisionContext;

constexpr double kInf = std::numeric_limits<double>::infinity();

double ms(sim::Time t) { return static_cast<double>(t.count_ns()) * 1e-6; }
double ms(sim::Duration d) { return d.milliseconds_f(); }
double time_left_ms(const Ctx& c) {
  return c.deadline == sim::Time::max() ? kInf : ms(c.deadline - c.now);
}
double deadline_ms(const Ctx& c) { return c.deadline == sim::Time::max() ? kInf : ms(c.deadline); }

// --- C++ values as Python objects ---------------------------------------------

// The names of enum values, as interned str objects made once.
template <class E, std::size_t N>
class Names {
 public:
  PyObject* get(E e) {
    const auto i = static_cast<std::size_t>(e);
    if (i >= N) return PyUnicode_FromString("?");
    if (names_[i] == nullptr) {
      const std::string text(to_name(e));
      names_[i] = PyUnicode_InternFromString(text.c_str());
      if (names_[i] == nullptr) return nullptr;
    }
    Py_INCREF(names_[i]);
    return names_[i];
  }

 private:
  static std::string_view to_name(E e) {
    if constexpr (std::is_same_v<E, mock_agents::ErrorKind>) {
      return mock_agents::to_string(e);
    } else {
      return orch::to_string(e);
    }
  }
  std::array<PyObject*, N> names_{};  // never released: they live as long as the process
};

Names<orch::AttemptKind, 8> attempt_kinds;
Names<orch::CallEnd, 5> call_ends;
Names<mock_agents::ErrorKind, 7> error_kinds;
Names<orch::BreakerState, 3> breaker_states;

PyObject* to_py(double x) { return PyFloat_FromDouble(x); }
PyObject* to_py(bool x) { return PyBool_FromLong(x ? 1 : 0); }
PyObject* to_py(std::uint32_t x) { return PyLong_FromUnsignedLong(x); }
PyObject* to_py(unsigned long x) { return PyLong_FromUnsignedLong(x); }
PyObject* to_py(long x) { return PyLong_FromLong(x); }
PyObject* to_py(std::string_view s) {
  return PyUnicode_FromStringAndSize(s.data(), static_cast<Py_ssize_t>(s.size()));
}
PyObject* to_py(orch::AttemptKind k) { return attempt_kinds.get(k); }
PyObject* to_py(orch::CallEnd e) { return call_ends.get(e); }
PyObject* to_py(mock_agents::ErrorKind e) { return error_kinds.get(e); }
PyObject* to_py(orch::BreakerState b) { return breaker_states.get(b); }

// Runs `f` (pybind11 code) for a C-API function: a Python error set on the way
// becomes a null return, as the C API wants.
template <class F>
PyObject* guarded(F f) {
  try {
    return f().release().ptr();
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
  return nullptr;
}

// --- The view objects ---------------------------------------------------------

struct ContextObject {
  PyObject_HEAD std::shared_ptr<ContextSlot> slot;
  PyObject* candidates;  // CandidatesObject
  PyObject* previous;    // PreviousObject
  PyObject* random;      // RandomObject
};

// Candidates, PreviousStep and RandomStream views: the context's slot.
struct ContextPartObject {
  PyObject_HEAD std::shared_ptr<ContextSlot> slot;
};

struct CandidatesObject {
  PyObject_HEAD std::shared_ptr<ContextSlot> slot;
  std::vector<PyObject*> items;  // CandidateObject by index, made on first use
};

struct CandidateObject {
  PyObject_HEAD std::shared_ptr<ContextSlot> slot;
  std::size_t index;
};

template <class T>
struct OutcomeObject {
  PyObject_HEAD std::shared_ptr<Slot<T>> slot;
};
using AttemptObject = OutcomeObject<orch::AttemptOutcome>;
using RequestObject = OutcomeObject<orch::RequestOutcome>;

PyTypeObject* context_type = nullptr;
PyTypeObject* candidates_type = nullptr;
PyTypeObject* candidate_type = nullptr;
PyTypeObject* previous_type = nullptr;
PyTypeObject* random_type = nullptr;
PyTypeObject* attempt_type = nullptr;
PyTypeObject* request_type = nullptr;

template <class O>
O* allocate(PyTypeObject* type) {
  PyObject* o = type->tp_alloc(type, 0);
  if (o == nullptr) throw py::error_already_set();
  return reinterpret_cast<O*>(o);
}

template <class O>
void free_object(O* o) {
  PyTypeObject* type = Py_TYPE(o);
  type->tp_free(reinterpret_cast<PyObject*>(o));
  Py_DECREF(type);  // a heap type's instances hold a reference to it
}

void context_dealloc(PyObject* self) {
  auto* o = reinterpret_cast<ContextObject*>(self);
  Py_XDECREF(o->candidates);
  Py_XDECREF(o->previous);
  Py_XDECREF(o->random);
  o->slot.~shared_ptr();
  free_object(o);
}

void part_dealloc(PyObject* self) {
  auto* o = reinterpret_cast<ContextPartObject*>(self);
  o->slot.~shared_ptr();
  free_object(o);
}

void candidates_dealloc(PyObject* self) {
  auto* o = reinterpret_cast<CandidatesObject*>(self);
  for (PyObject* item : o->items) Py_DECREF(item);
  o->items.~vector();
  o->slot.~shared_ptr();
  free_object(o);
}

void candidate_dealloc(PyObject* self) {
  auto* o = reinterpret_cast<CandidateObject*>(self);
  o->slot.~shared_ptr();
  free_object(o);
}

template <class T>
void outcome_dealloc(PyObject* self) {
  auto* o = reinterpret_cast<OutcomeObject<T>*>(self);
  o->slot.~shared_ptr();
  free_object(o);
}

template <class T>
const T* current(const Slot<T>& slot, const char* what, const char* during) {
  if (slot.current != nullptr) return slot.current;
  PyErr_Format(PyExc_RuntimeError,
               "this %s is valid only during %s: keep what you need (to_dict() copies it)", what,
               during);
  return nullptr;
}

const Ctx* context_of(PyObject* self) {
  return current(*reinterpret_cast<ContextPartObject*>(self)->slot, "DecisionContext", "choose()");
}
const Ctx* context_of_view(PyObject* self) {
  return current(*reinterpret_cast<ContextObject*>(self)->slot, "DecisionContext", "choose()");
}

// The candidate a Candidate view stands for, or null with RuntimeError set.
const Ctx* candidate_context(PyObject* self) {
  auto* o = reinterpret_cast<CandidateObject*>(self);
  const Ctx* c = current(*o->slot, "Candidate", "choose()");
  if (c != nullptr && o->index >= c->size()) {
    PyErr_SetString(PyExc_RuntimeError, "this Candidate is not a candidate of this decision");
    return nullptr;
  }
  return c;
}

// Getters: F maps the C++ object to a value to_py() converts.
template <auto F>
PyObject* context_get(PyObject* self, void*) {
  const Ctx* c = context_of_view(self);
  return c ? to_py(F(*c)) : nullptr;
}

template <auto F>
PyObject* previous_get(PyObject* self, void*) {
  const Ctx* c = context_of(self);
  return c ? to_py(F(c->previous)) : nullptr;
}

template <auto F>
PyObject* candidate_get(PyObject* self, void*) {
  const Ctx* c = candidate_context(self);
  return c ? to_py(F((*c)[reinterpret_cast<CandidateObject*>(self)->index])) : nullptr;
}

template <auto F>
PyObject* attempt_get(PyObject* self, void*) {
  const auto* o = current(*reinterpret_cast<AttemptObject*>(self)->slot, "AttemptOutcome",
                          "observe() or accepts()");
  return o ? to_py(F(*o)) : nullptr;
}

template <auto F>
PyObject* request_get(PyObject* self, void*) {
  const auto* r = current(*reinterpret_cast<RequestObject*>(self)->slot, "RequestOutcome",
                          "request_finished()");
  return r ? to_py(F(*r)) : nullptr;
}

// --- Copies as dicts ----------------------------------------------------------

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

py::dict context_dict(const Ctx& c) {
  py::dict d;
  d["now_ms"] = ms(c.now);
  d["request"] = c.request;
  d["class_index"] = c.class_index;
  d["class_count"] = c.class_count;
  d["input_tokens"] = c.input_tokens;
  d["context_tokens"] = c.context_tokens;
  d["deadline_ms"] = deadline_ms(c);
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

PyObject* context_to_dict(PyObject* self, PyObject*) {
  const Ctx* c = context_of_view(self);
  return c ? guarded([&] { return context_dict(*c); }) : nullptr;
}
PyObject* previous_to_dict(PyObject* self, PyObject*) {
  const Ctx* c = context_of(self);
  return c ? guarded([&] { return previous_dict(c->previous); }) : nullptr;
}
PyObject* candidate_to_dict(PyObject* self, PyObject*) {
  const Ctx* c = candidate_context(self);
  const std::size_t i = reinterpret_cast<CandidateObject*>(self)->index;
  return c ? guarded([&] { return candidate_dict((*c)[i], i); }) : nullptr;
}
PyObject* attempt_to_dict(PyObject* self, PyObject*) {
  const auto* o = current(*reinterpret_cast<AttemptObject*>(self)->slot, "AttemptOutcome",
                          "observe() or accepts()");
  return o ? guarded([&] { return attempt_dict(*o); }) : nullptr;
}
PyObject* request_to_dict(PyObject* self, PyObject*) {
  const auto* r = current(*reinterpret_cast<RequestObject*>(self)->slot, "RequestOutcome",
                          "request_finished()");
  return r ? guarded([&] { return request_dict(*r); }) : nullptr;
}

// --- DecisionContext ----------------------------------------------------------

template <PyObject* ContextObject::*Part>
PyObject* context_part(PyObject* self, void*) {
  if (context_of_view(self) == nullptr) return nullptr;
  PyObject* part = reinterpret_cast<ContextObject*>(self)->*Part;
  Py_INCREF(part);
  return part;
}

PyObject* context_random(PyObject* self, PyObject*) {
  return context_part<&ContextObject::random>(self, nullptr);
}

PyObject* context_repr(PyObject* self) {
  const Ctx* c = reinterpret_cast<ContextObject*>(self)->slot->current;
  if (c == nullptr) return PyUnicode_FromString("<orchsim.DecisionContext (ended)>");
  const std::string node(c->node_name);
  return PyUnicode_FromFormat("<orchsim.DecisionContext request %llu at '%s'>",
                              static_cast<unsigned long long>(c->request), node.c_str());
}

PyGetSetDef context_getset[] = {
    {"now_ms", context_get<[](const Ctx& c) { return ms(c.now); }>, nullptr,
     "Simulated time now, ms.", nullptr},
    {"request", context_get<[](const Ctx& c) { return c.request; }>, nullptr, "The request's id.",
     nullptr},
    {"class_index", context_get<[](const Ctx& c) { return c.class_index; }>, nullptr,
     "The request's class (index into the scenario's workload classes).", nullptr},
    {"class_count", context_get<[](const Ctx& c) { return c.class_count; }>, nullptr,
     "Number of request classes.", nullptr},
    {"input_tokens", context_get<[](const Ctx& c) { return c.input_tokens; }>, nullptr,
     "Tokens of the request's query.", nullptr},
    {"context_tokens", context_get<[](const Ctx& c) { return c.context_tokens; }>, nullptr,
     "Tokens of the flow's context now, before fitting to an agent's window.", nullptr},
    {"deadline_ms", context_get<[](const Ctx& c) { return deadline_ms(c); }>, nullptr,
     "The request's deadline, ms of simulated time (inf: none).", nullptr},
    {"time_left_ms", context_get<[](const Ctx& c) { return time_left_ms(c); }>, nullptr,
     "Time left to the deadline, ms (inf: none).", nullptr},
    {"cost_usd", context_get<[](const Ctx& c) { return c.cost_usd; }>, nullptr,
     "Money spent on the request so far, USD.", nullptr},
    {"node", context_get<[](const Ctx& c) { return c.node; }>, nullptr, "The node's index.",
     nullptr},
    {"node_name", context_get<[](const Ctx& c) { return c.node_name; }>, nullptr,
     "The node's name.", nullptr},
    {"visit", context_get<[](const Ctx& c) { return c.visit; }>, nullptr,
     "1 on the request's first visit of the node.", nullptr},
    {"attempt", context_get<[](const Ctx& c) { return c.attempt; }>, nullptr,
     "Attempts this step has started so far.", nullptr},
    {"kind", context_get<[](const Ctx& c) { return c.kind; }>, nullptr,
     "Why an agent is needed: 'first', 'retry', 'hedge' or 'cascade'.", nullptr},
    {"escalations", context_get<[](const Ctx& c) { return c.escalations; }>, nullptr,
     "Answers declined by accepts() in this step so far.", nullptr},
    {"explain", context_get<[](const Ctx& c) { return c.explain(); }>, nullptr,
     "Whether someone logs reasons and scores: return scores only then.", nullptr},
    {"previous", context_part<&ContextObject::previous>, nullptr,
     "The step before this one on the same flow (a PreviousStep).", nullptr},
    {"candidates", context_part<&ContextObject::candidates>, nullptr,
     "The candidate agents (Candidates: a lazy sequence of Candidate views); choose() returns "
     "an index into it.",
     nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyMethodDef context_methods[] = {
    {"random", context_random, METH_NOARGS, "The decision's own random stream (a RandomStream)."},
    {"to_dict", context_to_dict, METH_NOARGS,
     "A copy of every field and every candidate's, as plain dicts and lists."},
    {nullptr, nullptr, 0, nullptr}};

constexpr const char* kContextDoc =
    "What a real router could know when it decides, plus a random stream.\n\n"
    "Read-only, and valid only during the choose() call that received it (a RuntimeError "
    "after): to_dict() copies it. A field is read from the simulator when you read it; "
    "nothing is built for fields you do not read. Times are milliseconds of simulated time.";

// --- Candidates and Candidate -------------------------------------------------

Py_ssize_t candidates_length(PyObject* self) {
  const Ctx* c = context_of(self);
  return c ? static_cast<Py_ssize_t>(c->size()) : -1;
}

PyObject* candidates_item(PyObject* self, Py_ssize_t i) {
  const Ctx* c = context_of(self);
  if (c == nullptr) return nullptr;
  if (i < 0 || static_cast<std::size_t>(i) >= c->size()) {
    PyErr_SetString(PyExc_IndexError, "candidate index out of range");
    return nullptr;
  }
  auto* o = reinterpret_cast<CandidatesObject*>(self);
  while (o->items.size() <= static_cast<std::size_t>(i)) {
    auto* item = reinterpret_cast<CandidateObject*>(candidate_type->tp_alloc(candidate_type, 0));
    if (item == nullptr) return nullptr;
    new (&item->slot) std::shared_ptr<ContextSlot>(o->slot);
    item->index = o->items.size();
    o->items.push_back(reinterpret_cast<PyObject*>(item));
  }
  PyObject* item = o->items[static_cast<std::size_t>(i)];
  Py_INCREF(item);
  return item;
}

PyObject* candidate_index(PyObject* self, void*) {
  return PyLong_FromSize_t(reinterpret_cast<CandidateObject*>(self)->index);
}

PyObject* candidate_repr(PyObject* self) {
  const auto* o = reinterpret_cast<CandidateObject*>(self);
  const Ctx* c = o->slot->current;
  if (c == nullptr || o->index >= c->size()) {
    return PyUnicode_FromString("<orchsim.Candidate (ended)>");
  }
  const std::string name((*c)[o->index].name());
  return PyUnicode_FromFormat("<orchsim.Candidate %zu '%s'>", o->index, name.c_str());
}

using K = orch::Candidate;
PyGetSetDef candidate_getset[] = {
    {"index", candidate_index, nullptr,
     "Position in ctx.candidates: what choose() returns to pick this agent.", nullptr},
    {"agent", candidate_get<[](const K& k) { return k.agent(); }>, nullptr,
     "Index of the agent among the scenario's agents.", nullptr},
    {"name", candidate_get<[](const K& k) { return k.name(); }>, nullptr, "The agent's name.",
     nullptr},
    {"eligible", candidate_get<[](const K& k) { return k.eligible(); }>, nullptr,
     "False while its circuit breaker is open (a call to it would be rejected).", nullptr},
    {"breaker", candidate_get<[](const K& k) { return k.breaker(); }>, nullptr,
     "Circuit breaker state: 'closed', 'open' or 'half_open' ('closed' without breakers).",
     nullptr},
    {"in_flight", candidate_get<[](const K& k) { return k.in_flight(); }>, nullptr,
     "This orchestrator's calls to the agent not yet ended.", nullptr},
    {"in_service", candidate_get<[](const K& k) { return k.in_service(); }>, nullptr,
     "Calls being served now.", nullptr},
    {"queued", candidate_get<[](const K& k) { return k.queued(); }>, nullptr,
     "Calls waiting for a server.", nullptr},
    {"servers", candidate_get<[](const K& k) { return k.servers(); }>, nullptr,
     "Concurrent calls the agent serves.", nullptr},
    {"ewma_latency_ms", candidate_get<[](const K& k) { return k.ewma_latency_ms(); }>, nullptr,
     "EWMA of its call latency (answered calls and errors), ms.", nullptr},
    {"ewma_error_rate", candidate_get<[](const K& k) { return k.ewma_error_rate(); }>, nullptr,
     "EWMA of its share of failed calls (errors and timeouts).", nullptr},
    {"ewma_confidence", candidate_get<[](const K& k) { return k.ewma_confidence(); }>, nullptr,
     "EWMA of the confidence its answers reported (1 until observed).", nullptr},
    {"ewma_cost_usd", candidate_get<[](const K& k) { return k.ewma_cost_usd(); }>, nullptr,
     "EWMA of the cost of its calls, USD.", nullptr},
    {"observations", candidate_get<[](const K& k) { return k.observations(); }>, nullptr,
     "Calls behind the latency average.", nullptr},
    {"usd_per_1k_input_tokens",
     candidate_get<[](const K& k) { return k.usd_per_1k_input_tokens(); }>, nullptr,
     "Published price per 1000 input tokens, USD.", nullptr},
    {"usd_per_1k_output_tokens",
     candidate_get<[](const K& k) { return k.usd_per_1k_output_tokens(); }>, nullptr,
     "Published price per 1000 output tokens, USD.", nullptr},
    {"context_window_tokens", candidate_get<[](const K& k) { return k.context_window_tokens(); }>,
     nullptr, "The agent's context window, tokens.", nullptr},
    {"rate_limit_headroom", candidate_get<[](const K& k) { return k.rate_limit_headroom(); }>,
     nullptr, "Share of its rate limits' buckets available now, in [0, 1]; 1 without limits.",
     nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyMethodDef candidate_methods[] = {
    {"to_dict", candidate_to_dict, METH_NOARGS, "A copy of every field, as a dict."},
    {nullptr, nullptr, 0, nullptr}};

// --- PreviousStep ---------------------------------------------------------------

using P = orch::PreviousStep;
PyGetSetDef previous_getset[] = {
    {"exists", previous_get<[](const P& p) { return p.exists; }>, nullptr,
     "False on the flow's first step.", nullptr},
    {"failed", previous_get<[](const P& p) { return p.failed; }>, nullptr, "Whether it failed.",
     nullptr},
    {"error", previous_get<[](const P& p) { return p.error; }>, nullptr,
     "Its error kind ('none', 'transient', 'rate_limited', ...).", nullptr},
    {"label", previous_get<[](const P& p) { return p.label; }>, nullptr,
     "Output class index of the agent that answered.", nullptr},
    {"confidence", previous_get<[](const P& p) { return p.confidence; }>, nullptr,
     "Confidence its answer reported.", nullptr},
    {"verdict_pass", previous_get<[](const P& p) { return p.verdict_pass; }>, nullptr,
     "The verdict of a judge or critic step.", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyMethodDef previous_methods[] = {{"to_dict", previous_to_dict, METH_NOARGS, "A copy, as a dict."},
                                  {nullptr, nullptr, 0, nullptr}};

// --- RandomStream -----------------------------------------------------------------

// Positional arguments as doubles; false with TypeError set otherwise.
bool doubles(PyObject* const* args, Py_ssize_t n, double* out) {
  for (Py_ssize_t i = 0; i < n; ++i) {
    out[i] = PyFloat_AsDouble(args[i]);
    if (out[i] == -1.0 && PyErr_Occurred()) return false;
  }
  return true;
}

PyObject* random_uniform(PyObject* self, PyObject* const* args, Py_ssize_t n) {
  const Ctx* c = context_of(self);
  if (c == nullptr) return nullptr;
  double bounds[2] = {0.0, 1.0};
  if (n != 0 && n != 2) {
    PyErr_SetString(PyExc_TypeError, "uniform() takes no arguments or (low, high)");
    return nullptr;
  }
  if (!doubles(args, n, bounds)) return nullptr;
  return PyFloat_FromDouble(c->random().uniform(bounds[0], bounds[1]));
}

PyObject* random_below(PyObject* self, PyObject* const* args, Py_ssize_t n) {
  const Ctx* c = context_of(self);
  if (c == nullptr) return nullptr;
  if (n != 1) {
    PyErr_SetString(PyExc_TypeError, "below(n) takes one argument");
    return nullptr;
  }
  const unsigned long long bound = PyLong_AsUnsignedLongLong(args[0]);
  if (PyErr_Occurred()) return nullptr;
  if (bound == 0) {
    PyErr_SetString(PyExc_ValueError, "below(n) needs n > 0");
    return nullptr;
  }
  return PyLong_FromUnsignedLongLong(c->random().below(bound));
}

PyObject* random_bernoulli(PyObject* self, PyObject* const* args, Py_ssize_t n) {
  const Ctx* c = context_of(self);
  if (c == nullptr) return nullptr;
  double p = 0.0;
  if (n != 1) {
    PyErr_SetString(PyExc_TypeError, "bernoulli(p) takes one argument");
    return nullptr;
  }
  if (!doubles(args, 1, &p)) return nullptr;
  return PyBool_FromLong(c->random().bernoulli(p) ? 1 : 0);
}

PyObject* random_normal(PyObject* self, PyObject*) {
  const Ctx* c = context_of(self);
  return c ? PyFloat_FromDouble(c->random().standard_normal()) : nullptr;
}

PyObject* random_exponential(PyObject* self, PyObject*) {
  const Ctx* c = context_of(self);
  return c ? PyFloat_FromDouble(c->random().standard_exponential()) : nullptr;
}

PyMethodDef random_methods[] = {
    {"uniform", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(random_uniform)),
     METH_FASTCALL, "uniform() on [0, 1), or uniform(low, high) on [low, high)."},
    {"below", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(random_below)),
     METH_FASTCALL, "below(n): a uniform integer in [0, n)."},
    {"bernoulli", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(random_bernoulli)),
     METH_FASTCALL, "bernoulli(p): True with probability p."},
    {"normal", random_normal, METH_NOARGS, "A standard normal draw, N(0, 1)."},
    {"exponential", random_exponential, METH_NOARGS, "A standard exponential draw, Exp(1)."},
    {nullptr, nullptr, 0, nullptr}};

// --- AttemptOutcome and RequestOutcome ----------------------------------------------

using A = orch::AttemptOutcome;
PyGetSetDef attempt_getset[] = {
    {"at_ms", attempt_get<[](const A& o) { return ms(o.at); }>, nullptr, "When it ended, ms.",
     nullptr},
    {"request", attempt_get<[](const A& o) { return o.request; }>, nullptr, "The request's id.",
     nullptr},
    {"class_index", attempt_get<[](const A& o) { return o.class_index; }>, nullptr,
     "The request's class.", nullptr},
    {"request_input_tokens", attempt_get<[](const A& o) { return o.request_input_tokens; }>,
     nullptr, "Tokens of the request's query, as DecisionContext.input_tokens.", nullptr},
    {"node", attempt_get<[](const A& o) { return o.node; }>, nullptr, "The node's index.", nullptr},
    {"decision", attempt_get<[](const A& o) { return o.decision; }>, nullptr,
     "Id of the routing decision that chose it (the decision log's).", nullptr},
    {"candidate", attempt_get<[](const A& o) { return o.candidate; }>, nullptr,
     "The candidate index choose() returned.", nullptr},
    {"agent", attempt_get<[](const A& o) { return o.agent; }>, nullptr, "The agent's index.",
     nullptr},
    {"attempt", attempt_get<[](const A& o) { return o.attempt; }>, nullptr,
     "The attempt's number within its step.", nullptr},
    {"kind", attempt_get<[](const A& o) { return o.kind; }>, nullptr,
     "'first', 'retry', 'hedge', 'cascade', ...", nullptr},
    {"escalations", attempt_get<[](const A& o) { return o.escalations; }>, nullptr,
     "Answers declined by accepts() in its step so far.", nullptr},
    {"end", attempt_get<[](const A& o) { return o.end; }>, nullptr,
     "'success', 'invalid' (a validator caught a silent failure), 'error', 'timeout' or "
     "'cancelled' (a hedge that lost, a step that ended).",
     nullptr},
    {"ok", attempt_get<[](const A& o) { return o.ok(); }>, nullptr, "end == 'success'.", nullptr},
    {"error", attempt_get<[](const A& o) { return o.error; }>, nullptr,
     "The error kind for end == 'error' ('transient', 'rate_limited', ...), else 'none'.", nullptr},
    {"latency_ms", attempt_get<[](const A& o) { return ms(o.latency); }>, nullptr,
     "From the call's start to its end, ms.", nullptr},
    {"queue_wait_ms", attempt_get<[](const A& o) { return ms(o.queue_wait); }>, nullptr,
     "Time it waited for a server, ms.", nullptr},
    {"input_tokens", attempt_get<[](const A& o) { return o.input_tokens; }>, nullptr,
     "Tokens sent.", nullptr},
    {"output_tokens", attempt_get<[](const A& o) { return o.output_tokens; }>, nullptr,
     "Tokens received.", nullptr},
    {"cost_usd", attempt_get<[](const A& o) { return o.cost_usd; }>, nullptr, "Its cost, USD.",
     nullptr},
    {"confidence", attempt_get<[](const A& o) { return o.confidence; }>, nullptr,
     "Confidence the output reported (success and invalid only; else 0).", nullptr},
    {"label", attempt_get<[](const A& o) { return o.label; }>, nullptr,
     "Output class index (success and invalid only).", nullptr},
    {"verdict_pass", attempt_get<[](const A& o) { return o.verdict_pass; }>, nullptr,
     "A judge's or critic's verdict on what it judged.", nullptr},
    {"oracle_quality", attempt_get<[](const A& o) { return o.oracle_quality; }>, nullptr,
     "ORACLE: the true quality of the output (0 without one). A deployed router never sees "
     "it.",
     nullptr},
    {"oracle_silent_failure", attempt_get<[](const A& o) { return o.oracle_silent_failure; }>,
     nullptr, "ORACLE: whether the output was a silent failure. A deployed router never sees it.",
     nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyMethodDef attempt_methods[] = {
    {"to_dict", attempt_to_dict, METH_NOARGS, "A copy of every field, as a dict."},
    {nullptr, nullptr, 0, nullptr}};

using R = orch::RequestOutcome;
PyGetSetDef request_getset[] = {
    {"at_ms", request_get<[](const R& r) { return ms(r.at); }>, nullptr, "When it ended, ms.",
     nullptr},
    {"request", request_get<[](const R& r) { return r.request; }>, nullptr, "The request's id.",
     nullptr},
    {"class_index", request_get<[](const R& r) { return r.class_index; }>, nullptr,
     "The request's class.", nullptr},
    {"success", request_get<[](const R& r) { return r.success; }>, nullptr,
     "Whether it ended with an answer.", nullptr},
    {"outcome", request_get<[](const R& r) { return r.outcome; }>, nullptr,
     "The terminal's outcome ('answered', ...) or the failure cause.", nullptr},
    {"latency_ms", request_get<[](const R& r) { return ms(r.latency); }>, nullptr,
     "End-to-end latency, ms.", nullptr},
    {"cost_usd", request_get<[](const R& r) { return r.cost_usd; }>, nullptr, "Its cost, USD.",
     nullptr},
    {"input_tokens", request_get<[](const R& r) { return r.input_tokens; }>, nullptr,
     "Tokens sent over all its calls.", nullptr},
    {"output_tokens", request_get<[](const R& r) { return r.output_tokens; }>, nullptr,
     "Tokens received over all its calls.", nullptr},
    {"calls", request_get<[](const R& r) { return r.calls; }>, nullptr, "Calls it made.", nullptr},
    {"judged", request_get<[](const R& r) { return r.judged; }>, nullptr,
     "Whether a judge or critic gave a verdict on its main path.", nullptr},
    {"verdict_pass", request_get<[](const R& r) { return r.verdict_pass; }>, nullptr,
     "The last such verdict.", nullptr},
    {"answer_confidence", request_get<[](const R& r) { return r.answer_confidence; }>, nullptr,
     "What the orchestrator saw of its answer's confidence.", nullptr},
    {"oracle_quality", request_get<[](const R& r) { return r.oracle_quality; }>, nullptr,
     "ORACLE: the true quality of the answer (0 on failure). A deployed router never sees it.",
     nullptr},
    {"oracle_silent_failure", request_get<[](const R& r) { return r.oracle_silent_failure; }>,
     nullptr,
     "ORACLE: whether the answer was an undetected silent failure. A deployed router never sees "
     "it.",
     nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyMethodDef request_methods[] = {
    {"to_dict", request_to_dict, METH_NOARGS, "A copy of every field, as a dict."},
    {nullptr, nullptr, 0, nullptr}};

// --- Types ------------------------------------------------------------------------

// A read-only type made from slots; Python code cannot instantiate it.
PyTypeObject* make_type(py::module_& m, const char* name, const char* qualified,
                        std::size_t basic_size, std::vector<PyType_Slot> slots) {
  slots.push_back({0, nullptr});
  PyType_Spec spec{qualified, static_cast<int>(basic_size), 0,
                   Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, slots.data()};
  PyObject* type = PyType_FromSpec(&spec);
  if (type == nullptr) throw py::error_already_set();
  m.attr(name) = py::reinterpret_borrow<py::object>(type);  // the module keeps a reference too
  return reinterpret_cast<PyTypeObject*>(type);
}

void* slot_fn(auto f) { return reinterpret_cast<void*>(f); }

}  // namespace

py::object make_context_view(std::shared_ptr<ContextSlot> slot) {
  auto* o = allocate<ContextObject>(context_type);
  new (&o->slot) std::shared_ptr<ContextSlot>(slot);
  o->candidates = o->previous = o->random = nullptr;
  py::object view = py::reinterpret_steal<py::object>(reinterpret_cast<PyObject*>(o));
  auto* candidates = allocate<CandidatesObject>(candidates_type);
  new (&candidates->slot) std::shared_ptr<ContextSlot>(slot);
  new (&candidates->items) std::vector<PyObject*>();
  o->candidates = reinterpret_cast<PyObject*>(candidates);
  auto* previous = allocate<ContextPartObject>(previous_type);
  new (&previous->slot) std::shared_ptr<ContextSlot>(slot);
  o->previous = reinterpret_cast<PyObject*>(previous);
  auto* random = allocate<ContextPartObject>(random_type);
  new (&random->slot) std::shared_ptr<ContextSlot>(std::move(slot));
  o->random = reinterpret_cast<PyObject*>(random);
  return view;
}

template <class T>
py::object make_outcome_view(PyTypeObject* type, std::shared_ptr<Slot<T>> slot) {
  auto* o = allocate<OutcomeObject<T>>(type);
  new (&o->slot) std::shared_ptr<Slot<T>>(std::move(slot));
  return py::reinterpret_steal<py::object>(reinterpret_cast<PyObject*>(o));
}

py::object make_attempt_view(std::shared_ptr<AttemptSlot> slot) {
  return make_outcome_view(attempt_type, std::move(slot));
}

py::object make_request_view(std::shared_ptr<RequestSlot> slot) {
  return make_outcome_view(request_type, std::move(slot));
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
  context_type = make_type(m, "DecisionContext", "orchsim.DecisionContext", sizeof(ContextObject),
                           {{Py_tp_doc, const_cast<char*>(kContextDoc)},
                            {Py_tp_dealloc, slot_fn(context_dealloc)},
                            {Py_tp_repr, slot_fn(context_repr)},
                            {Py_tp_getset, context_getset},
                            {Py_tp_methods, context_methods}});
  candidates_type = make_type(
      m, "Candidates", "orchsim.Candidates", sizeof(CandidatesObject),
      {{Py_tp_doc, const_cast<char*>("The candidates of a decision: a lazy, read-only sequence of "
                                     "Candidate views (len(), indexing, iteration). Valid only "
                                     "during choose().")},
       {Py_tp_dealloc, slot_fn(candidates_dealloc)},
       {Py_sq_length, slot_fn(candidates_length)},
       {Py_sq_item, slot_fn(candidates_item)}});
  candidate_type = make_type(
      m, "Candidate", "orchsim.Candidate", sizeof(CandidateObject),
      {{Py_tp_doc, const_cast<char*>("One candidate agent of a decision, as a router can see it "
                                     "at decision time. Read-only; valid only during the "
                                     "choose() call that received it.")},
       {Py_tp_dealloc, slot_fn(candidate_dealloc)},
       {Py_tp_repr, slot_fn(candidate_repr)},
       {Py_tp_getset, candidate_getset},
       {Py_tp_methods, candidate_methods}});
  previous_type = make_type(
      m, "PreviousStep", "orchsim.PreviousStep", sizeof(ContextPartObject),
      {{Py_tp_doc, const_cast<char*>("The step before this one on the same flow (branch). Valid "
                                     "only during choose().")},
       {Py_tp_dealloc, slot_fn(part_dealloc)},
       {Py_tp_getset, previous_getset},
       {Py_tp_methods, previous_methods}});
  random_type = make_type(
      m, "RandomStream", "orchsim.RandomStream", sizeof(ContextPartObject),
      {{Py_tp_doc,
        const_cast<char*>(
            "The decision's own random stream, keyed by (request, node, visit, attempt) like "
            "every other draw of the simulator: runs are reproducible, and two policies "
            "compared on one seed face the same world (common random numbers). Use it, never "
            "the random module or a clock. Valid only during choose().")},
       {Py_tp_dealloc, slot_fn(part_dealloc)},
       {Py_tp_methods, random_methods}});
  attempt_type = make_type(
      m, "AttemptOutcome", "orchsim.AttemptOutcome", sizeof(AttemptObject),
      {{Py_tp_doc,
        const_cast<char*>(
            "How one attempt the policy chose ended: every attempt, whether it succeeded, was "
            "rejected by a validator, failed, timed out or was cancelled. Read-only, valid only "
            "during the observe() (or accepts()) call that received it; to_dict() copies it. "
            "Fields marked ORACLE are the simulator's ground truth, which a deployed router "
            "never sees: use them for upper bounds and evaluation only.")},
       {Py_tp_dealloc, slot_fn(outcome_dealloc<orch::AttemptOutcome>)},
       {Py_tp_getset, attempt_getset},
       {Py_tp_methods, attempt_methods}});
  request_type = make_type(
      m, "RequestOutcome", "orchsim.RequestOutcome", sizeof(RequestObject),
      {{Py_tp_doc,
        const_cast<char*>(
            "How a request that visited the policy's node ended (in any way). Read-only, valid "
            "only during the request_finished() call that received it; to_dict() copies it. "
            "Fields marked ORACLE are ground truth a deployment does not have.")},
       {Py_tp_dealloc, slot_fn(outcome_dealloc<orch::RequestOutcome>)},
       {Py_tp_getset, request_getset},
       {Py_tp_methods, request_methods}});
}

}  // namespace orchsim::python
