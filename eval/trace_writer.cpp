#include "eval/trace_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <iterator>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <string_view>

#include "eval/batch_pipe.hpp"

namespace orchsim::eval {
namespace {

using orchestration::AttemptKind;

std::string json_quoted(std::string_view s) {
  return nlohmann::json(std::string(s))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool links_to_previous(AttemptKind kind) {
  return kind != AttemptKind::kFirst && kind != AttemptKind::kSummarize;
}

// Output in ~1 MB pieces: an event is formatted straight into a piece, in
// room asked for up front, and a full piece goes to a writer thread, which
// hands it to the stream (the kernel's copy into the page cache, ~0.2 s a
// 300 MB trace) while the next piece is formatted. Pieces reach the stream
// whole and in order, so the bytes do not depend on the thread.
class Buffer {
 public:
  explicit Buffer(std::ostream& out)
      : writer_([&out](Piece& piece) {
          out.write(piece.text.data(), static_cast<std::streamsize>(piece.used));
          piece.used = 0;
        }) {
    piece_.text.resize(kFlushAt + kSpare);
  }

  // Where to write at most `bytes`; hand the end of what was written to done().
  char* room(std::size_t bytes) {
    if (piece_.used + bytes > piece_.text.size()) {
      send();
      if (bytes > piece_.text.size()) piece_.text.resize(bytes);
    }
    return piece_.text.data() + piece_.used;
  }
  void done(char* end) {
    piece_.used = static_cast<std::size_t>(end - piece_.text.data());
    if (piece_.used >= kFlushAt) send();
  }
  void append(std::string_view s) {
    char* p = room(s.size());
    std::memcpy(p, s.data(), s.size());
    done(p + s.size());
  }
  // Sends what is left and waits until the stream has every piece.
  void finish() {
    send();
    writer_.close();
  }

 private:
  struct Piece {
    std::vector<char> text;
    std::size_t used = 0;
  };
  void send() {
    if (piece_.used == 0) return;
    writer_.send(piece_);  // piece_ is now an earlier, written piece (or a new one)
    piece_.used = 0;
    if (piece_.text.size() < kFlushAt + kSpare) piece_.text.resize(kFlushAt + kSpare);
  }

  static constexpr std::size_t kFlushAt = std::size_t{1} << 20;
  static constexpr std::size_t kSpare = std::size_t{64} << 10;
  Piece piece_;
  BatchPipe<Piece> writer_;  // last: its thread starts after the rest
};

char* put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

int digit_count(std::uint64_t v) {
  int n = 1;
  for (std::uint64_t limit = 10; n < 20 && v >= limit; limit *= 10) ++n;
  return n;
}

// Decimal digits written in place, two at a time from the end (formatting
// into a temporary and copying cost a library memcpy per number).
char* put_uint(char* p, std::uint64_t v) {
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  char* const end = p + digit_count(v);
  char* q = end;
  while (v >= 100) {
    q -= 2;
    std::memcpy(q, kPairs + v % 100 * 2, 2);
    v /= 100;
  }
  if (v >= 10) {
    std::memcpy(q - 2, kPairs + v * 2, 2);
  } else {
    q[-1] = static_cast<char>('0' + v);
  }
  return end;
}

char* put_int(char* p, std::int64_t v) {
  if (v >= 0) return put_uint(p, static_cast<std::uint64_t>(v));
  *p++ = '-';
  return put_uint(p, 0 - static_cast<std::uint64_t>(v));
}

// Nanoseconds as microseconds with exactly 3 decimals (integer arithmetic).
char* put_us(char* p, std::int64_t ns) {
  if (ns < 0) *p++ = '-';
  const std::uint64_t abs =
      ns < 0 ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  p = put_uint(p, abs / 1000);
  const auto frac = static_cast<unsigned>(abs % 1000);
  p[0] = '.';
  p[1] = static_cast<char>('0' + frac / 100);
  p[2] = static_cast<char>('0' + frac / 10 % 10);
  p[3] = static_cast<char>('0' + frac % 10);
  return p + 4;
}

template <int kExponent>
constexpr std::uint64_t power(std::uint64_t base) {
  std::uint64_t r = 1;
  for (int i = 0; i < kExponent; ++i) r *= base;
  return r;
}

// |v| × 10^kDecimals rounded to nearest, ties to even, as printf rounds the
// exact binary value; nothing when that is 2^63 or more. |v| = m × 2^e
// exactly, so |v| × 10^d = m × 5^d / 2^s with s = -(e + d): one 128-bit
// product, a shift and a look at the bits shifted out, where printf and
// std::to_chars do general multi-word arithmetic.
template <int kDecimals>
std::optional<std::uint64_t> scaled_exactly(double v) {
  __extension__ using Uint128 = unsigned __int128;
  const auto bits = std::bit_cast<std::uint64_t>(v);
  const auto biased_exponent = static_cast<int>(bits >> 52 & 0x7ff);
  std::uint64_t m = bits & ((std::uint64_t{1} << 52) - 1);
  if (biased_exponent != 0) m |= std::uint64_t{1} << 52;  // normal: the implicit bit
  const int shift = 1075 - std::max(biased_exponent, 1) - kDecimals;
  if (shift <= 0) return std::nullopt;  // |v| >= 2^(52 - d): left to the general path
  const Uint128 product = Uint128{m} * power<kDecimals>(5);  // < 2^72
  if (shift >= 128) return 0;                                // below 2^-56: rounds to 0
  const Uint128 whole = product >> shift;
  if (whole >= (Uint128{1} << 63)) return std::nullopt;
  const Uint128 rest = product - (whole << shift);
  const Uint128 half = Uint128{1} << (shift - 1);
  auto n = static_cast<std::uint64_t>(whole);
  if (rest > half || (rest == half && n % 2 == 1)) ++n;
  return n;
}

// The longest fixed-point double: 309 integer digits, a sign, a point and
// the decimals.
constexpr std::size_t kMaxFixedChars = 330;

// Fixed decimals exactly as printf's "%.*f" (and fmt's "{:.*f}", which wrote
// them before). Probabilities and costs take the exact integer path;
// std::to_chars, which rounds the same way, covers the rest.
template <int kDecimals>
char* put_fixed(char* p, double v) {
  if (!std::isfinite(v)) return put(p, "null");
  const std::optional<std::uint64_t> n = scaled_exactly<kDecimals>(v);
  if (!n) return std::to_chars(p, p + kMaxFixedChars, v, std::chars_format::fixed, kDecimals).ptr;
  if (std::signbit(v)) *p++ = '-';  // "-0.0000" too, as printf
  constexpr std::uint64_t kOne = power<kDecimals>(10);
  p = put_uint(p, *n / kOne);
  *p = '.';
  std::uint64_t decimals = *n % kOne;
  for (int i = kDecimals; i > 0; --i) {
    p[i] = static_cast<char>('0' + decimals % 10);
    decimals /= 10;
  }
  return p + 1 + kDecimals;
}

}  // namespace

// The JSON text of one event, written at a pointer with room enough.
struct TraceWriter::Text {
  // More than any event needs beside its quoted name: three doubles of up to
  // 319 characters, a dozen integers of up to 21, ~320 of keys and names.
  static constexpr std::size_t kMaxBytes = 2048;

