#include "eval/timeseries.hpp"

#include <algorithm>

#include "eval/json_number.hpp"

namespace orchsim::eval {
namespace {

using Json = nlohmann::ordered_json;
using orchestration::BreakerState;
using orchestration::CallEnd;

constexpr int kMeanDecimals = 4;
constexpr int kShareDecimals = 6;
constexpr int kUsdDecimals = 8;

// Pairs (2i, 2i+1) become bucket i; the upper half is cleared.
template <typename T>
void merge_pairs(std::vector<T>& v) {
  const std::size_t half = v.size() / 2;
  for (std::size_t i = 0; i < half; ++i) v[i] = v[2 * i] + v[2 * i + 1];
  std::fill(v.begin() + static_cast<std::ptrdiff_t>(half), v.end(), T{});
}

}  // namespace

TimeSeriesCollector::TimeSeriesCollector(std::vector<std::string> agent_names,
                                         std::vector<std::string> node_names)
    : arrived_(kMaxBuckets),
      completed_(kMaxBuckets),
      failed_(kMaxBuckets),
      latency_sum_ms_(kMaxBuckets),
      cost_usd_(kMaxBuckets),
      in_flight_area_(kMaxBuckets),
      node_names_(std::move(node_names)) {
  route_stride_ = agent_names.size();
  route_index_.assign(node_names_.size() * route_stride_, 0);
  for (std::string& name : agent_names) {
    agent(static_cast<orchestration::AgentIndex>(agents_.size())).name = std::move(name);
  }
}

TimeSeriesCollector::AgentSeries& TimeSeriesCollector::add_agents_through(
    orchestration::AgentIndex index) {
  while (agents_.size() <= index) {
    AgentSeries a;
    a.name = "agent" + std::to_string(agents_.size());
    a.calls.assign(kMaxBuckets, 0);
    a.failed_calls.assign(kMaxBuckets, 0);
    a.queue_area.assign(kMaxBuckets, 0.0);
    a.busy_area.assign(kMaxBuckets, 0.0);
    a.open_ns.assign(kMaxBuckets, 0.0);
    a.half_open_ns.assign(kMaxBuckets, 0.0);
    agents_.push_back(std::move(a));
  }
  return agents_[index];
}

std::vector<std::uint64_t>& TimeSeriesCollector::add_route(orchestration::NodeId node,
                                                           orchestration::AgentIndex agent) {
  // An agent or node past the tables (not in the names given): grow them.
  if (agent >= route_stride_ ||
      static_cast<std::size_t>(node) * route_stride_ + agent >= route_index_.size()) {
    const std::size_t stride = std::max<std::size_t>(route_stride_, agent + 1);
    const std::size_t rows =
        std::max<std::size_t>(route_stride_ == 0 ? 0 : route_index_.size() / route_stride_,
                              static_cast<std::size_t>(node) + 1);
    std::vector<std::uint32_t> grown(rows * stride, 0);
    for (std::size_t r = 0; r < routes_.size(); ++r)
      grown[static_cast<std::size_t>(routes_[r].node) * stride + routes_[r].agent] =
          static_cast<std::uint32_t>(r + 1);
    route_index_ = std::move(grown);
    route_stride_ = stride;
  }
  const std::size_t key = static_cast<std::size_t>(node) * route_stride_ + agent;
  if (route_index_[key] == 0) {
    routes_.push_back({node, agent, std::vector<std::uint64_t>(kMaxBuckets, 0)});
    route_index_[key] = static_cast<std::uint32_t>(routes_.size());
  }
  return routes_[route_index_[key] - 1].calls;
}

void TimeSeriesCollector::compact() {
  merge_pairs(arrived_);
  merge_pairs(completed_);
  merge_pairs(failed_);
  merge_pairs(latency_sum_ms_);
  merge_pairs(cost_usd_);
  merge_pairs(in_flight_area_);
  for (AgentSeries& a : agents_) {
    merge_pairs(a.calls);
    merge_pairs(a.failed_calls);
    merge_pairs(a.queue_area);
    merge_pairs(a.busy_area);
    merge_pairs(a.open_ns);
    merge_pairs(a.half_open_ns);
  }
  for (RouteSeries& r : routes_) merge_pairs(r.calls);
  width_ = width_ * 2;
  ++shift_;
}

void TimeSeriesCollector::widen_for(std::uint64_t ms) {
  while ((ms >> shift_) >= kMaxBuckets) compact();
}

void TimeSeriesCollector::add_area_spanning(std::vector<double>& area, sim::Time from, sim::Time to,
                                            double level) {
  const std::size_t last = index_for(to);  // widens first, so `first` is in the same grid
  const std::size_t first = index_for(from);
  if (first == last) {  // it lay past the last bucket, and widening brought it into one
    area[first] += level * static_cast<double>(to.count_ns() - from.count_ns());
    return;
  }
  const std::int64_t w = width_.count_ns();
  auto add_overlap = [&](std::size_t i) {
    const std::int64_t lo = std::max(from.count_ns(), static_cast<std::int64_t>(i) * w);
    const std::int64_t hi = std::min(to.count_ns(), static_cast<std::int64_t>(i + 1) * w);
    if (hi > lo) area[i] += level * static_cast<double>(hi - lo);
  };
  // The buckets between the ends are covered whole: the same product for
  // each (a long call early in a run spans hundreds of 1 ms buckets).
  add_overlap(first);
  const double whole = level * static_cast<double>(w);
  for (std::size_t i = first + 1; i < last; ++i) area[i] += whole;
  add_overlap(last);
}

void TimeSeriesCollector::on_request_arrived(const orchestration::RequestArrived& e) {
  add_area(in_flight_area_, in_flight_since_, e.at, static_cast<double>(in_flight_));
  ++arrived_[index_for(e.at)];
  ++in_flight_;
  in_flight_since_ = e.at;
}

void TimeSeriesCollector::on_request_finished(const orchestration::RequestFinished& e) {
  add_area(in_flight_area_, in_flight_since_, e.at, static_cast<double>(in_flight_));
  const std::size_t i = index_for(e.at);
  ++(e.success ? completed_ : failed_)[i];
  latency_sum_ms_[i] += e.latency.milliseconds_f();
  cost_usd_[i] += e.cost_usd;
  if (in_flight_ > 0) --in_flight_;
  in_flight_since_ = e.at;
}

void TimeSeriesCollector::on_call_started(const orchestration::CallStarted& e) {
  const std::size_t i = index_for(e.at);
  ++agent(e.agent).calls[i];
  ++route_calls(e.node, e.agent)[i];
}

void TimeSeriesCollector::on_call_ended(const orchestration::CallEnded& e) {
  AgentSeries& a = agent(e.agent);
  if (e.end == CallEnd::kError || e.end == CallEnd::kTimeout || e.end == CallEnd::kInvalid) {
    ++a.failed_calls[index_for(e.at)];
  }
  const sim::Time service_start = std::min(e.started + e.queue_wait, e.at);
  add_area(a.queue_area, e.started, service_start, 1.0);
  add_area(a.busy_area, service_start, e.at, 1.0);
}

void TimeSeriesCollector::on_breaker_changed(const orchestration::BreakerChanged& e) {
  AgentSeries& a = agent(e.agent);
  if (a.breaker == BreakerState::kOpen) add_area(a.open_ns, a.breaker_since, e.at, 1.0);
  if (a.breaker == BreakerState::kHalfOpen) add_area(a.half_open_ns, a.breaker_since, e.at, 1.0);
  a.breaker = e.to;
  a.breaker_since = e.at;
}

void TimeSeriesCollector::finalize(sim::Time end) {
  index_for(end);
  add_area(in_flight_area_, in_flight_since_, end, static_cast<double>(in_flight_));
  in_flight_since_ = end;
  for (AgentSeries& a : agents_) {
    if (a.breaker == BreakerState::kOpen) add_area(a.open_ns, a.breaker_since, end, 1.0);
    if (a.breaker == BreakerState::kHalfOpen) add_area(a.half_open_ns, a.breaker_since, end, 1.0);
    a.breaker_since = end;
  }
  end_ = end;
}

std::size_t TimeSeriesCollector::bucket_count() const {
  const sim::Time last = end_.value_or(latest_);
  const std::int64_t ns = last.count_ns();
  const std::int64_t w = width_.count_ns();
  // The bucket holding the last instant is the last one (index_for keeps it in range).
  return static_cast<std::size_t>(std::max<std::int64_t>(ns, 0) / w + 1);
}

double TimeSeriesCollector::covered_ns(std::size_t i) const {
  const std::int64_t w = width_.count_ns();
  const std::int64_t lo = static_cast<std::int64_t>(i) * w;
  const std::int64_t end = end_.value_or(latest_).count_ns();
  const std::int64_t hi = std::min(lo + w, std::max(end, lo));
  return hi > lo ? static_cast<double>(hi - lo) : static_cast<double>(w);
}

double TimeSeriesCollector::in_flight_mean(std::size_t i) const {
  return in_flight_area_[i] / covered_ns(i);
}

TimeSeries TimeSeriesCollector::result() const {
  const std::size_t n = bucket_count();
  auto counts = [n](const std::vector<std::uint64_t>& v) {
    return std::vector<std::uint64_t>(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n));
  };
  // A level's mean over each bucket, rounded as the report writes it.
  auto levels = [this, n](const std::vector<double>& area, int decimals) {
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = round_to(area[i] / covered_ns(i), decimals);
    return out;
  };
  TimeSeries t;
  t.bucket_ms = round_to(width_.milliseconds_f(), kMeanDecimals);
  t.arrived = counts(arrived_);
  t.completed = counts(completed_);
  t.failed = counts(failed_);
  t.latency_mean_ms.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t ended = completed_[i] + failed_[i];
    if (ended > 0)
      t.latency_mean_ms[i] =
          round_to(latency_sum_ms_[i] / static_cast<double>(ended), kMeanDecimals);
  }
  t.in_flight_mean = levels(in_flight_area_, kMeanDecimals);
  t.cost_usd.resize(n);
  for (std::size_t i = 0; i < n; ++i) t.cost_usd[i] = round_to(cost_usd_[i], kUsdDecimals);
  for (const AgentSeries& a : agents_) {
    TimeSeries::Agent s;
    s.name = a.name;
    s.calls = counts(a.calls);
    s.failed_calls = counts(a.failed_calls);
    s.queue_mean = levels(a.queue_area, kMeanDecimals);
    s.busy_mean = levels(a.busy_area, kMeanDecimals);
    s.breaker_open_share = levels(a.open_ns, kShareDecimals);
    s.breaker_half_open_share = levels(a.half_open_ns, kShareDecimals);
    t.agents.push_back(std::move(s));
  }
  t.routing = routing(n);
  return t;
}

