#include "eval/observer_thread.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <string_view>

#if defined(__x86_64__) && defined(__SSE2__)
#include <immintrin.h>
#endif

#include "eval/batch_pipe.hpp"

namespace orchsim::eval {

using namespace orchestration;

// A batch is 8-byte words, so every event is copied to an aligned place:
//   [kind] [the event's bytes, rounded up to words] [what its views point to]
// where what the views point to is, by kind:
//   RequestFinished, SubWorkflowEnded: the outcome (a text);
//   RoutingDecision: the policy's name (a text), the candidates ([count]
//     [their bytes]), the reason;
//   FlowDecision: the reason.
// A text is [length] [its chars]; a reason is [0] when it is kept as it was
// (a format with numbers only: its format is a literal, valid for the run)
// or [1] and a text.
namespace {

constexpr std::size_t kBatchWords = std::size_t{1} << 15;  // 256 KiB: ~2,500 events
// Batches that may wait for the worker before the simulation waits: 8 MiB,
// ~3,000 requests of rag_orchestrated with both logs. The worker's work
// comes in bursts (the decision log compresses 1 MiB of rows at a time,
// ~4 ms), and with 4 the simulation's thread spent 0.8 s of a 3.1 s run
// (10^6 requests) blocked while the worker idled 5,600 times in between.
constexpr std::size_t kBatchesInFlight = 32;

constexpr std::size_t words_for(std::size_t bytes) { return (bytes + 7) / 8; }

// Puts `bytes` at `to`, the last word padded with zeros; returns the words.
std::size_t put_bytes(std::uint64_t* to, const void* data, std::size_t bytes) {
  const auto* from = static_cast<const unsigned char*>(data);
  const std::size_t n = words_for(bytes);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t w = 0;
    std::memcpy(&w, from + 8 * i, std::min<std::size_t>(8, bytes - 8 * i));
    to[i] = w;
  }
  return n;
}

// Copies `words` with non-temporal stores where the CPU has them (x86-64:
// SSE2), which write whole lines to memory without first fetching them into
// this core's cache; then a fence, so the worker, which takes the batch
// through a mutex, sees every word. Elsewhere a plain copy. `to` is a
// vector's storage, from operator new: aligned to 16 bytes on x86-64.
void copy_streaming(std::uint64_t* to, const std::uint64_t* from, std::size_t words) {
#if defined(__x86_64__) && defined(__SSE2__)
  static_assert(__STDCPP_DEFAULT_NEW_ALIGNMENT__ >= 16);
  assert(reinterpret_cast<std::uintptr_t>(to) % 16 == 0);
  std::size_t i = 0;
  for (; i + 2 <= words; i += 2) {
    _mm_stream_si128(reinterpret_cast<__m128i*>(to + i),
                     _mm_loadu_si128(reinterpret_cast<const __m128i*>(from + i)));
  }
  if (i < words) {
    _mm_stream_si64(reinterpret_cast<long long*>(to + i), static_cast<long long>(from[i]));
  }
  _mm_sfence();
#else
  if (words > 0) std::memcpy(to, from, words * sizeof(std::uint64_t));
#endif
}

struct Batch {
  std::vector<std::uint64_t> words;
  std::size_t used = 0;
};

// Reads a batch back, in the order it was written.
class Reader {
 public:
  explicit Reader(const Batch& b) : at_(b.words.data()), end_(b.words.data() + b.used) {}
  bool done() const { return at_ == end_; }
  std::uint64_t word() { return *at_++; }
  template <class E>
  E event() {
    E e;
    std::memcpy(static_cast<void*>(&e), at_, sizeof(E));
    at_ += words_for(sizeof(E));
    return e;
  }
  std::string_view text() {
    const std::size_t n = word();
    const std::string_view s(reinterpret_cast<const char*>(at_), n);
    at_ += words_for(n);
    return s;
  }
  void candidates(std::vector<RoutingCandidate>& out) {
    const std::size_t n = word();
    out.resize(n);
    if (n > 0) std::memcpy(static_cast<void*>(out.data()), at_, n * sizeof(RoutingCandidate));
    at_ += words_for(n * sizeof(RoutingCandidate));
  }
  void reason(Reason& r) {
    if (word() != 0) r = Reason(text());
  }