  static char* slice(char* p, const Record& r, std::string_view quoted_name) {
    const std::string_view kind = orchestration::to_string(r.kind);
    p = put(p, ",\n{\"name\":");
    p = put(p, quoted_name);
    p = put(p, ",\"cat\":\"");
    p = put(p, kind);
    p = put(p, "\",\"ph\":\"X\",\"ts\":");
    p = put_us(p, r.ts_ns);
    p = put(p, ",\"dur\":");
    p = put_us(p, r.dur_ns);
    p = put(p, ",\"pid\":");
    p = put_uint(p, r.pid);
    p = put(p, ",\"tid\":");
    p = put_uint(p, r.tid);
    p = put(p, ",\"args\":{\"request\":");
    p = put_uint(p, r.id);
    p = put(p, ",\"attempt\":");
    p = put_uint(p, r.attempt);
    p = put(p, ",\"kind\":\"");
    p = put(p, kind);
    p = put(p, "\",\"end\":\"");
    p = put(p, r.unfinished ? std::string_view("unfinished") : orchestration::to_string(r.end));
    p = put(p, "\",\"error\":\"");
    p = put(p, mock_agents::to_string(r.error));
    p = put(p, "\",\"input_tokens\":");
    p = put_int(p, r.input_tokens);
    p = put(p, ",\"output_tokens\":");
    p = put_int(p, r.output_tokens);
    p = put(p, ",\"cost_usd\":");
    p = put_fixed<8>(p, r.cost_usd);
    p = put(p, ",\"quality\":");
    p = put_fixed<4>(p, r.quality);
    p = put(p, ",\"confidence\":");
    p = put_fixed<4>(p, r.confidence);
    p = put(p, ",\"queue_wait_us\":");
    p = put_us(p, r.queue_wait_ns);
    return put(p, "}}");
  }

