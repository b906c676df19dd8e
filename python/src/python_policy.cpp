// A Python object as a RoutingPolicy: the adapter the registry's factory
// makes for every node that names a Python policy, in every run.
//
// Cost per decision: take the GIL once, point the adapter's one
// DecisionContext view at the C++ context, one vectorcall of choose(), read
// an int (or a tuple), let the GIL go. No dict, no new view object.
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "python/src/common.hpp"
#include "python/src/views.hpp"

namespace orchsim::python {

namespace {

namespace orch = orchestration;

// The Python exception now set, with its traceback, as text.
std::string format_exception(const py::error_already_set& e) {
  try {
    py::object lines =
        py::module_::import("traceback").attr("format_exception")(e.type(), e.value(), e.trace());
    std::string text = py::str("").attr("join")(lines).cast<std::string>();
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  } catch (const py::error_already_set&) {
    return e.what();
  }
}

class PythonPolicy final : public orch::RoutingPolicy {
 public:
  // `object` is the fresh policy; the GIL is held.
  PythonPolicy(std::string name, std::string node, py::object object)
      : name_(std::move(name)), node_(std::move(node)), py_(std::make_unique<PyState>()) {
    py_->object = std::move(object);
    py_->choose = py_->object.attr("choose");
    py_->observe = method("observe");
    py_->accepts = method("accepts");
    py_->finished = method("request_finished");
    has_observe_ = !py_->observe.is_none();
    has_accepts_ = !py_->accepts.is_none();
    has_finished_ = !py_->finished.is_none();
    context_ = std::make_shared<ContextSlot>();
    attempt_ = std::make_shared<AttemptSlot>();
    request_ = std::make_shared<RequestSlot>();
    py_->context_view = make_context_view(context_);
    py_->attempt_view = make_attempt_view(attempt_);
    py_->request_view = make_request_view(request_);
    // Last, when nothing can throw: keeps this thread's Python thread state
    // alive as long as the policy. A worker thread (compare, sweep,
    // RoutingEnv) would otherwise make and destroy one on every call (~40 us
    // a decision instead of ~0.2 us).
    thread_state_ = PyGILState_Ensure();
  }

  ~PythonPolicy() override {
    py::gil_scoped_acquire gil;
    py_.reset();
    PyGILState_Release(thread_state_);  // the last one on a worker thread lets its state go
  }

  orch::Choice choose(const orch::DecisionContext& ctx) override {
    py::gil_scoped_acquire gil;
    PyObject* result;
    {
      const Pointing<orch::DecisionContext> pointing(*context_, ctx);
      result = PyObject_CallOneArg(py_->choose.ptr(), py_->context_view.ptr());
    }
    if (result == nullptr) fail_with_python_error("choose", ctx.request);
    const py::object answer = py::reinterpret_steal<py::object>(result);
    return read_choice(answer.ptr(), ctx);
  }

  // The methods the class defines: the orchestrator builds no outcome for the others.
  orch::PolicyHooks hooks() const override {
    return {.observe = has_observe_, .accepts = has_accepts_, .request_finished = has_finished_};
  }

  void observe(const orch::AttemptOutcome& o) override {
    if (!has_observe_) return;
    py::gil_scoped_acquire gil;
    call(py_->observe, *attempt_, o, py_->attempt_view, "observe", o.request);
  }

  bool accepts(const orch::AttemptOutcome& o) override {
    if (!has_accepts_) return true;
    py::gil_scoped_acquire gil;
    const py::object answer =
        call(py_->accepts, *attempt_, o, py_->attempt_view, "accepts", o.request);
    const int truth = PyObject_IsTrue(answer.ptr());
    if (truth < 0) fail_with_python_error("accepts", o.request);
    return truth != 0;
  }

  void request_finished(const orch::RequestOutcome& r) override {
    if (!has_finished_) return;
    py::gil_scoped_acquire gil;
    call(py_->finished, *request_, r, py_->request_view, "request_finished", r.request);
  }

