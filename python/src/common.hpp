// What the binding files share: the module's exception types, failures that
// cross the simulator's C++ stack, and Python references that are safe to
// drop on a thread that does not hold the GIL.
//
// GIL rule of the module: a simulation runs with the GIL released; a Python
// policy takes it once per call into Python (choose, observe, ...), never per
// field; views read C++ state and never release it.
#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orchestration/policy_registry.hpp"

namespace orchsim::python {

namespace py = pybind11;

// A Python reference that any thread may own: its last owner takes the GIL
// to drop it (simulations and their policies end on worker threads).
using SharedPyObject = std::shared_ptr<py::object>;
SharedPyObject share(py::object o);

// A policy stopped the run: it raised (the Python exception is kept, with
// its traceback in the message) or broke the choose() contract. The message
// names the policy, the node and the request, as the engine's own check does.
class PolicyFailure : public std::runtime_error {
 public:
  explicit PolicyFailure(const std::string& message, SharedPyObject exception = nullptr)
      : std::runtime_error(message), exception_(std::move(exception)) {}
  // The exception the policy raised, or null.
  const SharedPyObject& exception() const { return exception_; }

 private:
  SharedPyObject exception_;
};

// Ctrl-C (a pending KeyboardInterrupt) stopped a run between events.
class Interrupted : public std::exception {
 public:
  const char* what() const noexcept override { return "interrupted"; }
};

// The Python exception types of the module (created in module.cpp):
// OrchsimError; ScenarioError (also a ValueError): the input is wrong;
// RunError (also a RuntimeError): the run stopped; PolicyError (a RunError):
// a policy raised or broke its contract.
struct ExceptionTypes {
  py::object base, scenario, run, policy;
};
ExceptionTypes& exception_types();

// Raises a ScenarioError with `message` (throws py::error_already_set).
[[noreturn]] void raise_scenario_error(const std::string& message);

// Calls `f` with the GIL released and turns what a run can throw into the
// module's Python exceptions: PolicyFailure -> PolicyError (the policy's own
// exception as its __cause__; a KeyboardInterrupt or SystemExit it raised is
// re-raised as it is), Interrupted -> KeyboardInterrupt, the engine's check of
// a choice -> PolicyError, std::invalid_argument -> ScenarioError, any other
// std::exception -> RunError.
template <class F>
auto run_without_gil(F&& f) -> decltype(f());

[[noreturn]] void raise_run_failure(std::exception_ptr failure);

template <class F>
auto run_without_gil(F&& f) -> decltype(f()) {
  std::exception_ptr failure;
  {
    py::gil_scoped_release nogil;
    try {
      return f();
    } catch (...) {
      failure = std::current_exception();
    }
  }
  raise_run_failure(failure);
}

// A registry layered over the global one, holding `policies` (name -> a
// callable that makes a fresh policy object: the Python side passes the
// class, or a deep copy of an instance). One per call: the global table is
// never changed. Raises ScenarioError for a bad or taken name.
std::shared_ptr<orchestration::PolicyRegistry> python_registry(const py::dict& policies);

// "found ..." style overrides from the Python side: [(pointer, text), ...].
using Overrides = std::vector<std::pair<std::string, std::string>>;

// Binds each part of the module.
void bind_exceptions(py::module_& m);
void bind_views(py::module_& m);
void bind_experiments(py::module_& m);
void bind_routing_env(py::module_& m);

}  // namespace orchsim::python
