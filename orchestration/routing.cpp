#include "orchestration/routing.hpp"

#include <fmt/format.h>

#include <Eigen/Core>
#include <algorithm>
#include <limits>
#include <stdexcept>

#include "orchestration/linucb.hpp"

namespace orchsim::orchestration {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool eligible(const RouteInput& in, std::size_t i) { return (*in.eligible)[i]; }
std::size_t count(const RouteInput& in) { return in.candidates->size(); }
const AgentSignals& signals(const RouteInput& in, std::size_t i) {
  return (*in.signals)[(*in.candidates)[i]];
}
const mock_agents::Agent& agent(const RouteInput& in, std::size_t i) {
  return *(*in.agents)[(*in.candidates)[i]];
}

// Lowest score among eligible candidates (all candidates if none is
// eligible); ties go to the earlier candidate.
template <class Score>
std::size_t argmin(const RouteInput& in, Score score, std::vector<RoutingCandidate>* out) {
  bool any = false;
  for (std::size_t i = 0; i < count(in); ++i) any = any || eligible(in, i);
  std::size_t best = 0;
  double best_score = kInf;
  for (std::size_t i = 0; i < count(in); ++i) {
    const double s = score(i);
    if (out) out->push_back({(*in.candidates)[i], s, eligible(in, i)});
    if ((any && !eligible(in, i)) || !(s < best_score)) continue;
    best = i;
    best_score = s;
  }
  return best;
}

class Static final : public RoutingPolicy {
 public:
  std::string_view name() const override { return "static"; }
  std::size_t choose(const RouteInput& in, sim::RandomStream&, std::vector<RoutingCandidate>* out,
                     std::string* reason) override {
    // argmin over the scores 0, 1, 2, ... without scoring: the first eligible
    // candidate, or the first of all when none is.
    std::size_t c = 0;
    while (c < count(in) && !eligible(in, c)) ++c;
    if (c == count(in)) c = 0;
    if (out) {
      for (std::size_t i = 0; i < count(in); ++i) {
        out->push_back({(*in.candidates)[i], static_cast<double>(i), eligible(in, i)});
      }
    }
    if (reason) *reason = "first eligible candidate";
    return c;
  }
};

class RoundRobin final : public RoutingPolicy {
 public:
  std::string_view name() const override { return "round_robin"; }
  std::size_t choose(const RouteInput& in, sim::RandomStream&, std::vector<RoutingCandidate>* out,
                     std::string* reason) override {
    const std::size_t n = count(in);
    const std::size_t start = next_ % n;
    const std::size_t c = argmin(
        in, [&](std::size_t i) { return static_cast<double>((i + n - start) % n); }, out);
    // The next turn starts after the one chosen: an ineligible candidate's
    // turns are spread over the others instead of all going to its successor.
    next_ = c + 1;
    if (reason) *reason = fmt::format("turn {}", start);
    return c;
  }

 private:
  std::size_t next_ = 0;
};

class WeightedRandom final : public RoutingPolicy {
 public:
  explicit WeightedRandom(std::vector<double> w) : weights_(std::move(w)) {}
  std::string_view name() const override { return "weighted_random"; }
  bool uses_randomness() const override { return true; }
  std::size_t choose(const RouteInput& in, sim::RandomStream& s, std::vector<RoutingCandidate>* out,
                     std::string* reason) override {
    const std::size_t n = count(in);
    // Draw among the eligible candidates by weight. If none is eligible, among
    // all of them; if the eligible ones all weigh nothing, among those evenly
    // (an ineligible candidate is never chosen while an eligible one exists).
    bool any_eligible = false;
    double eligible_total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (!eligible(in, i)) continue;
      any_eligible = true;
      eligible_total += std::max(0.0, weights_[i]);
    }
    const bool even = any_eligible && !(eligible_total > 0);
    const auto in_pool = [&](std::size_t i) { return !any_eligible || eligible(in, i); };
    const auto weight = [&](std::size_t i) { return even ? 1.0 : std::max(0.0, weights_[i]); };
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) total += in_pool(i) ? weight(i) : 0.0;
    double u = s.uniform01() * total;
    std::size_t pick = n;
    std::size_t last = n;  // the last one that can be drawn: u can round up to the top
    for (std::size_t i = 0; i < n; ++i) {
      if (out) out->push_back({(*in.candidates)[i], weights_[i], eligible(in, i)});
      if (!in_pool(i) || !(weight(i) > 0)) continue;
      last = i;
      if (pick == n && u < weight(i)) pick = i;
      u -= weight(i);
    }
    if (pick == n) pick = last == n ? n - 1 : last;  // every weight zero: the last, as before
    if (reason) {
      *reason = even ? "eligible candidates weigh nothing: drawn evenly" : "drawn by weight";
    }
    return pick;
  }

 private:
  std::vector<double> weights_;
};

class LeastLoaded final : public RoutingPolicy {
 public:
  std::string_view name() const override { return "least_loaded"; }
  std::size_t choose(const RouteInput& in, sim::RandomStream&, std::vector<RoutingCandidate>* out,
                     std::string* reason) override {
    const std::size_t c = argmin(
        in,
        [&](std::size_t i) {
          const auto& a = agent(in, i);
          return static_cast<double>(a.in_service() + a.queued()) / a.servers();
        },
        out);
    if (reason) *reason = "fewest calls per server (in service + queued)";
    return c;
  }
};