 private:
  struct PyState {
    py::object object, choose, observe, accepts, finished;
    py::object context_view, attempt_view, request_view;
  };

  // An optional method of the policy object, or None.
  py::object method(const char* name) {
    if (!py::hasattr(py_->object, name)) return py::none();
    py::object m = py_->object.attr(name);
    if (!m.is_none() && !PyCallable_Check(m.ptr())) {
      throw PolicyFailure(
          fmt::format("routing policy \"{}\": its {} is not callable", name_, name));
    }
    return m;
  }

  template <class T>
  py::object call(const py::object& fn, Slot<T>& slot, const T& value, const py::object& view,
                  const char* what, orch::RequestId request) {
    PyObject* result;
    {
      const Pointing<T> pointing(slot, value);
      result = PyObject_CallOneArg(fn.ptr(), view.ptr());
    }
    if (result == nullptr) fail_with_python_error(what, request);
    return py::reinterpret_steal<py::object>(result);
  }

  std::string context(orch::RequestId request) const {
    return fmt::format("routing policy \"{}\" at node \"{}\", request {}", name_, node_, request);
  }

  [[noreturn]] void fail(const orch::DecisionContext& ctx, const std::string& detail) const {
    throw PolicyFailure(fmt::format("{}: {}", context(ctx.request), detail));
  }

  // The Python exception now set stops the run; the GIL is held.
  [[noreturn]] void fail_with_python_error(const char* what, orch::RequestId request) const {
    const py::error_already_set e;  // takes the exception
    const std::string type_name = py::handle(e.type()).attr("__name__").cast<std::string>();
    const std::string message = fmt::format("{}: {}() raised {}\n{}", context(request), what,
                                            type_name, format_exception(e));
    py::object value = py::reinterpret_borrow<py::object>(e.value());
    if (e.trace()) PyException_SetTraceback(value.ptr(), e.trace().ptr());
    throw PolicyFailure(message, share(std::move(value)));
  }

  // choose()'s answer: an index, or (index, probability[, scores]). Out of
  // range values go on to the engine, whose check names policy, node and
  // request; what cannot become a Choice at all is reported here the same way.
  orch::Choice read_choice(PyObject* answer, const orch::DecisionContext& ctx) {
    orch::Choice choice;
    PyObject* index = answer;
    const bool sequence = PyTuple_Check(answer) || PyList_Check(answer);
    if (sequence) {
      const Py_ssize_t n = PySequence_Fast_GET_SIZE(answer);
      if (n < 2 || n > 3) {
        fail(ctx, fmt::format("choose() returned a sequence of {} items, expected an index or "
                              "(index, probability) or (index, probability, scores)",
                              n));
      }
      PyObject** items = PySequence_Fast_ITEMS(answer);
      index = items[0];
      const double p = PyFloat_AsDouble(items[1]);
      if (p == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        fail(ctx, fmt::format("choose() returned probability {}, expected a number in (0, 1]",
                              repr(items[1])));
      }
      choice.probability = p;
      if (n == 3 && items[2] != Py_None) read_scores(items[2], ctx, choice);
    }
    if (PyBool_Check(index) || !PyIndex_Check(index)) {
      fail(ctx, fmt::format("choose() returned {}, expected an index into ctx.candidates (an int) "
                            "or a tuple (index, probability)",
                            repr(index)));
    }
    int overflow = 0;
    const long long i = PyLong_AsLongLongAndOverflow(index, &overflow);
    if (i == -1 && PyErr_Occurred()) {
      PyErr_Clear();
      fail(ctx, fmt::format("choose() returned {}, expected an int index", repr(index)));
    }
    if (overflow != 0 || i < 0) {
      fail(ctx,
           fmt::format("chose candidate {}, expected one in [0, {})", repr(index), ctx.size()));
    }
    choice.candidate = static_cast<std::size_t>(i);
    return choice;
  }

