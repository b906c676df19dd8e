#include "eval/trace_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <tuple>

namespace orchsim::eval {
namespace {

using orchestration::AttemptKind;

std::string json_quoted(std::string_view s) {
  return nlohmann::json(std::string(s))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Nanoseconds as microseconds with exactly 3 decimals (integer arithmetic).
void append_us(std::string& out, std::int64_t ns) {
  const std::int64_t abs = ns < 0 ? -ns : ns;
  fmt::format_to(std::back_inserter(out), "{}{}.{:03}", ns < 0 ? "-" : "", abs / 1000, abs % 1000);
}

void append_fixed(std::string& out, double v, int decimals) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  fmt::format_to(std::back_inserter(out), "{:.{}f}", v, decimals);
}

bool links_to_previous(AttemptKind kind) {
  return kind != AttemptKind::kFirst && kind != AttemptKind::kSummarize;
}

int phase_rank(std::uint8_t phase) { return phase == 0 ? 0 : 1; }

}  // namespace

TraceWriter::TraceWriter(const orchestration::Workflow& workflow,
                         std::vector<std::string> agent_names, std::size_t max_events)
    : workflow_(workflow), agent_names_(std::move(agent_names)), max_events_(max_events) {
  lanes_.resize(agent_names_.size());
}

bool TraceWriter::add(const Event& e) {
  if (events_.size() >= max_events_) {
    ++dropped_;
    return false;
  }
  events_.push_back(e);
  return true;
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

std::string TraceWriter::node_name(orchestration::NodeId node) const {
  if (node < workflow_.nodes.size()) return workflow_.nodes[node].name;
  return fmt::format("node{}", node);
}

std::string TraceWriter::agent_name(std::uint32_t agent) const {
  if (agent < agent_names_.size()) return agent_names_[agent];
  return fmt::format("agent{}", agent);
}

void TraceWriter::on_request_arrived(const orchestration::RequestArrived& e) {
  last_ns_ = std::max(last_ns_, e.at.count_ns());
  ++in_flight_;
  Event c;
  c.phase = Phase::kCounter;
  c.ts_ns = e.at.count_ns();
  c.id = in_flight_;
  add(c);
}

void TraceWriter::on_request_finished(const orchestration::RequestFinished& e) {
  last_ns_ = std::max(last_ns_, e.at.count_ns());
  if (in_flight_ > 0) --in_flight_;
  Event c;
  c.phase = Phase::kCounter;
  c.ts_ns = e.at.count_ns();
  c.id = in_flight_;
  add(c);
  // Its steps are over: forget them (memory follows requests in flight).
  last_attempt_.erase(last_attempt_.lower_bound({e.request, 0}),
                      e.request == std::numeric_limits<orchestration::RequestId>::max()
                          ? last_attempt_.end()
                          : last_attempt_.lower_bound({e.request + 1, 0}));
}

void TraceWriter::on_call_started(const orchestration::CallStarted& e) {
  const std::int64_t at = e.at.count_ns();
  last_ns_ = std::max(last_ns_, at);
  const std::uint32_t lane = take_lane(e.agent, at);
  active_[{e.agent, e.call}] = ActiveCall{lane, e};
  const SliceAt here{e.agent + 1, lane + 1, at};
  if (links_to_previous(e.kind)) {
    const auto it = last_attempt_.find({e.request, e.node});
    if (it != last_attempt_.end()) {
      if (events_.size() + 2 <= max_events_) {
        Event s;
        s.phase = Phase::kFlowStart;
        s.id = next_flow_id_;
        s.kind = e.kind;
        s.pid = it->second.pid;
        s.tid = it->second.tid;
        s.ts_ns = it->second.ts_ns;
        Event f = s;
        f.phase = Phase::kFlowEnd;
        f.pid = here.pid;
        f.tid = here.tid;
        f.ts_ns = here.ts_ns;
        add(s);
        add(f);
        ++next_flow_id_;
      } else {
        dropped_ += 2;
      }
    }
  }
  if (e.kind != AttemptKind::kSummarize) last_attempt_[{e.request, e.node}] = here;
}

void TraceWriter::on_call_ended(const orchestration::CallEnded& e) {
  const std::int64_t at = e.at.count_ns();
  last_ns_ = std::max(last_ns_, at);
  const std::int64_t start = e.started.count_ns();
  std::uint32_t lane = 0;
  const auto it = active_.find({e.agent, e.call});
  if (it != active_.end()) {
    lane = it->second.lane;
    active_.erase(it);
  } else {
    lane = take_lane(e.agent, start);  // never announced: place it where it fits
  }
  Lane& l = lanes(e.agent)[lane];
  l.busy = false;
  l.free_since_ns = std::max(l.free_since_ns, at);

  Event x;
  x.phase = Phase::kSlice;
  x.ts_ns = start;
  x.dur_ns = std::max<std::int64_t>(0, at - start);
  x.id = e.request;
  x.pid = e.agent + 1;
  x.tid = lane + 1;
  x.input_tokens = e.input_tokens;
  x.output_tokens = e.output_tokens;
  x.queue_wait_ns = e.queue_wait.count_ns();
  x.cost_usd = e.cost_usd;
  x.quality = e.quality;
  x.confidence = e.confidence;
  x.node = e.node;
  x.attempt = e.attempt;
  x.kind = e.kind;
  x.end = e.end;
  x.error = e.error;
  add(x);
}

void TraceWriter::append_event(std::string& out, const Event& e) const {
  auto it = std::back_inserter(out);
  switch (e.phase) {
    case Phase::kSlice:
      fmt::format_to(it, "{{\"name\":{},\"cat\":\"{}\",\"ph\":\"X\",\"ts\":",
                     json_quoted(node_name(e.node)), orchestration::to_string(e.kind));
      append_us(out, e.ts_ns);
      out += ",\"dur\":";
      append_us(out, e.dur_ns);
      fmt::format_to(
          it,
          ",\"pid\":{},\"tid\":{},\"args\":{{\"request\":{},\"attempt\":{},"
          "\"kind\":\"{}\",\"end\":\"{}\",\"error\":\"{}\",\"input_tokens\":{},"
          "\"output_tokens\":{},\"cost_usd\":",
          e.pid, e.tid, e.id, e.attempt, orchestration::to_string(e.kind),
          e.unfinished ? std::string_view("unfinished") : orchestration::to_string(e.end),
          mock_agents::to_string(e.error), e.input_tokens, e.output_tokens);
      append_fixed(out, e.cost_usd, 8);
      out += ",\"quality\":";
      append_fixed(out, e.quality, 4);
      out += ",\"confidence\":";
      append_fixed(out, e.confidence, 4);
      out += ",\"queue_wait_us\":";
      append_us(out, e.queue_wait_ns);
      out += "}}";
      break;
    case Phase::kFlowStart:
    case Phase::kFlowEnd:
      fmt::format_to(it, "{{\"name\":\"{}\",\"cat\":\"attempt\",\"ph\":\"{}\",{}\"id\":{},\"ts\":",
                     orchestration::to_string(e.kind), e.phase == Phase::kFlowStart ? "s" : "f",
                     e.phase == Phase::kFlowEnd ? "\"bp\":\"e\"," : "", e.id);
      append_us(out, e.ts_ns);
      fmt::format_to(it, ",\"pid\":{},\"tid\":{}}}", e.pid, e.tid);
      break;
    case Phase::kCounter:
      out += "{\"name\":\"requests_in_flight\",\"ph\":\"C\",\"ts\":";
      append_us(out, e.ts_ns);
      fmt::format_to(it, ",\"pid\":0,\"tid\":0,\"args\":{{\"in_flight\":{}}}}}", e.id);
      break;
  }
}

void TraceWriter::write(std::ostream& out) const {
  // Calls still running: written up to the last event time, if room is left.
  std::vector<Event> unfinished;
  std::uint64_t dropped = dropped_;
  for (const auto& [key, call] : active_) {
    if (events_.size() + unfinished.size() >= max_events_) {
      ++dropped;
      continue;
    }
    Event x;
    x.phase = Phase::kSlice;
    x.unfinished = true;
    x.ts_ns = call.started.at.count_ns();
    x.dur_ns = std::max<std::int64_t>(0, last_ns_ - x.ts_ns);
    x.id = call.started.request;
    x.pid = key.first + 1;
    x.tid = call.lane + 1;
    x.input_tokens = call.started.input_tokens;
    x.node = call.started.node;
    x.attempt = call.started.attempt;
    x.kind = call.started.kind;
    unfinished.push_back(x);
  }
  const std::size_t total = events_.size() + unfinished.size();
  auto at = [&](std::size_t i) -> const Event& {
    return i < events_.size() ? events_[i] : unfinished[i - events_.size()];
  };
  std::vector<std::size_t> order(total);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Event& x = at(a);
    const Event& y = at(b);
    return std::make_tuple(x.pid, x.tid, x.ts_ns, phase_rank(static_cast<std::uint8_t>(x.phase))) <
           std::make_tuple(y.pid, y.tid, y.ts_ns, phase_rank(static_cast<std::uint8_t>(y.phase)));
  });

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
  for (std::size_t i : order) {
    text += ",\n";
    append_event(text, at(i));
    if (text.size() >= (1u << 20)) {
      out.write(text.data(), static_cast<std::streamsize>(text.size()));
      text.clear();
    }
  }
  fmt::format_to(it,
                 "\n],\"displayTimeUnit\":\"ms\",\"metadata\":{{\"generator\":\"orchsim\","
                 "\"workflow\":{},\"max_events\":{},\"events\":{},\"truncated\":{},"
                 "\"dropped_events\":{}}}}}\n",
                 json_quoted(workflow_.name), max_events_, total, dropped > 0 ? "true" : "false",
                 dropped);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

}  // namespace orchsim::eval