 private:
  const std::uint64_t* at_;
  const std::uint64_t* end_;
};

}  // namespace

struct ObserverThread::Worker {
  explicit Worker(ObserverList& observers)
      : observers_(observers), pipe_([this](Batch& b) { replay(b); }, kBatchesInFlight) {}

  void replay(Batch& b) {
    Reader in(b);
    while (!in.done()) {
      switch (static_cast<Kind>(in.word())) {
        case Kind::kRequestArrived:
          observers_.on_request_arrived(in.event<RequestArrived>());
          break;
        case Kind::kRequestFinished: {
          auto e = in.event<RequestFinished>();
          e.outcome = in.text();
          observers_.on_request_finished(e);
          break;
        }
        case Kind::kCallStarted:
          observers_.on_call_started(in.event<CallStarted>());
          break;
        case Kind::kCallEnded:
          observers_.on_call_ended(in.event<CallEnded>());
          break;
        case Kind::kRoutingDecision: {
          auto e = in.event<RoutingDecision>();
          e.policy = in.text();
          in.candidates(candidates_);
          e.candidates = &candidates_;
          in.reason(e.reason);
          e.context = nullptr;
          observers_.on_routing_decision(e);
          break;
        }
        case Kind::kNodeEntered:
          observers_.on_node_entered(in.event<NodeEntered>());
          break;
        case Kind::kFlowDecision: {
          auto e = in.event<FlowDecision>();
          in.reason(e.reason);
          observers_.on_flow_decision(e);
          break;
        }
        case Kind::kRetryScheduled:
          observers_.on_retry_scheduled(in.event<RetryScheduled>());
          break;
        case Kind::kHedgeLaunched:
          observers_.on_hedge_launched(in.event<HedgeLaunched>());
          break;
        case Kind::kBreakerChanged:
          observers_.on_breaker_changed(in.event<BreakerChanged>());
          break;
        case Kind::kContextFitted:
          observers_.on_context_fitted(in.event<ContextFitted>());
          break;
        case Kind::kBudgetExhausted:
          observers_.on_budget_exhausted(in.event<BudgetExhausted>());
          break;
        case Kind::kSubWorkflowStarted:
          observers_.on_sub_workflow_started(in.event<SubWorkflowStarted>());
          break;
        case Kind::kSubWorkflowEnded: {
          auto e = in.event<SubWorkflowEnded>();
          e.outcome = in.text();
          observers_.on_sub_workflow_ended(e);
          break;
        }
        default:
          throw std::logic_error("ObserverThread: a batch with an unknown event kind");
      }
    }
    b.used = 0;  // back to the simulation's thread, empty, its buffer kept
  }

  ObserverList& observers_;
  std::vector<RoutingCandidate> candidates_;  // a decision's, during its call
  BatchPipe<Batch> pipe_;                     // last: its thread starts after the rest
};

ObserverThread::ObserverThread() = default;
ObserverThread::~ObserverThread() = default;

void ObserverThread::finish() {
  if (finished_) return;
  finished_ = true;
  if (used_ > 0) send();
  if (worker_) worker_->pipe_.close();  // no worker: nothing was ever sent
}

void ObserverThread::reserve(std::size_t words) {
  if (used_ + words > batch_.size()) batch_.resize(std::max(kBatchWords, used_ + words) + 64);
}

template <class E>
void ObserverThread::append(Kind kind, const E& e) {
  static_assert(std::is_trivially_copyable_v<E>);
  constexpr std::size_t n = words_for(sizeof(E));
  reserve(1 + n);
  std::uint64_t* at = batch_.data() + used_;
  at[0] = static_cast<std::uint64_t>(kind);
  std::memcpy(static_cast<void*>(at + 1), &e, sizeof(E));
  used_ += 1 + n;
}

template <class E>
void ObserverThread::record(Kind kind, const E& e) {
  if (!handles(kind)) return;
  append(kind, e);
  send_if_full();
}

void ObserverThread::append_word(std::uint64_t w) {
  reserve(1);
  batch_[used_++] = w;
}

