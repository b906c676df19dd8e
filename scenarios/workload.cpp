#include "scenarios/workload.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/rounding.hpp"

namespace orchsim::scenarios {

std::vector<std::string> WorkloadConfig::validate() const {
  std::vector<std::string> out;
  if (classes.empty()) out.push_back("classes: found none, expected at least one request class");
  double total = 0;  // of the valid weights
  bool weights_valid = true;
  for (std::size_t i = 0; i < classes.size(); ++i) {
    const RequestClass& c = classes[i];
    if (!(c.weight >= 0) || !std::isfinite(c.weight)) {
      out.push_back(fmt::format("classes[{}].weight: found {}, expected >= 0", i, c.weight));
      weights_valid = false;
    } else {
      total += c.weight;
    }
    if (c.input_tokens.cdf(-1e-12) > 0) {
      out.push_back(fmt::format("classes[{}].input_tokens: found {}, expected never negative", i,
                                c.input_tokens.describe()));
    }
    if (c.deadline < sim::Duration::zero()) {
      out.push_back(fmt::format("classes[{}].deadline: found {}, expected >= 0", i, c.deadline));
    }
  }
  // Only when each weight is valid: a bad one is reported above, and "all zero" would mislead.
  if (!classes.empty() && weights_valid && total == 0) {
    out.push_back("classes: found all weights zero, expected a positive total weight");
  }
  if (weights_valid && !std::isfinite(total)) {
    out.push_back(fmt::format("classes: found total weight {}, expected a finite sum", total));
  }
  // The attributes apply by request index whatever the arrival process (a
  // test may swap a replay for a closed loop and keep the trace's requests).
  if (replay) {
    for (std::uint32_t k : replay->class_index) {
      if (k != ReplayAttributes::kNoClass && k >= classes.size()) {
        out.push_back(fmt::format("arrivals.replay: found class index {}, expected below {}", k,
                                  classes.size()));
        break;
      }
    }
  }
  if (const auto* users = std::get_if<ClosedLoopUsers>(&arrivals)) {
    if (users->users == 0) out.push_back("arrivals.users: found 0, expected >= 1");
    if (users->think_time_ms.cdf(-1e-12) > 0) {
      out.push_back(fmt::format("arrivals.think_time_ms: found {}, expected never negative",
                                users->think_time_ms.describe()));
    }
  } else {
    try {
      make_arrival_process(std::get<ArrivalSpec>(arrivals));
    } catch (const std::invalid_argument& e) {
      out.push_back(fmt::format("arrivals: {}", e.what()));
    }
  }
  return out;
}

namespace {
sim::Distribution make_mix(const std::vector<RequestClass>& classes) {
  std::vector<double> weights;
  for (const auto& c : classes) weights.push_back(c.weight);
  return sim::Distribution::categorical(std::move(weights));
}
}  // namespace

Workload::Workload(sim::Simulation& sim, const sim::RandomSource& rng, WorkloadConfig config,
                   RequestSink& sink)
    : sim_(sim),
      rng_(rng),
      config_(std::move(config)),
      sink_(sink),
      arrival_stream_(rng.stream("arrivals")) {
  if (auto problems = config_.validate(); !problems.empty()) {
    std::string msg = "workload is misconfigured:";
    for (const auto& p : problems) msg += "\n  " + p;
    throw std::invalid_argument(msg);
  }
  class_mix_ = make_mix(config_.classes);
  skip_class_draw_ = config_.classes.size() == 1 && config_.classes[0].difficulty.draws_nothing() &&
                     config_.classes[0].input_tokens.draws_nothing();
  if (const auto* users = std::get_if<ClosedLoopUsers>(&config_.arrivals)) {
    user_turns_.assign(users->users, 0);
  } else {
    arrivals_ = make_arrival_process(std::get<ArrivalSpec>(config_.arrivals));
  }
}

Workload::~Workload() = default;

bool Workload::may_arrive(sim::Time t) const {
  if (config_.max_requests != 0 && next_id_ >= config_.max_requests) return false;
  return t < config_.stop_arrivals_at;
}

RequestSpec Workload::describe(std::uint64_t id) const {
  // Opening the stream costs nothing; its first draw generates a block.
  sim::RandomStream s = request_streams_.stream(static_cast<std::uint32_t>(id),
                                                static_cast<std::uint32_t>(id >> 32), 0);
  RequestSpec r;
  r.id = id;
  r.class_index = skip_class_draw_ ? 0 : static_cast<std::uint32_t>(class_mix_.sample(s));
  const ReplayAttributes* trace = config_.replay.get();
  if (trace && id < trace->class_index.size() &&
      trace->class_index[id] != ReplayAttributes::kNoClass) {
    r.class_index = trace->class_index[id];
  }
  const RequestClass& c = config_.classes[r.class_index];
  r.difficulty = std::clamp(c.difficulty.sample(s), 0.0, 1.0);
  r.input_tokens = sim::drawn_count(c.input_tokens.sample(s));
  if (trace && id < trace->input_tokens.size() && trace->input_tokens[id] >= 0) {
    r.input_tokens = trace->input_tokens[id];
  }
  if (trace && id < trace->output_tokens.size()) r.output_tokens = trace->output_tokens[id];
  return r;
}

void Workload::emit(sim::Time t, std::uint32_t user) {
  RequestSpec r = describe(next_id_++);
  r.arrival = t;
  r.user = user;
  const sim::Duration deadline = config_.classes[r.class_index].deadline;
  // Saturates: t + deadline past Time::max() would overflow.
  r.deadline = deadline > sim::Duration::zero() && deadline < sim::Time::max() - t
                   ? t + deadline
                   : sim::Time::max();
  sink_.on_request(r);
}

void Workload::schedule_next_open() {
  const auto next = arrivals_->next(sim_.now(), arrival_stream_);
  if (!next || !may_arrive(*next)) return;
  sim_.schedule_at(*next, [this] {
    if (!may_arrive(sim_.now())) return;
    emit(sim_.now(), 0);
    schedule_next_open();
  });
}

void Workload::start() {
  if (!closed_loop()) {
    schedule_next_open();
    return;
  }
  // Every user sends a first request at the start.
  for (std::uint32_t u = 0; u < user_turns_.size(); ++u) {
    sim_.schedule_at(sim_.now(), [this, u] {
      if (may_arrive(sim_.now())) emit(sim_.now(), u);
    });
  }
}

void Workload::on_request_finished(const RequestSpec& request) {
  if (!closed_loop()) return;
  const auto& users = std::get<ClosedLoopUsers>(config_.arrivals);
  const std::uint32_t u = request.user;
  if (u >= user_turns_.size()) {
    throw std::invalid_argument(
        fmt::format("Workload::on_request_finished: request {} has user {}, but there are {} users",
                    request.id, u, user_turns_.size()));
  }
  sim::RandomStream s = rng_.stream("think", u, user_turns_[u]++);
  const sim::Duration think =
      sim::Duration::from_milliseconds(std::max(0.0, users.think_time_ms.sample(s)));
  sim_.schedule_after(think, [this, u] {
    if (may_arrive(sim_.now())) emit(sim_.now(), u);
  });
}

}  // namespace orchsim::scenarios
