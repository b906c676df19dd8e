#include "eval/search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "eval/tpe.hpp"
#include "scenarios/diagnostics.hpp"

namespace orchsim::eval {
namespace {

double mean_or_nan(const MetricSummary& m) {
  return m.ci.n == 0 ? std::numeric_limits<double>::quiet_NaN() : m.ci.mean;
}

// The objective's mean with "better" as larger; NaN as the worst.
double goal_score(const SearchEvaluation& e, const SearchGoal& goal) {
  const double v = mean_or_nan(e.metrics.front());
  if (std::isnan(v)) return -std::numeric_limits<double>::infinity();
  return goal.maximize ? v : -v;
}

Status missing_metric(const std::string& name, const std::vector<MetricSummary>& summaries) {
  std::vector<std::string> names;
  names.reserve(summaries.size());
  for (const MetricSummary& m : summaries) names.push_back(m.name);
  const std::string near = scenarios::closest_match(name, names);
  return Status::bad_input(fmt::format(
      "search: the report has no metric '{}'{}; metrics are dotted report.json paths such as "
      "quality.mean, latency_ms.all.p99, per_request.cost_usd (orchsim run --format json lists "
      "them)",
      name, near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near)));
}

// The rows of one rung, in the order the search made them.
class Search {
 public:
  Search(const std::vector<SearchParameter>& space, const SearchGoal& goal,
         const std::vector<SearchConstraint>& constraints, const SearchSettings& settings,
         const SearchEvaluator& evaluate)
      : space_(space),
        goal_(goal),
        constraints_(constraints),
        settings_(settings),
        evaluate_(evaluate) {
    const std::uint64_t min = settings.min_requests != 0
                                  ? settings.min_requests
                                  : std::max<std::uint64_t>(1, settings.full_requests / 27);
    r_.rungs = search_rungs(settings.full_requests, min, settings.eta);
  }

  Status run() {
    for (unsigned b = 0; b < settings_.brackets; ++b) {
      const std::vector<std::uint64_t> sizes = bracket_sizes(b);
      if (settings_.budget_requests && b > 0 &&
          r_.requests_simulated + cost(b, sizes) > *settings_.budget_requests) {
        break;
      }
      Status st = run_bracket(b, sizes);
      if (!st.ok()) return st;
      ++r_.brackets_run;
    }
    finish();
    return {};
  }

  SearchResult take() { return std::move(r_); }

 private:
  // Hyperband's brackets in turn (Li et al. 2018, as BOHB runs them): with
  // s_max + 1 rungs, bracket b starts on rung b mod (s_max + 1) with
  // n = ⌈(s_max + 1)/(s + 1) · η^s⌉ candidates (s the rungs above it) and
  // keeps ⌊n/η^i⌋ on its i-th rung.
  std::size_t first_rung(unsigned bracket) const { return bracket % r_.rungs.size(); }
  // Candidates on each of the bracket's rungs, from its first.
  std::vector<std::uint64_t> bracket_sizes(unsigned bracket) const {
    const std::size_t s_max = r_.rungs.size() - 1;
    const std::size_t s = s_max - first_rung(bracket);
    std::uint64_t eta_s = 1;
    for (std::size_t i = 0; i < s; ++i) eta_s *= settings_.eta;
    // ⌈(s_max + 1) η^s / (s + 1)⌉ in integers.
    const std::uint64_t n = ((s_max + 1) * eta_s + s) / (s + 1);
    std::vector<std::uint64_t> sizes{n};
    for (std::size_t i = 1; i <= s; ++i)
      sizes.push_back(std::max<std::uint64_t>(1, sizes.back() / settings_.eta));
    return sizes;
  }
  // Requests × replications the bracket simulates with no reuse.
  std::uint64_t cost(unsigned bracket, const std::vector<std::uint64_t>& sizes) const {
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < sizes.size(); ++i)
      total += sizes[i] * r_.rungs[first_rung(bracket) + i] * settings_.replications;
    return total;
  }