void ObserverThread::append_bytes(const void* data, std::size_t bytes) {
  append_word(bytes);
  reserve(words_for(bytes));
  used_ += put_bytes(batch_.data() + used_, data, bytes);
}

void ObserverThread::append_reason(const Reason& reason) {
  if (reason.deferred() && !reason.has_strings()) {
    append_word(0);
    return;
  }
  append_word(1);
  text_.clear();
  reason.append_to(text_);
  append_bytes(text_.data(), text_.size());
}

void ObserverThread::send_if_full() {
  if (used_ >= kBatchWords) send();
}

void ObserverThread::send() {
  if (!worker_) worker_ = std::make_unique<Worker>(observers_);
  // The batch is filled in batch_, which only this thread touches (it stays
  // in this core's cache), and copied whole into the buffer that crosses to
  // the worker with stores that bypass the cache: writing straight into
  // buffers the worker had read made each store wait for its line to come
  // back from the other core (docs/performance.md, "Fewer stalls").
  if (outgoing_.size() < used_) outgoing_.resize(batch_.size());
  copy_streaming(outgoing_.data(), batch_.data(), used_);
  Batch b{std::move(outgoing_), used_};
  worker_->pipe_.send(b);
  // What comes back is emptied, or, once an observer has thrown, our own
  // batch as it was: dropped (finish() reports the error), so that the rest
  // of the run does not pile up in one buffer.
  outgoing_ = std::move(b.words);
  used_ = 0;
}

void ObserverThread::on_request_arrived(const RequestArrived& e) {
  record(Kind::kRequestArrived, e);
}

void ObserverThread::on_request_finished(const RequestFinished& e) {
  if (!handles(Kind::kRequestFinished)) return;
  append(Kind::kRequestFinished, e);
  append_bytes(e.outcome.data(), e.outcome.size());
  send_if_full();
}

void ObserverThread::on_call_started(const CallStarted& e) { record(Kind::kCallStarted, e); }
void ObserverThread::on_call_ended(const CallEnded& e) { record(Kind::kCallEnded, e); }

void ObserverThread::on_routing_decision(const RoutingDecision& e) {
  if (!handles(Kind::kRoutingDecision)) return;
  append(Kind::kRoutingDecision, e);
  append_bytes(e.policy.data(), e.policy.size());
  if (e.candidates != nullptr) {
    append_word(e.candidates->size());
    const std::size_t bytes = e.candidates->size() * sizeof(RoutingCandidate);
    reserve(words_for(bytes));
    used_ += put_bytes(batch_.data() + used_, e.candidates->data(), bytes);
  } else {
    append_word(0);
  }
  append_reason(e.reason);
  send_if_full();
}

void ObserverThread::on_node_entered(const NodeEntered& e) { record(Kind::kNodeEntered, e); }

void ObserverThread::on_flow_decision(const FlowDecision& e) {
  if (!handles(Kind::kFlowDecision)) return;
  append(Kind::kFlowDecision, e);
  append_reason(e.reason);
  send_if_full();
}

void ObserverThread::on_retry_scheduled(const RetryScheduled& e) {
  record(Kind::kRetryScheduled, e);
}
void ObserverThread::on_hedge_launched(const HedgeLaunched& e) { record(Kind::kHedgeLaunched, e); }
void ObserverThread::on_breaker_changed(const BreakerChanged& e) {
  record(Kind::kBreakerChanged, e);
}
void ObserverThread::on_context_fitted(const ContextFitted& e) { record(Kind::kContextFitted, e); }
void ObserverThread::on_budget_exhausted(const BudgetExhausted& e) {
  record(Kind::kBudgetExhausted, e);
}

void ObserverThread::on_sub_workflow_started(const SubWorkflowStarted& e) {
  record(Kind::kSubWorkflowStarted, e);
}

void ObserverThread::on_sub_workflow_ended(const SubWorkflowEnded& e) {
  if (!handles(Kind::kSubWorkflowEnded)) return;
  append(Kind::kSubWorkflowEnded, e);
  append_bytes(e.outcome.data(), e.outcome.size());
  send_if_full();
}

}  // namespace orchsim::eval
