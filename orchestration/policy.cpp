#include "orchestration/policy.hpp"

namespace orchsim::orchestration {

AgentIndex Candidate::agent() const { return (*ctx_->candidates_)[i_]; }
std::string_view Candidate::name() const { return (*ctx_->sources_.agents)[agent()]->name(); }
bool Candidate::eligible() const { return (*ctx_->sources_.eligible)[i_]; }
BreakerState Candidate::breaker() const {
  const auto& b = *ctx_->sources_.breakers;
  return b.empty() ? BreakerState::kClosed : b[agent()]->state();
}
std::uint32_t Candidate::in_flight() const {
  return (*ctx_->sources_.signals)[agent()].outstanding;
}
std::uint32_t Candidate::in_service() const {
  return (*ctx_->sources_.agents)[agent()]->in_service();
}
std::uint32_t Candidate::queued() const { return (*ctx_->sources_.agents)[agent()]->queued(); }
std::uint32_t Candidate::servers() const { return (*ctx_->sources_.agents)[agent()]->servers(); }
double Candidate::ewma_latency_ms() const {
  return (*ctx_->sources_.signals)[agent()].ewma_latency_ms;
}
double Candidate::ewma_error_rate() const {
  return (*ctx_->sources_.signals)[agent()].ewma_error_rate;
}
double Candidate::ewma_confidence() const {
  return (*ctx_->sources_.signals)[agent()].ewma_confidence;
}
double Candidate::ewma_cost_usd() const { return (*ctx_->sources_.signals)[agent()].ewma_cost_usd; }
std::uint64_t Candidate::observations() const { return (*ctx_->sources_.signals)[agent()].samples; }
double Candidate::usd_per_1k_input_tokens() const {
  return (*ctx_->sources_.agents)[agent()]->usd_per_1k_input_tokens();
}
double Candidate::usd_per_1k_output_tokens() const {
  return (*ctx_->sources_.agents)[agent()]->usd_per_1k_output_tokens();
}
std::int64_t Candidate::context_window_tokens() const {
  return (*ctx_->sources_.agents)[agent()]->context_window_tokens();
}
double Candidate::rate_limit_headroom() const {
  return (*ctx_->sources_.agents)[agent()]->rate_limit_headroom(ctx_->now);
}

sim::RandomStream& DecisionContext::random() const {
  if (!stream_) {
    // Keyed as the built-in policies have always drawn: by request, node,
    // visit, attempt, and first-or-not.
    stream_.emplace(
        sources_.rng->stream("route", request, node, visit, attempt, sources_.stream_variant));
  }
  return *stream_;
}

sim::RandomStream DecisionContext::side_stream(std::string_view purpose) const {
  return sources_.rng->stream("route-side", purpose, request, node, visit, attempt,
                              sources_.stream_variant);
}

}  // namespace orchsim::orchestration