  Status run_bracket(unsigned bracket, const std::vector<std::uint64_t>& sizes) {
    std::vector<std::size_t> alive = propose(bracket, sizes.front());
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      const auto rung = static_cast<unsigned>(first_rung(bracket) + i);
      std::vector<std::size_t> rows;
      Status st = evaluate_rung(alive, bracket, rung, rows);
      if (!st.ok()) return st;
      std::sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
        return ranks_before(r_.evaluations[a], r_.evaluations[b], goal_);
      });
      if (i + 1 < sizes.size()) rows.resize(std::min<std::size_t>(rows.size(), sizes[i + 1]));
      alive.clear();
      for (std::size_t row : rows) alive.push_back(r_.evaluations[row].candidate);
    }
    return {};
  }

  // The bracket's first-rung candidates: the model's where it can, else uniform.
  std::vector<std::size_t> propose(unsigned bracket, std::uint64_t n) {
    sim::RandomStream rng = sim::RandomSource(settings_.seed).stream("search", bracket);
    const std::vector<std::vector<double>> ranked = model_points();
    std::vector<std::size_t> ids;
    for (std::uint64_t i = 0; i < n; ++i) {
      SearchCandidate c;
      c.id = r_.candidates.size();
      c.bracket = bracket;
      c.from_model = ranked.size() >= 2 && !rng.bernoulli(settings_.random_fraction);
      c.point = c.from_model ? propose_tpe(space_, ranked, rng) : random_point(space_, rng);
      c.overrides = point_overrides(space_, c.point);
      ids.push_back(c.id);
      r_.candidates.push_back(std::move(c));
    }
    return ids;
  }

  // The highest rung with at least d + 3 results, its points ranked best first.
  std::vector<std::vector<double>> model_points() const {
    for (std::size_t k = r_.rungs.size(); k-- > 0;) {
      std::vector<const SearchEvaluation*> rows;
      for (const SearchEvaluation& e : r_.evaluations) {
        if (e.rung == k) rows.push_back(&e);
      }
      if (rows.size() < space_.size() + 3) continue;
      std::sort(rows.begin(), rows.end(),
                [&](const SearchEvaluation* a, const SearchEvaluation* b) {
                  return ranks_before(*a, *b, goal_);
                });
      std::vector<std::vector<double>> points;
      for (const SearchEvaluation* e : rows) points.push_back(r_.candidates[e->candidate].point);
      return points;
    }
    return {};
  }

  Status evaluate_rung(const std::vector<std::size_t>& alive, unsigned bracket, unsigned rung,
                       std::vector<std::size_t>& rows) {
    std::vector<const SearchCandidate*> to_run;
    std::vector<std::string> keys;
    for (std::size_t id : alive) {
      const std::string key = config_key(r_.candidates[id]);
      if (!done_[rung].contains(key) && std::find(keys.begin(), keys.end(), key) == keys.end()) {
        to_run.push_back(&r_.candidates[id]);
        keys.push_back(key);
      }
    }
    if (!to_run.empty()) {
      auto summaries = evaluate_(to_run, r_.rungs[rung], bracket, rung);
      if (!summaries.ok()) return summaries.status();
      for (std::size_t i = 0; i < to_run.size(); ++i) {
        auto picked = pick_metrics((*summaries)[i]);
        if (!picked.ok()) return picked.status();
        done_[rung].emplace(keys[i], std::move(*picked));
      }
      r_.requests_simulated += to_run.size() * r_.rungs[rung] * settings_.replications;
    }
    for (std::size_t id : alive) {
      const std::string key = config_key(r_.candidates[id]);
      SearchEvaluation e;
      e.candidate = id;
      e.bracket = bracket;
      e.rung = rung;
      e.requests = r_.rungs[rung];
      e.reused =
          std::find(keys.begin(), keys.end(), key) == keys.end() || first_use_[rung].contains(key);
      first_use_[rung].emplace(key);
      e.metrics = done_[rung].at(key);
      for (std::size_t c = 0; c < constraints_.size(); ++c)
        e.violation += violation(constraints_[c], mean_or_nan(e.metrics[c + 1]));
      rows.push_back(r_.evaluations.size());
      r_.evaluations.push_back(std::move(e));
    }
    return {};
  }

  // The objective's and the constraints' summaries out of all of a run's.
  StatusOr<std::vector<MetricSummary>> pick_metrics(const std::vector<MetricSummary>& all) const {
    std::vector<MetricSummary> out;
    const MetricSummary* g = find_metric(all, goal_.metric);
    if (g == nullptr) return missing_metric(goal_.metric, all);
    out.push_back(*g);
    for (const SearchConstraint& c : constraints_) {
      const MetricSummary* m = find_metric(all, c.metric);
      if (m == nullptr) return missing_metric(c.metric, all);
      out.push_back(*m);
    }
    return out;
  }

  static std::string config_key(const SearchCandidate& c) {
    std::string key;
    for (const auto& [pointer, value] : c.overrides) key += pointer + '=' + value + '\n';
    return key;
  }

  void finish() {
    const unsigned top = static_cast<unsigned>(r_.rungs.size() - 1);
    std::vector<std::size_t> full;
    std::vector<std::string> seen;
    for (std::size_t i = 0; i < r_.evaluations.size(); ++i) {
      const SearchEvaluation& e = r_.evaluations[i];
      const std::string key = config_key(r_.candidates[e.candidate]);
      if (e.rung != top || std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
      seen.push_back(key);
      full.push_back(i);
    }
    r_.pareto = pareto_rows(full);
    std::sort(full.begin(), full.end(), [&](std::size_t a, std::size_t b) {
      return ranks_before(r_.evaluations[a], r_.evaluations[b], goal_);
    });
    full.resize(std::min<std::size_t>(full.size(), settings_.top));
    r_.best = std::move(full);
  }

  // Rows no other row beats on every metric (each in its better direction).
  std::vector<std::size_t> pareto_rows(const std::vector<std::size_t>& rows) const {
    auto oriented = [&](const SearchEvaluation& e, std::size_t m) {
      const bool larger_better = m == 0 ? goal_.maximize : !constraints_[m - 1].at_most;
      const double v = mean_or_nan(e.metrics[m]);
      return larger_better ? v : -v;
    };
    std::vector<std::size_t> front;
    for (std::size_t a : rows) {
      const SearchEvaluation& ea = r_.evaluations[a];
      bool complete = true;
      for (std::size_t m = 0; m < ea.metrics.size(); ++m)
        complete = complete && !std::isnan(oriented(ea, m));
      if (!complete) continue;
      bool dominated = false;
      for (std::size_t b : rows) {
        const SearchEvaluation& eb = r_.evaluations[b];
        bool no_worse = true, better = false;
        for (std::size_t m = 0; m < ea.metrics.size(); ++m) {
          const double va = oriented(ea, m), vb = oriented(eb, m);
          no_worse = no_worse && vb >= va;
          better = better || vb > va;
        }
        dominated = dominated || (no_worse && better);
      }
      if (!dominated) front.push_back(a);
    }
    return front;
  }

  const std::vector<SearchParameter>& space_;
  const SearchGoal& goal_;
  const std::vector<SearchConstraint>& constraints_;
  const SearchSettings& settings_;
  const SearchEvaluator& evaluate_;
  SearchResult r_;
  // Per rung: the results by configuration, and the configurations whose first
  // evaluation row is already written (later rows are reuses).
  std::map<unsigned, std::map<std::string, std::vector<MetricSummary>>> done_;
  std::map<unsigned, std::set<std::string>> first_use_;
};

}  // namespace