  void read_scores(PyObject* scores, const orch::DecisionContext& ctx, orch::Choice& choice) {
    const py::object fast =
        py::reinterpret_steal<py::object>(PySequence_Fast(scores, "scores must be a sequence"));
    if (!fast) {
      PyErr_Clear();
      fail(ctx, fmt::format("choose() returned scores {}, expected a sequence of numbers",
                            repr(scores)));
    }
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(fast.ptr());
    PyObject** items = PySequence_Fast_ITEMS(fast.ptr());
    scores_.resize(static_cast<std::size_t>(n));
    for (Py_ssize_t k = 0; k < n; ++k) {
      const double x = PyFloat_AsDouble(items[k]);
      if (x == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        fail(ctx, fmt::format("choose() returned score {}, expected a number", repr(items[k])));
      }
      scores_[static_cast<std::size_t>(k)] = x;
    }
    choice.scores = scores_;
  }

  static std::string repr(PyObject* o) {
    PyObject* r = PyObject_Repr(o);
    if (r == nullptr) {
      PyErr_Clear();
      return "?";
    }
    std::string text = py::reinterpret_steal<py::str>(r).cast<std::string>();
    if (text.size() > 80) text = text.substr(0, 77) + "...";
    return text;
  }

  std::string name_, node_;
  std::unique_ptr<PyState> py_;
  std::shared_ptr<ContextSlot> context_;
  std::shared_ptr<AttemptSlot> attempt_;
  std::shared_ptr<RequestSlot> request_;
  PyGILState_STATE thread_state_{};
  bool has_observe_ = false, has_accepts_ = false, has_finished_ = false;
  std::vector<double> scores_;  // the last choice's, owned here (Choice::scores is a span)
};

// The registry's factory for one Python policy: `make` returns a fresh
// policy object (the class, or a deep copy of the instance the user gave).
orch::PolicyFactory python_factory(std::string name, SharedPyObject make) {
  return [name = std::move(name), make = std::move(make)](
             orch::PolicyParams& params,
             orch::NodeSpec& node) -> std::unique_ptr<orch::RoutingPolicy> {
    // A Python policy takes its settings in its constructor: the scenario's
    // routing.params must be empty (unknown keys are reported with pointers).
    params.finish();
    py::gil_scoped_acquire gil;
    try {
      py::object object = (*make)();
      if (!py::hasattr(object, "choose") || !PyCallable_Check(object.attr("choose").ptr())) {
        params.problem(
            "",
            fmt::format("the Python policy \"{}\" made {} objects, which have no "
                        "choose(ctx) method",
                        name, py::str(py::type::of(object).attr("__name__")).cast<std::string>()));
        return nullptr;
      }
      return std::make_unique<PythonPolicy>(name, std::string(node.node_name), std::move(object));
    } catch (py::error_already_set& e) {
      // A constructor or __deepcopy__ that raised: the policy cannot be made.
      params.problem("", fmt::format("the Python policy \"{}\" could not be made (a fresh object "
                                     "per node and run: its class is called, or its instance "
                                     "deep-copied): {}",
                                     name, format_exception(e)));
      return nullptr;
    } catch (const PolicyFailure& e) {
      params.problem("", e.what());
      return nullptr;
    }
  };
}

}  // namespace

std::shared_ptr<orch::PolicyRegistry> python_registry(const py::dict& policies) {
  auto registry = std::make_shared<orch::PolicyRegistry>(&orch::PolicyRegistry::global());
  for (const auto& [key, make] : policies) {
    const std::string name = py::str(key).cast<std::string>();
    if (orch::PolicyRegistry::global().find(name) != nullptr) {
      raise_scenario_error(fmt::format(
          "policies: \"{}\" is a built-in routing policy; give yours another name", name));
    }
    try {
      registry->add({.name = name,
                     .summary = "a Python policy (orchsim.run(policies=...))",
                     .params = "",
                     .builtin = false},
                    python_factory(name, share(py::reinterpret_borrow<py::object>(make))));
    } catch (const std::invalid_argument& e) {
      raise_scenario_error(fmt::format("policies: \"{}\": {}", name, e.what()));
    }
  }
  return registry;
}

}  // namespace orchsim::python
