// orchsim._orchsim: the compiled half of the orchsim package. The public API
// is orchsim/__init__.py, which wraps these functions with Python-side
// argument handling and documentation.
#include <pybind11/stl.h>

#include <string>
#include <string_view>

#include "orchestration/policy_registry.hpp"
#include "python/src/common.hpp"
#include "scenarios/scenario.hpp"

namespace orchsim::python {

SharedPyObject share(py::object o) {
  return SharedPyObject(new py::object(std::move(o)), [](py::object* p) {
    py::gil_scoped_acquire gil;
    delete p;
  });
}

ExceptionTypes& exception_types() {
  static ExceptionTypes* types = new ExceptionTypes();  // never destroyed: outlives the interpreter
  return *types;
}

void raise_scenario_error(const std::string& message) {
  PyErr_SetString(exception_types().scenario.ptr(), message.c_str());
  throw py::error_already_set();
}

namespace {

[[noreturn]] void raise_with_cause(const py::object& type, const std::string& message,
                                   const SharedPyObject& cause) {
  py::object error = type(message);
  if (cause && *cause) {
    // A KeyboardInterrupt or SystemExit inside a policy is not the policy's
    // failure: let it through as it is.
    if (!PyObject_IsInstance(cause->ptr(), PyExc_Exception)) {
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(cause->ptr())), cause->ptr());
      throw py::error_already_set();
    }
    PyException_SetCause(error.ptr(), cause->inc_ref().ptr());  // steals the reference
  }
  PyErr_SetObject(type.ptr(), error.ptr());
  throw py::error_already_set();
}

// The engine's own check of a choice says `routing policy "NAME" at node ...`.
bool from_policy(std::string_view message) {
  return message.find("routing policy \"") != std::string_view::npos;
}

}  // namespace

void raise_run_failure(std::exception_ptr failure) {
  const ExceptionTypes& t = exception_types();
  try {
    std::rethrow_exception(failure);
  } catch (const py::error_already_set&) {
    throw;
  } catch (const PolicyFailure& e) {
    raise_with_cause(t.policy, e.what(), e.exception());
  } catch (const Interrupted&) {
    PyErr_SetNone(PyExc_KeyboardInterrupt);
    throw py::error_already_set();
  } catch (const std::invalid_argument& e) {
    raise_with_cause(t.scenario, e.what(), nullptr);
  } catch (const std::exception& e) {
    raise_with_cause(from_policy(e.what()) ? t.policy : t.run, e.what(), nullptr);
  }
}

namespace {

py::object new_exception(py::module_& m, const char* name, py::tuple bases, const char* doc) {
  const std::string qualified = std::string("orchsim.") + name;
  py::object type = py::reinterpret_steal<py::object>(
      PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr));
  if (!type) throw py::error_already_set();
  m.attr(name) = type;
  return type;
}

}  // namespace

void bind_exceptions(py::module_& m) {
  ExceptionTypes& t = exception_types();
  t.base = new_exception(m, "OrchsimError", py::make_tuple(py::handle(PyExc_Exception)),
                         "Base class of orchsim's errors.");
  t.scenario = new_exception(
      m, "ScenarioError", py::make_tuple(t.base, py::handle(PyExc_ValueError)),
      "The input is wrong: a scenario that does not load (every problem, with its JSON "
      "pointer), a bad override or argument. The command line exits 2 for these.");
  t.run = new_exception(m, "RunError", py::make_tuple(t.base, py::handle(PyExc_RuntimeError)),
                        "A run stopped. The command line exits 1 for these.");
  t.policy = new_exception(
      m, "PolicyError", py::make_tuple(t.run),
      "A routing policy stopped the run: it raised (its exception is the __cause__, its "
      "traceback is in the message) or broke the choose() contract (an index out of range, a "
      "probability outside (0, 1], a NaN score). The message names the policy, the node and "
      "the request.");
}

}  // namespace orchsim::python

namespace py = pybind11;

PYBIND11_MODULE(_orchsim, m) {
  m.doc() = "The compiled part of orchsim; use the orchsim package.";
  m.attr("__version__") = ORCHSIM_VERSION_STRING;
  orchsim::python::bind_exceptions(m);
  orchsim::python::bind_views(m);
  orchsim::python::bind_experiments(m);
  orchsim::python::bind_routing_env(m);

  m.def("library_dir", &orchsim::scenarios::library_dir, "The folder of the built-in scenarios.");
  m.def("scenarios", &orchsim::scenarios::library_names, "The built-in scenarios' names, sorted.");
  m.def(
      "policies",
      [] {
        py::list out;
        for (const auto* e : orchsim::orchestration::PolicyRegistry::global().entries()) {
          py::dict d;
          d["name"] = e->info.name;
          d["summary"] = e->info.summary;
          d["params"] = e->info.params;
          d["builtin"] = e->info.builtin;
          out.append(d);
        }
        return out;
      },
      "The registered routing policies (built in and C++ plug-ins), sorted by name.");
}