std::vector<std::uint64_t> search_rungs(std::uint64_t full, std::uint64_t min, unsigned eta) {
  std::vector<std::uint64_t> rungs{full};
  while (eta >= 2 && rungs.back() / eta >= std::max<std::uint64_t>(min, 1))
    rungs.push_back(rungs.back() / eta);
  std::reverse(rungs.begin(), rungs.end());
  return rungs;
}

bool ranks_before(const SearchEvaluation& a, const SearchEvaluation& b, const SearchGoal& goal) {
  if (a.violation != b.violation) return a.violation < b.violation;
  const double sa = goal_score(a, goal), sb = goal_score(b, goal);
  if (sa != sb) return sa > sb;
  return a.candidate < b.candidate;
}

StatusOr<SearchResult> run_search(const std::vector<SearchParameter>& space, const SearchGoal& goal,
                                  const std::vector<SearchConstraint>& constraints,
                                  const SearchSettings& settings, const SearchEvaluator& evaluate) {
  if (space.empty()) return Status::bad_input("search: no --param to search over");
  if (settings.eta < 2) return Status::bad_input("search: --eta must be at least 2");
  Search search(space, goal, constraints, settings, evaluate);
  Status st = search.run();
  if (!st.ok()) return st;
  return search.take();
}

}  // namespace orchsim::eval
