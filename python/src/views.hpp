// Read-only Python views of what a policy is shown: DecisionContext (with its
// candidates, previous step and random stream), AttemptOutcome and
// RequestOutcome. A view reads the C++ object it points at; nothing is copied
// per decision, and a policy adapter makes its views once and points them at
// each call's object. Outside that call a view raises RuntimeError (the C++
// object is gone): `to_dict()` copies what is to be kept.
#pragma once

#include <pybind11/pybind11.h>

#include <memory>

#include "orchestration/policy.hpp"

namespace orchsim::python {

namespace py = pybind11;

// What a set of views points at; null between calls. Shared by the views of
// one adapter, so no Python reference cycle ties them together.
template <class T>
struct Slot {
  const T* current = nullptr;
};
using ContextSlot = Slot<orchestration::DecisionContext>;
using AttemptSlot = Slot<orchestration::AttemptOutcome>;
using RequestSlot = Slot<orchestration::RequestOutcome>;

// Sets a slot for one call and clears it on the way out, however it ends.
template <class T>
class Pointing {
 public:
  Pointing(Slot<T>& slot, const T& value) : slot_(slot) { slot_.current = &value; }
  ~Pointing() { slot_.current = nullptr; }
  Pointing(const Pointing&) = delete;
  Pointing& operator=(const Pointing&) = delete;

 private:
  Slot<T>& slot_;
};

// The Python view objects over a slot (the GIL must be held).
py::object make_context_view(std::shared_ptr<ContextSlot> slot);
py::object make_attempt_view(std::shared_ptr<AttemptSlot> slot);
py::object make_request_view(std::shared_ptr<RequestSlot> slot);

// Copies, as plain dicts (the routing environment's info, to_dict()).
py::dict attempt_dict(const orchestration::AttemptOutcome& o);
py::dict request_dict(const orchestration::RequestOutcome& r);

}  // namespace orchsim::python