class LatencyEwma final : public RoutingPolicy {
 public:
  std::string_view name() const override { return "latency_ewma"; }
  std::size_t choose(const RouteInput& in, sim::RandomStream&, std::vector<RoutingCandidate>* out,
                     std::string* reason) override {
    const std::size_t c = argmin(
        in,
        [&](std::size_t i) {
          const AgentSignals& s = signals(in, i);
          return s.samples == 0 ? -1.0 : s.ewma_latency_ms;  // untried first
        },
        out);
    if (reason) *reason = "lowest EWMA latency (ms)";
    return c;
  }
};

class PowerOfTwo final : public RoutingPolicy {
 public:
  std::string_view name() const override { return "p2c"; }
  bool uses_randomness() const override { return true; }
  std::size_t choose(const RouteInput& in, sim::RandomStream& s, std::vector<RoutingCandidate>* out,
                     std::string* reason) override {
    std::vector<std::size_t> pool;
    for (std::size_t i = 0; i < count(in); ++i) {
      if (eligible(in, i)) pool.push_back(i);
    }
    if (pool.empty()) {
      for (std::size_t i = 0; i < count(in); ++i) pool.push_back(i);
    }
    const auto score = [&](std::size_t i) {
      const AgentSignals& sig = signals(in, i);
      const auto& a = agent(in, i);
      const double load = static_cast<double>(a.in_service() + a.queued()) / a.servers();
      return (sig.samples == 0 ? 0.0 : sig.ewma_latency_ms) * (1.0 + load);
    };
    if (out) {
      for (std::size_t i = 0; i < count(in); ++i)
        out->push_back({(*in.candidates)[i], score(i), eligible(in, i)});
    }
    if (pool.size() == 1) {
      if (reason) *reason = "only eligible candidate";
      return pool[0];
    }
    const std::size_t ia = s.below(pool.size());
    std::size_t ib = s.below(pool.size() - 1);
    if (ib >= ia) ++ib;  // two distinct candidates, uniformly
    const std::size_t a = pool[ia], b = pool[ib];
    const std::size_t pick = score(b) < score(a) ? b : a;
    if (reason) {
      *reason = fmt::format("two choices {} and {}: lower EWMA latency x (1 + load)",
                            (*in.candidates)[a], (*in.candidates)[b]);
    }
    return pick;
  }
};

class CostAware final : public RoutingPolicy {
 public:
  explicit CostAware(double min_confidence) : min_confidence_(min_confidence) {}
  std::string_view name() const override { return "cost_aware"; }
  std::size_t choose(const RouteInput& in, sim::RandomStream&, std::vector<RoutingCandidate>* out,
                     std::string* reason) override {
    bool any_good = false;
    for (std::size_t i = 0; i < count(in); ++i) {
      any_good = any_good || (eligible(in, i) && signals(in, i).ewma_confidence >= min_confidence_);
    }
    const std::size_t c = argmin(
        in,
        [&](std::size_t i) {
          const AgentSignals& s = signals(in, i);
          if (!any_good) return -s.ewma_confidence;
          return s.ewma_confidence >= min_confidence_ ? s.ewma_cost_usd : kInf;
        },
        out);
    if (reason) {
      *reason = any_good ? fmt::format("cheapest with EWMA confidence >= {}", min_confidence_)
                         : std::string("none confident enough: most confident");
    }
    return c;
  }

 private:
  double min_confidence_;
};

class LinUcbPolicy final : public RoutingPolicy {
 public:
  LinUcbPolicy(std::size_t arms, std::uint32_t classes, double alpha, double cost_weight)
      : classes_(classes), bandit_(arms, classes + 2, alpha), cost_weight_(cost_weight) {}
  std::string_view name() const override { return "linucb"; }
  std::size_t choose(const RouteInput& in, sim::RandomStream&, std::vector<RoutingCandidate>* out,
                     std::string* reason) override {
    const Eigen::VectorXd x = features(in);
    const std::size_t c = argmin(
        in, [&](std::size_t i) { return -bandit_.ucb(i, x); }, out);
    if (reason) *reason = "highest upper confidence bound (scores are -UCB)";
    return c;
  }
  void learn(const RouteInput& in, std::size_t position, double reward) override {
    bandit_.update(position, features(in), reward);
  }
  double cost_weight() const { return cost_weight_; }

 private:
  Eigen::VectorXd features(const RouteInput& in) const {
    Eigen::VectorXd x = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(classes_ + 2));
    x[0] = 1.0;
    x[1] = static_cast<double>(in.input_tokens) / 1000.0;
    if (in.class_index < classes_) x[2 + in.class_index] = 1.0;
    return x;
  }
  std::uint32_t classes_;
  LinUcb bandit_;
  double cost_weight_;
};

}  // namespace

std::unique_ptr<RoutingPolicy> make_routing_policy(const RoutingConfig& c, std::size_t candidates,
                                                   std::uint32_t class_count) {
  const std::string& p = c.policy;
  if (p == "static" || p == "cascade") return std::make_unique<Static>();
  if (p == "round_robin") return std::make_unique<RoundRobin>();
  if (p == "weighted_random") return std::make_unique<WeightedRandom>(c.weights);
  if (p == "least_loaded") return std::make_unique<LeastLoaded>();
  if (p == "latency_ewma") return std::make_unique<LatencyEwma>();
  if (p == "p2c") return std::make_unique<PowerOfTwo>();
  if (p == "cost_aware") return std::make_unique<CostAware>(c.min_confidence);
  if (p == "linucb") {
    return std::make_unique<LinUcbPolicy>(candidates, std::max<std::uint32_t>(1, class_count),
                                          c.linucb_alpha, c.cost_weight);
  }
  throw std::invalid_argument(fmt::format("unknown routing policy '{}'", p));
}

}  // namespace orchsim::orchestration