std::vector<TimeSeries::RoutingNode> TimeSeriesCollector::routing(std::size_t buckets) const {
  // Pairs sorted by (node, agent), so the section does not depend on which
  // pair happened to call first.
  std::vector<const RouteSeries*> sorted;
  sorted.reserve(routes_.size());
  for (const RouteSeries& r : routes_) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(), [](const RouteSeries* a, const RouteSeries* b) {
    return a->node != b->node ? a->node < b->node : a->agent < b->agent;
  });
  std::vector<TimeSeries::RoutingNode> out;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t end = i;
    while (end < sorted.size() && sorted[end]->node == sorted[i]->node) ++end;
    if (end - i >= 2) {  // a node with one agent routes nothing
      const orchestration::NodeId node = sorted[i]->node;
      TimeSeries::RoutingNode rn;
      rn.node = node < node_names_.size() ? node_names_[node] : "node" + std::to_string(node);
      for (std::size_t k = i; k < end; ++k) {
        const RouteSeries& r = *sorted[k];
        rn.agents.push_back(r.agent < agents_.size() ? agents_[r.agent].name
                                                     : "agent" + std::to_string(r.agent));
        rn.calls.emplace_back(r.calls.begin(),
                              r.calls.begin() + static_cast<std::ptrdiff_t>(buckets));
      }
      out.push_back(std::move(rn));
    }
    i = end;
  }
  return out;
}

