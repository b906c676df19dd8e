#include "orchestration/policy.hpp"

namespace orchsim::orchestration {

sim::RandomStream& DecisionContext::random() const {
  if (!stream_) {
    // Keyed as the built-in policies have always drawn: by request, node,
    // visit, attempt, and first-or-not; inside a sub-workflow run, by the run too.
    if (sources_.scope == 0) {
      stream_.emplace(
          sources_.rng->stream("route", request, node, visit, attempt, sources_.stream_variant));
    } else {
      stream_.emplace(sources_.rng->stream("route", request, node, visit, attempt,
                                           sources_.stream_variant, sources_.scope));
    }
  }
  return *stream_;
}

sim::RandomStream DecisionContext::side_stream(std::string_view purpose) const {
  if (sources_.scope != 0) {
    return sources_.rng->stream("route-side", purpose, request, node, visit, attempt,
                                sources_.stream_variant, sources_.scope);
  }
  return sources_.rng->stream("route-side", purpose, request, node, visit, attempt,
                              sources_.stream_variant);
}

}  // namespace orchsim::orchestration