  static char* flow(char* p, const Record& r) {
    p = put(p, ",\n{\"name\":\"");
    p = put(p, orchestration::to_string(r.kind));
    p = put(p, r.phase == Phase::kFlowStart
                   ? std::string_view("\",\"cat\":\"attempt\",\"ph\":\"s\",")
                   : std::string_view("\",\"cat\":\"attempt\",\"ph\":\"f\",\"bp\":\"e\","));
    p = put(p, "\"id\":");
    p = put_uint(p, r.id);
    p = put(p, ",\"ts\":");
    p = put_us(p, r.ts_ns);
    p = put(p, ",\"pid\":");
    p = put_uint(p, r.pid);
    p = put(p, ",\"tid\":");
    p = put_uint(p, r.tid);
    return put(p, "}");
  }

  static char* counter(char* p, const Counter& c) {
    p = put(p, ",\n{\"name\":\"requests_in_flight\",\"ph\":\"C\",\"ts\":");
    p = put_us(p, c.ts_ns);
    p = put(p, ",\"pid\":0,\"tid\":0,\"args\":{\"in_flight\":");
    p = put_uint(p, c.in_flight);
    return put(p, "}}");
  }
};

TraceWriter::TraceWriter(const orchestration::Workflow& workflow,
                         std::vector<std::string> agent_names, std::size_t max_events)
    : workflow_(workflow), agent_names_(std::move(agent_names)), max_events_(max_events) {
  lanes_.resize(agent_names_.size());
}

orchestration::AgentIndex TraceWriter::run_track(orchestration::SubWorkflowIndex sub) const {
  return static_cast<orchestration::AgentIndex>(agent_names_.size() + sub);
}

bool TraceWriter::add(const Record& r) {
  if (event_count() >= max_events_) {
    ++dropped_;
    return false;
  }
  records_.push_back(r);
  return true;
}

bool TraceWriter::add(const Counter& c) {
  if (event_count() >= max_events_) {
    ++dropped_;
    return false;
  }
  counters_.push_back(c);
  return true;
}

// Both halves or neither: a flow with one end would point nowhere.
void TraceWriter::add_flow(const SliceAt& from, const SliceAt& to, AttemptKind kind) {
  if (event_count() + 2 > max_events_) {
    dropped_ += 2;
    return;
  }
  Record half{};  // the fields a flow does not print stay zero
  half.id = next_flow_id_;
  half.kind = kind;
  for (const auto& [at, phase] :
       {std::pair{from, Phase::kFlowStart}, std::pair{to, Phase::kFlowEnd}}) {
    half.ts_ns = at.ts_ns;
    half.pid = at.pid;
    half.tid = at.tid;
    half.phase = phase;
    add(half);
  }
  ++next_flow_id_;
}

std::vector<TraceWriter::Lane>& TraceWriter::lanes(orchestration::AgentIndex agent) {
  if (lanes_.size() <= agent) lanes_.resize(std::size_t{agent} + 1);
  return lanes_[agent];
}

std::uint32_t TraceWriter::take_lane(orchestration::AgentIndex agent, std::int64_t at_ns) {
  std::vector<Lane>& ls = lanes(agent);
  for (std::size_t i = 0; i < ls.size(); ++i) {
    if (!ls[i].busy && ls[i].free_since_ns <= at_ns) {
      ls[i].busy = true;
      return static_cast<std::uint32_t>(i);
    }
  }
  ls.push_back({true, 0});
  return static_cast<std::uint32_t>(ls.size() - 1);
}

namespace {
// A mock agent's call id is generation << 32 | pool index.
std::size_t slot_of(mock_agents::CallId call) { return static_cast<std::uint32_t>(call); }
// Slots grow to cover a new index only if it is near the ones in use, so an
// id that is not a pool index cannot make them huge.
constexpr std::size_t kSlotSlack = 1024;
}  // namespace

void TraceWriter::remember_call(orchestration::AgentIndex agent, const ActiveCall& call) {
  if (!active_overflow_.empty()) {  // a call started again while in flight stays where it is
    const auto it = active_overflow_.find({agent, call.call});
    if (it != active_overflow_.end()) {
      it->second = call;
      return;
    }
  }
  if (active_.size() <= agent) active_.resize(std::size_t{agent} + 1);
  std::vector<ActiveCall>& slots = active_[agent];
  const std::size_t i = slot_of(call.call);
  if (i >= slots.size() && i < 2 * slots.size() + kSlotSlack) slots.resize(i + 1);
  if (i < slots.size() && (!slots[i].running || slots[i].call == call.call)) {
    slots[i] = call;
    return;
  }
  active_overflow_[{agent, call.call}] = call;
}

// The lane of a call in flight, which is then no longer in flight.
std::optional<std::uint32_t> TraceWriter::forget_call(orchestration::AgentIndex agent,
                                                      mock_agents::CallId call) {
  if (agent < active_.size()) {
    std::vector<ActiveCall>& slots = active_[agent];
    const std::size_t i = slot_of(call);
    if (i < slots.size() && slots[i].running && slots[i].call == call) {
      slots[i].running = false;
      return slots[i].lane;
    }
  }
  if (active_overflow_.empty()) return std::nullopt;
  const auto it = active_overflow_.find({agent, call});
  if (it == active_overflow_.end()) return std::nullopt;
  const std::uint32_t lane = it->second.lane;
  active_overflow_.erase(it);
  return lane;
}

// In (agent, call id) order: which of them fit under max_events depends on it.
std::vector<std::pair<orchestration::AgentIndex, TraceWriter::ActiveCall>>
TraceWriter::calls_in_flight() const {
  std::vector<std::pair<orchestration::AgentIndex, ActiveCall>> calls;
  for (std::size_t a = 0; a < active_.size(); ++a) {
    for (const ActiveCall& c : active_[a]) {
      if (c.running) calls.emplace_back(static_cast<orchestration::AgentIndex>(a), c);
    }
  }
  for (const auto& [key, c] : active_overflow_) calls.emplace_back(key.first, c);
  std::sort(calls.begin(), calls.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first < y.first : x.second.call < y.second.call;
  });
  return calls;
}

std::vector<TraceWriter::StepSlice>& TraceWriter::steps_of(orchestration::RequestId request) {
  const auto [it, inserted] = steps_list_.try_emplace(request, 0);
  if (inserted) {
    if (free_step_lists_.empty()) {
      it->second = static_cast<std::uint32_t>(step_lists_.size());
      step_lists_.emplace_back();
    } else {
      it->second = free_step_lists_.back();
      free_step_lists_.pop_back();
    }
  }
  return step_lists_[it->second];
}

// The request's steps are over: its list goes back to the pool, emptied so
// the next request to take it links to none of these slices.
void TraceWriter::forget_steps(orchestration::RequestId request) {
  const auto it = steps_list_.find(request);
  if (it == steps_list_.end()) return;
  step_lists_[it->second].clear();
  free_step_lists_.push_back(it->second);
  steps_list_.erase(it);
}

std::string TraceWriter::node_name(orchestration::NodeId node) const {
  if (node < workflow_.nodes.size()) return workflow_.nodes[node].name;
  return fmt::format("node{}", node);
}

std::string TraceWriter::agent_name(std::uint32_t agent) const {
  if (agent < agent_names_.size()) return agent_names_[agent];
  const std::size_t sub = agent - agent_names_.size();
  if (sub < workflow_.sub_workflows.size()) {
    return fmt::format("sub-workflow {}", workflow_.sub_workflows[sub].name);
  }
  return fmt::format("agent{}", agent);
}

namespace {
// A run's stand-in for a call id: unique among the runs in flight.
mock_agents::CallId run_id(orchestration::RequestId request, std::uint32_t invocation) {
  return (request << 24) ^ invocation;
}
}  // namespace

// Sub-workflow runs are slices too, on a process of their own per
// sub-workflow (after the agents'), named after the calling node.
void TraceWriter::on_sub_workflow_started(const orchestration::SubWorkflowStarted& e) {
  on_call_started({.at = e.at,
                   .request = e.request,
                   .node = e.node,
                   .agent = run_track(e.sub_workflow),
                   .attempt = e.attempt,
                   .call = run_id(e.request, e.invocation),
                   .kind = e.kind,
                   .input_tokens = e.input_tokens});
}

void TraceWriter::on_sub_workflow_ended(const orchestration::SubWorkflowEnded& e) {
  on_call_ended({.at = e.at,
                 .request = e.request,
                 .node = e.node,
                 .agent = run_track(e.sub_workflow),
                 .attempt = e.attempt,
                 .call = run_id(e.request, e.invocation),
                 .kind = e.kind,
                 .end = e.end,
                 .error = e.error,
                 .started = e.started,
                 .duration = e.duration,
                 .queue_wait = sim::Duration::zero(),
                 .input_tokens = e.input_tokens,
                 .output_tokens = e.output_tokens,
                 .cost_usd = e.cost_usd,
                 .quality = e.quality,
                 .confidence = e.confidence,
                 .silent = e.silent});
}

void TraceWriter::on_request_arrived(const orchestration::RequestArrived& e) {
  last_ns_ = std::max(last_ns_, e.at.count_ns());
  ++in_flight_;
  add(Counter{e.at.count_ns(), in_flight_});
}

void TraceWriter::on_request_finished(const orchestration::RequestFinished& e) {
  last_ns_ = std::max(last_ns_, e.at.count_ns());
  if (in_flight_ > 0) --in_flight_;
  add(Counter{e.at.count_ns(), in_flight_});
  forget_steps(e.request);  // memory follows requests in flight
}

void TraceWriter::on_call_started(const orchestration::CallStarted& e) {
  const std::int64_t at = e.at.count_ns();
  last_ns_ = std::max(last_ns_, at);
  const std::uint32_t lane = take_lane(e.agent, at);
  remember_call(e.agent, ActiveCall{.call = e.call,
                                    .at_ns = at,
                                    .request = e.request,
                                    .input_tokens = e.input_tokens,
                                    .lane = lane,
                                    .node = e.node,
                                    .attempt = e.attempt,
                                    .kind = e.kind,
                                    .running = true});
  if (e.kind == AttemptKind::kSummarize) return;  // neither linked nor a link target
  const SliceAt here{e.agent + 1, lane + 1, at};
  std::vector<StepSlice>& steps = steps_of(e.request);
  const auto step = std::find_if(steps.begin(), steps.end(),
                                 [&](const StepSlice& s) { return s.node == e.node; });
  if (step == steps.end()) {
    steps.push_back({e.node, here});
    return;
  }
  if (links_to_previous(e.kind)) add_flow(step->at, here, e.kind);
  step->at = here;
}

void TraceWriter::on_call_ended(const orchestration::CallEnded& e) {
  const std::int64_t at = e.at.count_ns();
  last_ns_ = std::max(last_ns_, at);
  const std::int64_t start = e.started.count_ns();
  const std::optional<std::uint32_t> announced = forget_call(e.agent, e.call);
  // A call never announced is placed where it fits.
  const std::uint32_t lane = announced ? *announced : take_lane(e.agent, start);
  Lane& l = lanes(e.agent)[lane];
  l.busy = false;
  l.free_since_ns = std::max(l.free_since_ns, at);
  add(Record{.ts_ns = start,
             .dur_ns = std::max<std::int64_t>(0, at - start),
             .id = e.request,
             .input_tokens = e.input_tokens,
             .output_tokens = e.output_tokens,
             .queue_wait_ns = e.queue_wait.count_ns(),
             .cost_usd = e.cost_usd,
             .quality = e.quality,
             .confidence = e.confidence,
             .pid = e.agent + 1,
             .tid = lane + 1,
             .node = e.node,
             .attempt = e.attempt,
             .phase = Phase::kSlice,
             .kind = e.kind,
             .end = e.end,
             .error = e.error,
             .unfinished = false});
}

// Calls still running: written up to the last event time, if room is left.
std::vector<TraceWriter::Record> TraceWriter::unfinished_slices(std::uint64_t& dropped) const {
  std::vector<Record> unfinished;
  for (const auto& [agent, call] : calls_in_flight()) {
    if (event_count() + unfinished.size() >= max_events_) {
      ++dropped;
      continue;
    }
    Record x{};  // no outcome yet: tokens out, cost, quality and confidence stay zero
    x.ts_ns = call.at_ns;
    x.dur_ns = std::max<std::int64_t>(0, last_ns_ - call.at_ns);
    x.id = call.request;
    x.input_tokens = call.input_tokens;
    x.pid = agent + 1;
    x.tid = call.lane + 1;
    x.node = call.node;
    x.attempt = call.attempt;
    x.phase = Phase::kSlice;
    x.kind = call.kind;
    x.unfinished = true;
    unfinished.push_back(x);
  }
  return unfinished;
}

// The counter samples by time, ties in the order added. They arrive in time
// order from a simulation, so the sort is usually skipped.
std::vector<std::size_t> TraceWriter::counter_order() const {
  std::vector<std::size_t> order(counters_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const auto earlier = [&](std::size_t a, std::size_t b) {
    return counters_[a].ts_ns < counters_[b].ts_ns;
  };
  if (!std::is_sorted(order.begin(), order.end(), earlier)) {
    std::stable_sort(order.begin(), order.end(), earlier);
  }
  return order;
}

namespace {
constexpr std::uint64_t kFlowRank = std::uint64_t{1} << 63;
constexpr std::uint64_t kIndexMask = kFlowRank - 1;
constexpr std::size_t kPrefetchAhead = 8;  // a few events' formatting covers a miss

// Both cache lines of a record (alignas(32): it never spans three).
template <class T>
void prefetch(const T& x) {
  static_assert(sizeof(T) <= 128 && alignof(T) >= 32);
  __builtin_prefetch(&x);
  __builtin_prefetch(reinterpret_cast<const char*>(&x) + sizeof(T) - 1);
}
}  // namespace

// Slices and flows (records_, then `unfinished`) in output order: by track
// (pid, tid), then by TrackKey. A counting sort puts each track's records
// together in the order added; within a track they are nearly in time order
// already (a lane's slices do not overlap), so most tracks need no sort.
std::vector<TraceWriter::TrackKey> TraceWriter::record_order(
    const std::vector<Record>& unfinished) const {
  // Tracks numbered densely in (pid, tid) order: every record sits on a lane
  // the writer handed out, so pid - 1 and tid - 1 index lanes_.
  std::vector<std::size_t> first_track(lanes_.size() + 1, 0);
  for (std::size_t a = 0; a < lanes_.size(); ++a) {
    first_track[a + 1] = first_track[a] + lanes_[a].size();
  }
  const auto record = [&](std::size_t i) -> const Record& {
    return i < records_.size() ? records_[i] : unfinished[i - records_.size()];
  };
  const auto track = [&](const Record& r) {
    assert(r.pid >= 1 && r.pid <= lanes_.size() && r.tid >= 1 && r.tid <= lanes_[r.pid - 1].size());
    return first_track[r.pid - 1] + r.tid - 1;
  };
  const std::size_t total = records_.size() + unfinished.size();
  std::vector<std::size_t> next(first_track.back() + 1, 0);  // per track, then its next slot
  for (std::size_t i = 0; i < total; ++i) ++next[track(record(i)) + 1];
  std::partial_sum(next.begin(), next.end(), next.begin());
  std::vector<TrackKey> keys(total);
  for (std::size_t i = 0; i < total; ++i) {
    const Record& r = record(i);
    keys[next[track(r)]++] = {r.ts_ns, (r.phase == Phase::kSlice ? 0 : kFlowRank) | i};
  }
  auto begin = keys.begin();
  for (std::size_t t = 0; t + 1 < next.size(); ++t) {  // next[t]: the end of track t
    const auto end = keys.begin() + static_cast<std::ptrdiff_t>(next[t]);
    if (!std::is_sorted(begin, end)) std::sort(begin, end);
    begin = end;
  }
  return keys;
}

std::string TraceWriter::header() const {
  std::string text = "{\"traceEvents\":[\n";
  auto it = std::back_inserter(text);
  // Track names first.
  text +=
      "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":0,\"tid\":0,\"args\":{\"name\":\"requests\"}"
      "}";
  text +=
      ",\n{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":0,\"tid\":0,\"args\":{\"sort_"
      "index\":0}}";
  const std::size_t agents = std::max(agent_names_.size(), lanes_.size());
  for (std::uint32_t a = 0; a < agents; ++a) {
    fmt::format_to(it,
                   ",\n{{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":{},\"tid\":0,\"args\":{{"
                   "\"name\":{}}}}}",
                   a + 1, json_quoted(agent_name(a)));
    fmt::format_to(it,
                   ",\n{{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":{},\"tid\":0,"
                   "\"args\":{{\"sort_index\":{}}}}}",
                   a + 1, a + 1);
    const std::size_t lane_count = a < lanes_.size() ? lanes_[a].size() : 0;
    for (std::size_t l = 1; l <= lane_count; ++l) {
      fmt::format_to(it,
                     ",\n{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":{},\"tid\":{},\"args\":{{"
                     "\"name\":\"lane {}\"}}}}",
                     a + 1, l, l);
    }
  }
  return text;
}

std::string TraceWriter::footer(std::size_t events, std::uint64_t dropped) const {
  return fmt::format(
      "\n],\"displayTimeUnit\":\"ms\",\"metadata\":{{\"generator\":\"orchsim\","
      "\"workflow\":{},\"max_events\":{},\"events\":{},\"truncated\":{},"
      "\"dropped_events\":{}}}}}\n",
      json_quoted(workflow_.name), max_events_, events, dropped > 0 ? "true" : "false", dropped);
}

void TraceWriter::write(std::ostream& out) const {
  std::uint64_t dropped = dropped_;
  const std::vector<Record> unfinished = unfinished_slices(dropped);
  // Quoted once, not per slice.
  std::vector<std::string> quoted_nodes;
  quoted_nodes.reserve(workflow_.nodes.size());
  for (const auto& node : workflow_.nodes) quoted_nodes.push_back(json_quoted(node.name));

  Buffer text(out);
  text.append(header());
  // Counters first: pid 0 sorts before every agent's pid.
  for (const std::size_t i : counter_order()) {
    char* p = text.room(Text::kMaxBytes);
    text.done(Text::counter(p, counters_[i]));
  }
  const std::vector<TrackKey> order = record_order(unfinished);
  const auto record = [&](const TrackKey& key) -> const Record& {
    const std::size_t i = key.rank_index & kIndexMask;
    return i < records_.size() ? records_[i] : unfinished[i - records_.size()];
  };
  std::string other_name;
  for (std::size_t k = 0; k < order.size(); ++k) {
    // Track order jumps about in memory: fetch ahead, or each record waits
    // for a cache miss.
    if (k + kPrefetchAhead < order.size()) prefetch(record(order[k + kPrefetchAhead]));
    const Record& r = record(order[k]);
    if (r.phase != Phase::kSlice) {
      char* p = text.room(Text::kMaxBytes);
      text.done(Text::flow(p, r));
      continue;
    }
    std::string_view name;
    if (r.node < quoted_nodes.size()) {
      name = quoted_nodes[r.node];
    } else {
      other_name = json_quoted(node_name(r.node));
      name = other_name;
    }
    char* p = text.room(Text::kMaxBytes + name.size());
    text.done(Text::slice(p, r, name));
  }
  text.append(footer(records_.size() + counters_.size() + unfinished.size(), dropped));
  text.finish();
}

}  // namespace orchsim::eval
