#include "eval/decision_log.hpp"

#include <fmt/format.h>
#include <tsl/robin_map.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>
#include <iterator>
#include <nlohmann/json.hpp>

#include "orchestration/policy.hpp"

namespace orchsim::eval {

// Every event of a request looks its request up by id: open addressing
// (robin_map, Debian's robin-map-dev) instead of std::unordered_map's node
// per entry, a malloc and a cache miss per decision. The records live in a
// pool of slots, reused with their buffers. Looked up by id only, never
// iterated into output (finish() sorts the ids).
struct DecisionLog::Tables {
  struct Attempt {
    orchestration::RequestId request;
    std::size_t index;  // into its request's decisions
  };
  tsl::robin_map<orchestration::RequestId, std::uint32_t> slot_of;  // request -> slot
  tsl::robin_map<std::uint64_t, Attempt> attempts;                  // decision id -> attempt
  std::vector<Pending> slots;
  std::vector<std::uint32_t> free_slots;

  Pending* find(orchestration::RequestId id) {
    const auto it = slot_of.find(id);
    return it == slot_of.end() ? nullptr : &slots[it->second];
  }
};

namespace {

using orchestration::AttemptKind;
using orchestration::CallEnd;

constexpr AttemptKind kKinds[] = {AttemptKind::kFirst,    AttemptKind::kRetry,
                                  AttemptKind::kHedge,    AttemptKind::kFallback,
                                  AttemptKind::kRedirect, AttemptKind::kDecompose,
                                  AttemptKind::kCascade,  AttemptKind::kSummarize};
constexpr CallEnd kEnds[] = {CallEnd::kSuccess, CallEnd::kInvalid, CallEnd::kError,
                             CallEnd::kTimeout, CallEnd::kCancelled};

// Integers and fixed-point numbers by hand and std::to_chars: fmt's runtime
// format strings cost more than the rest of a row (parsing "{:.{}f}" on every
// number). Same digits as fmt's: both round the exact binary value, ties
// included (tests/eval/decision_log_test.cpp checks them against each other).
// A row is written through a pointer into a buffer sized for its longest
// form beforehand (kMaxNumber a number), not a string's append with its
// capacity check per character.

// The longest a number is written: the fixed form of a finite double, and
// then some.
constexpr std::size_t kMaxNumber = 352;
constexpr std::size_t kMaxInt = 24;

template <typename Int>
char* put_int(char* at, Int x) {
  return std::to_chars(at, at + kMaxInt, x).ptr;
}

char* put(char* at, std::string_view s) {
  std::memcpy(at, s.data(), s.size());
  return at + s.size();
}

// Integers, each followed by a comma ("3,0,1,"): a row's columns.
template <typename... Int>
char* put_ints_and_commas(char* at, Int... xs) {
  ((at = put_int(at, xs), *at++ = ','), ...);
  return at;
}

constexpr int kMaxFastDecimals = 6;
constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
constexpr std::uint64_t kPow10Int[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

// x rounded to `decimals` places by scaling: y = x * 10^d is within half an
// ulp of the exact product, below 2^-13 for |y| < 2^40, so rounding y to the
// nearest integer agrees with rounding the exact value whenever y is more
// than 2^-10 away from a half. Elsewhere (ties, near-ties, huge values)
// std::to_chars decides: it rounds the exact value, as fmt does.
char* put_fixed(char* at, double x, int decimals) {
  if (decimals >= 0 && decimals <= kMaxFastDecimals) {
    const double y = std::fabs(x * kPow10[decimals]);
    if (y < 0x1p40) {
      const double whole = std::floor(y);
      const double frac = y - whole;
      if (std::fabs(frac - 0.5) > 0x1p-10) {
        const std::uint64_t r = static_cast<std::uint64_t>(whole) + (frac > 0.5 ? 1 : 0);
        if (r == 0) {
          *at++ = '0';  // "-0" too
          return at;
        }
        if (x < 0) *at++ = '-';
        at = put_int(at, r / kPow10Int[decimals]);
        std::uint64_t f = r % kPow10Int[decimals];
        if (f == 0) return at;
        int digits = decimals;
        while (f % 10 == 0) {
          f /= 10;
          --digits;
        }
        at[0] = '.';
        for (int i = digits; i > 0; --i, f /= 10) at[i] = static_cast<char>('0' + f % 10);
        return at + digits + 1;
      }
    }
  }
  char* const start = at;
  const auto r = std::to_chars(at, at + kMaxNumber, x, std::chars_format::fixed, decimals);
  char* end = r.ptr;
  if (std::find(start, end, '.') != end) {
    while (end[-1] == '0') --end;
    if (end[-1] == '.') --end;
  }
  if (end - start == 2 && start[0] == '-' && start[1] == '0') {
    start[0] = '0';
    return start + 1;
  }
  return end;
}

// A number with `decimals` fixed places, trailing zeros dropped ("0.5", "1").
char* put_number(char* at, double x, int decimals) {
  if (!std::isfinite(x)) return put(at, "null");
  return put_fixed(at, x, decimals);
}

// Milliseconds to 0.1 ms, from nanoseconds, exactly (integer rounding half up).
char* put_ms(char* at, std::int64_t ns) {
  const std::int64_t tenths = (ns + (ns >= 0 ? 50'000 : -50'000)) / 100'000;
  const std::int64_t a = tenths < 0 ? -tenths : tenths;
  if (tenths < 0) *at++ = '-';
  at = put_int(at, a / 10);
  if (a % 10 != 0) {
    *at++ = '.';
    *at++ = static_cast<char>('0' + a % 10);
  }
  return at;
}

// The string forms, for the features (a longer, rarer part of a row).
void append_number(std::string& out, double x, int decimals) {
  char buf[kMaxNumber];
  out.append(buf, static_cast<std::size_t>(put_number(buf, x, decimals) - buf));
}

}  // namespace

namespace detail {

void append_fixed(std::string& out, double x, int decimals) {
  char buf[kMaxNumber];
  out.append(buf, static_cast<std::size_t>(put_fixed(buf, x, decimals) - buf));
}

}  // namespace detail

DecisionLog::DecisionLog(std::ostream& out, const orchestration::Workflow& workflow,
                         std::vector<std::string> agent_names, DecisionLogOptions options)
    : out_(out),
      agent_names_(std::move(agent_names)),
      options_(std::move(options)),
      tables_(std::make_unique<Tables>()) {
  if (options_.own_thread) {
    pipe_ = std::make_unique<BatchPipe<Rows>>([this](Rows& batch) { write_rows(batch); });
  }
  write_header(workflow);  // before any row: the worker only writes what send_rows() hands it
}

DecisionLog::~DecisionLog() = default;

void DecisionLog::write_header(const orchestration::Workflow& workflow) {
  nlohmann::ordered_json h;
  h["orchsim"] = "decisions";
  h["version"] = kVersion;
  h["scenario"] = options_.scenario;
  h["seed"] = options_.seed;
  h["features"] = options_.features;
  h["nodes"] = nlohmann::ordered_json::array();
  h["policies"] = nlohmann::ordered_json::array();
  for (const auto& n : workflow.nodes) {
    h["nodes"].push_back(n.name);
    h["policies"].push_back(n.kind == orchestration::NodeKind::kCall
                                ? nlohmann::ordered_json(n.call.routing.policy)
                                : nlohmann::ordered_json());
  }
  h["agents"] = agent_names_;
  h["kinds"] = nlohmann::ordered_json::array();
  for (const AttemptKind k : kKinds) h["kinds"].push_back(orchestration::to_string(k));
  h["ends"] = nlohmann::ordered_json::array();
  for (const CallEnd e : kEnds) h["ends"].push_back(orchestration::to_string(e));
  h["errors"] = nlohmann::ordered_json::array();
  for (int k = 0; k <= static_cast<int>(mock_agents::ErrorKind::kUnavailable); ++k) {
    h["errors"].push_back(mock_agents::to_string(static_cast<mock_agents::ErrorKind>(k)));
  }
  h["decision_columns"] = {"node",  "agent",  "kind",       "p",       "visit",    "end",
                           "error", "lat_ms", "confidence", "quality", "cost_uusd"};
  h["flow_columns"] = {"node", "next"};
  line_ = h.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line_ += '\n';
  out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
}

void DecisionLog::on_request_arrived(const orchestration::RequestArrived& e) {
  Tables& t = *tables_;
  std::uint32_t slot = 0;
  if (const auto it = t.slot_of.find(e.request); it != t.slot_of.end()) {
    slot = it->second;  // the same id again: it starts over
  } else if (!t.free_slots.empty()) {
    slot = t.free_slots.back();
    t.free_slots.pop_back();
    t.slot_of.emplace(e.request, slot);
  } else {
    slot = static_cast<std::uint32_t>(t.slots.size());
    t.slots.emplace_back();
    t.slot_of.emplace(e.request, slot);
  }
  Pending& p = t.slots[slot];
  p.arrival = e.at;
  p.class_index = e.class_index;
  p.input_tokens = e.input_tokens;
  p.decisions.clear();
  p.flows.clear();
  p.features.clear();
}

void DecisionLog::on_routing_decision(const orchestration::RoutingDecision& e) {
  Pending* found = tables_->find(e.request);
  if (!found) return;
  Pending& p = *found;
  tables_->attempts.insert_or_assign(e.id, Tables::Attempt{e.request, p.decisions.size()});
  p.decisions.push_back({.node = e.node,
                         .agent = e.choice,
                         .kind = static_cast<std::uint8_t>(e.kind),
                         .probability = e.probability,
                         .visit = e.visit});
  if (options_.features) {
    if (!p.features.empty()) p.features += ',';
    append_features(p.features, e);
  }
}

void DecisionLog::append_features(std::string& out, const orchestration::RoutingDecision& e) {
  const orchestration::DecisionContext* ctx = e.context;
  auto it = std::back_inserter(out);
  if (!ctx) {
    out += "null";
    return;
  }
  fmt::format_to(it, "{{\"ctx\":{},\"tl\":", ctx->context_tokens);
  if (ctx->deadline == sim::Time::max()) {
    out += "null";
  } else {
    append_number(out, ctx->time_left().milliseconds_f(), 3);
  }
  out += ",\"cost\":";
  append_number(out, ctx->cost_usd, 8);
  fmt::format_to(it, ",\"at\":{},\"prev\":[{},{},", ctx->attempt, ctx->previous.failed ? 1 : 0,
                 ctx->previous.label);
  append_number(out, ctx->previous.confidence, 4);
  fmt::format_to(it, ",{}],\"cand\":[", ctx->previous.verdict_pass ? 1 : 0);
  for (std::size_t i = 0; i < ctx->size(); ++i) {
    const orchestration::Candidate c = (*ctx)[i];
    fmt::format_to(it, "{}[{},{},{},{},{},", i ? "," : "", c.agent(), c.eligible() ? 1 : 0,
                   c.in_flight(), c.queued(), c.servers());
    append_number(out, c.ewma_latency_ms(), 3);
    out += ',';
    append_number(out, c.ewma_error_rate(), 4);
    out += ',';
    append_number(out, c.ewma_confidence(), 4);
    out += ',';
    append_number(out, c.ewma_cost_usd(), 8);
    out += ']';
  }
  out += "],\"s\":[";
  if (e.candidates != nullptr) {
    for (std::size_t i = 0; i < e.candidates->size(); ++i) {
      if (i) out += ',';
      append_number(out, (*e.candidates)[i].score, 6);
    }
  }
  out += "]}";
}

void DecisionLog::on_flow_decision(const orchestration::FlowDecision& e) {
  Pending* p = tables_->find(e.request);
  if (!p) return;
  p->flows.emplace_back(e.node,
                        e.next == orchestration::kNoNode ? std::int64_t{-1} : std::int64_t{e.next});
}

void DecisionLog::on_call_ended(const orchestration::CallEnded& e) {
  if (e.decision == 0) return;  // not chosen by a routing policy
  const auto a = tables_->attempts.find(e.decision);
  if (a == tables_->attempts.end()) return;
  if (Pending* p = tables_->find(a->second.request)) {
    Decision& d = p->decisions[a->second.index];
    d.end = static_cast<int>(e.end);
    d.error = static_cast<int>(e.error);
    d.latency_ns = e.duration.count_ns();
    d.confidence = e.confidence;
    d.quality = e.quality;
    d.cost_usd = e.cost_usd;
  }
  tables_->attempts.erase(a);
}

DecisionLog::Row& DecisionLog::next_row() {
  if (batch_.used == batch_.rows.size()) batch_.rows.emplace_back();
  return batch_.rows[batch_.used++];
}

void DecisionLog::send_rows() {
  if (pipe_) {
    pipe_->send(batch_);  // batch_ is now a written batch, or empty
  } else {
    write_rows(batch_);
  }
  batch_.used = 0;
}

// The row takes the request's decisions; the record it hands back (cleared
// by the worker) is kept for a later request.
void DecisionLog::on_request_finished(const orchestration::RequestFinished& e) {
  Tables& t = *tables_;
  const auto it = t.slot_of.find(e.request);
  if (it == t.slot_of.end()) return;
  const std::uint32_t slot = it->second;
  Row& row = next_row();
  row.id = e.request;
  row.finished = true;
  row.success = e.success;
  row.outcome = &quoted(e.outcome);
  row.latency_ns = e.latency.count_ns();
  row.quality = e.quality;
  row.cost_usd = e.cost_usd;
  std::swap(row.pending, t.slots[slot]);  // the slot keeps the row's old buffers
  t.slot_of.erase(it);
  t.free_slots.push_back(slot);
  ++rows_;
  decisions_ += row.pending.decisions.size();
  if (batch_.used == kRowsPerBatch) send_rows();
}

void DecisionLog::finish() {
  Tables& t = *tables_;
  std::vector<orchestration::RequestId> ids;
  ids.reserve(t.slot_of.size());
  for (const auto& [id, slot] : t.slot_of) ids.push_back(id);
  std::sort(ids.begin(), ids.end());  // the table's order must not reach the file
  for (const orchestration::RequestId id : ids) {
    Row& row = next_row();
    row.id = id;
    row.finished = false;
    std::swap(row.pending, t.slots[t.slot_of.at(id)]);
    ++rows_;
    decisions_ += row.pending.decisions.size();
  }
  if (batch_.used > 0) send_rows();
  t.slot_of.clear();
  t.attempts.clear();
  if (pipe_) pipe_->close();  // every row is in out_ when it returns
}

void DecisionLog::write_rows(Rows& batch) {
  for (std::size_t i = 0; i < batch.used; ++i) {
    Pending& p = batch.rows[i].pending;
    write_row(batch.rows[i]);
    p.decisions.clear();
    p.flows.clear();
    p.features.clear();
  }
}

void DecisionLog::write_row(const Row& row) {
  const Pending& p = row.pending;
  // The longest this row can be: its fixed fields, then per decision 4
  // numbers and 8 integers, per flow 2 integers, the features as they are.
  // Each part is checked against its own share in debug builds, so that one
  // part's slack cannot hide another's shortfall.
  constexpr std::size_t kFixedPart = 256 + 3 * kMaxNumber;
  constexpr std::size_t kPerDecision = 4 * kMaxNumber + 8 * kMaxInt + 32;
  constexpr std::size_t kPerFlow = 2 * kMaxInt + 8;
  const std::size_t outcome = row.outcome ? row.outcome->size() : 0;
  const std::size_t longest = kFixedPart + outcome + p.decisions.size() * kPerDecision +
                              p.flows.size() * kPerFlow + p.features.size() +
                              32;  // the keys and brackets between the parts
  if (line_.size() < longest) line_.resize(longest);
  char* const start = line_.data();
  char* at = start;
  at = put(at, "{\"r\":");
  at = put_int(at, row.id);
  at = put(at, ",\"t\":");
  at = put_ms(at, p.arrival.count_ns());
  at = put(at, ",\"cls\":");
  at = put_int(at, p.class_index);
  at = put(at, ",\"in\":");
  at = put_int(at, p.input_tokens);
  at = put(at, ",\"ok\":");
  if (row.finished) {
    at = put(at, row.success ? "1,\"o\":" : "0,\"o\":");
    at = put(at, *row.outcome);
    at = put(at, ",\"lat\":");
    at = put_ms(at, row.latency_ns);
    at = put(at, ",\"q\":");
    at = put_number(at, row.quality, 3);
    at = put(at, ",\"c\":");
    at = put_number(at, row.cost_usd * 1e6, 1);
  } else {
    at = put(at, "null,\"o\":null,\"lat\":null,\"q\":null,\"c\":null");
  }
  assert(at <= start + kFixedPart + outcome);
  at = put(at, ",\"d\":[");
  for (std::size_t i = 0; i < p.decisions.size(); ++i) {
    const Decision& d = p.decisions[i];
    [[maybe_unused]] const char* const decision_start = at;
    at = put(at, i ? ",[" : "[");
    at = put_ints_and_commas(at, d.node, d.agent, d.kind);
    at = put_number(at, d.probability, 6);
    *at++ = ',';
    at = put_ints_and_commas(at, d.visit, d.end, d.error);
    if (d.end < 0) {
      at = put(at, "null,null,null,null]");
      assert(at <= decision_start + kPerDecision);
      continue;
    }
    at = put_ms(at, d.latency_ns);
    *at++ = ',';
    at = put_number(at, d.confidence, 2);
    *at++ = ',';
    at = put_number(at, d.quality, 2);
    *at++ = ',';
    at = put_number(at, d.cost_usd * 1e6, 1);
    *at++ = ']';
    assert(at <= decision_start + kPerDecision);
  }
  at = put(at, "],\"f\":[");
  for (std::size_t i = 0; i < p.flows.size(); ++i) {
    [[maybe_unused]] const char* const flow_start = at;
    at = put(at, i ? ",[" : "[");
    at = put_ints_and_commas(at, p.flows[i].first);
    at = put_int(at, p.flows[i].second);
    *at++ = ']';
    assert(at <= flow_start + kPerFlow);
  }
  *at++ = ']';
  if (options_.features) {
    at = put(at, ",\"x\":[");
    at = put(at, p.features);
    *at++ = ']';
  }
  at = put(at, "}\n");
  assert(at <= start + longest);  // `longest` is wrong if not (and memory past it was written)
  out_.write(start, at - start);
}

// Outcomes are a handful of names: each is escaped once.
const std::string& DecisionLog::quoted(std::string_view s) {
  for (const auto& [name, json] : quoted_) {
    if (name == s) return json;
  }
  quoted_.emplace_back(std::string(s),
                       nlohmann::json(std::string(s))
                           .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  return quoted_.back().second;
}

}  // namespace orchsim::eval