Json to_json(const TimeSeries& t) {
  const std::size_t n = t.size();
  auto levels = [](const std::vector<double>& v) {
    Json a = Json::array();
    for (const double x : v) a.push_back(json_rounded(x));
    return a;
  };
  Json j;
  j["bucket_ms"] = json_rounded(t.bucket_ms);
  j["buckets"] = n;
  j["arrived"] = t.arrived;
  j["completed"] = t.completed;
  j["failed"] = t.failed;
  Json latency = Json::array();
  for (const std::optional<double>& v : t.latency_mean_ms) latency.push_back(json_rounded(v));
  j["latency_mean_ms"] = std::move(latency);
  j["in_flight_mean"] = levels(t.in_flight_mean);
  j["cost_usd"] = levels(t.cost_usd);
  Json agents = Json::array();
  for (const TimeSeries::Agent& a : t.agents) {
    Json aj;
    aj["name"] = a.name;
    aj["calls"] = a.calls;
    aj["failed_calls"] = a.failed_calls;
    aj["queue_mean"] = levels(a.queue_mean);
    aj["busy_mean"] = levels(a.busy_mean);
    aj["breaker_open_share"] = levels(a.breaker_open_share);
    aj["breaker_half_open_share"] = levels(a.breaker_half_open_share);
    agents.push_back(std::move(aj));
  }
  j["agents"] = std::move(agents);
  Json routing = Json::array();
  for (const TimeSeries::RoutingNode& rn : t.routing) {
    Json nj;
    nj["node"] = rn.node;
    Json as = Json::array();
    for (std::size_t k = 0; k < rn.agents.size(); ++k)
      as.push_back({{"name", rn.agents[k]}, {"calls", rn.calls[k]}});
    nj["agents"] = std::move(as);
    routing.push_back(std::move(nj));
  }
  j["routing"] = std::move(routing);
  return j;
}

}  // namespace orchsim::eval
