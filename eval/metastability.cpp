#include "eval/metastability.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "eval/json_number.hpp"
#include "eval/timeseries.hpp"

namespace orchsim::eval {
namespace {

// What one window of the series holds.
struct Window {
  sim::Time start, end;
  double arrived = 0, completed = 0, calls = 0;
  bool saturated = false;  // some agent busy >= saturation with calls waiting
};

std::vector<Window> windows_of(const TimeSeriesCollector& s,
                               const std::vector<std::uint32_t>& servers,
                               const MetastabilityOptions& o) {
  const std::int64_t width = s.bucket_width().count_ns();
  const std::size_t per = static_cast<std::size_t>(
      std::max<std::int64_t>(1, (o.window.count_ns() + width - 1) / width));
  const std::size_t n = s.bucket_count();
  std::vector<Window> out;
  for (std::size_t first = 0; first < n; first += per) {
    const std::size_t last = std::min(n, first + per);
    Window w;
    w.start = sim::Time::from_ns(static_cast<std::int64_t>(first) * width);
    w.end = sim::Time::from_ns(static_cast<std::int64_t>(last) * width);
    double covered = 0;
    for (std::size_t i = first; i < last; ++i) {
      w.arrived += static_cast<double>(s.arrived()[i]);
      w.completed += static_cast<double>(s.completed()[i]);
      covered += s.covered_ns(i);
    }
    for (std::size_t a = 0; a < s.agents().size(); ++a) {
      const TimeSeriesCollector::AgentSeries& agent = s.agents()[a];
      double busy = 0, queue = 0;
      for (std::size_t i = first; i < last; ++i) {
        w.calls += static_cast<double>(agent.calls[i]);
        busy += agent.busy_area[i];
        queue += agent.queue_area[i];
      }
      const double k = a < servers.size() ? servers[a] : 0;
      // Waiting calls in numbers (a tenth of the servers, at least one): a
      // busy system at high load queues now and then without being overloaded.
      if (k > 0 && busy / covered >= o.saturation * k &&
          queue / covered >= std::max(1.0, 0.1 * k)) {
        w.saturated = true;
      }
    }
    out.push_back(w);
  }
  return out;
}

// Overlapping or touching windows become one trigger, in start order.
std::vector<Trigger> merged(std::vector<Trigger> t) {
  std::sort(t.begin(), t.end(), [](const Trigger& a, const Trigger& b) {
    return a.start != b.start ? a.start < b.start : a.end < b.end;
  });
  std::vector<Trigger> out;
  for (Trigger& x : t) {
    if (!out.empty() && x.start <= out.back().end) {
      out.back().end = std::max(out.back().end, x.end);
      for (std::string& a : x.agents) {
        if (std::find(out.back().agents.begin(), out.back().agents.end(), a) ==
            out.back().agents.end()) {
          out.back().agents.push_back(std::move(a));
        }
      }
    } else {
      out.push_back(std::move(x));
    }
  }
  return out;
}

}  // namespace

bool Metastability::detected() const {
  return std::any_of(episodes.begin(), episodes.end(),
                     [](const MetastabilityEpisode& e) { return e.sustained; });
}

Metastability detect_metastability(const TimeSeriesCollector& series, std::vector<Trigger> triggers,
                                   const std::vector<std::uint32_t>& servers,
                                   sim::Time arrivals_end, const MetastabilityOptions& options) {
  Metastability m;
  m.hold = options.hold;
  triggers = merged(std::move(triggers));
  std::vector<Window> all = windows_of(series, servers, options);
  m.window = all.empty() ? options.window : all.front().end - all.front().start;
  // Judged: the windows that end before the arrivals do (a window the
  // arrivals stop in has too few of them for its ratios).
  std::vector<Window> w;
  for (const Window& x : all) {
    if (x.end <= arrivals_end && x.arrived > 0) w.push_back(x);
  }
  // The baseline: before the first trigger (the whole run without one).
  const sim::Time first = triggers.empty() ? sim::Time::max() : triggers.front().start;
  double base_arrived = 0, base_completed = 0, base_calls = 0;
  for (std::size_t i = 1; i < w.size() && w[i].end <= first; ++i) {
    base_arrived += w[i].arrived;
    base_completed += w[i].completed;
    base_calls += w[i].calls;
  }
  if (base_arrived > 0) {
    m.baseline_goodput = std::min(1.0, base_completed / base_arrived);
    m.baseline_calls_per_request = base_calls / base_arrived;
  }
  if (triggers.empty()) return m;
  const auto amplification = [&](const Window& x) {
    return m.baseline_calls_per_request > 0 ? x.calls / x.arrived / m.baseline_calls_per_request
                                            : 1.0;
  };
  const auto healthy = [&](const Window& x) {
    return !x.saturated &&
           x.completed / x.arrived >= options.goodput_collapse * m.baseline_goodput &&
           amplification(x) <= options.amplification;
  };

  for (std::size_t t = 0; t < triggers.size(); ++t) {
    MetastabilityEpisode e;
    e.trigger = triggers[t];
    const sim::Time limit = t + 1 < triggers.size() ? triggers[t + 1].start : sim::Time::max();
    // Windows that end after the trigger starts and begin before the next.
    std::size_t i = 0;
    while (i < w.size() && w[i].end <= e.trigger.start) ++i;
    std::size_t onset = i;
    while (onset < w.size() && w[onset].start < limit && healthy(w[onset])) ++onset;
    if (onset < w.size() && w[onset].start < limit && w[onset].start < e.trigger.end + m.window) {
      e.onset = w[onset].start;
      // Recovery: the first window from the trigger's end (and after the
      // onset) that begins `hold` of healthy windows, or healthy windows to
      // the end of what is judged.
      std::size_t r = onset;
      while (r < w.size() && w[r].end <= e.trigger.end) ++r;
      for (; r < w.size() && w[r].start < limit; ++r) {
        std::size_t k = r;
        while (k < w.size() && w[k].start < limit && healthy(w[k]) &&
               w[k].start - w[r].start < options.hold) {
          ++k;
        }
        const bool to_the_end = k == w.size() || !(w[k].start < limit);
        if (k > r && (to_the_end || !(w[k].start - w[r].start < options.hold))) {
          e.recovery = w[r].start;
          break;
        }
      }
      e.sustained = !e.recovery || *e.recovery > e.trigger.end + m.window;
      const sim::Time until = e.recovery.value_or(limit);
      for (std::size_t k = onset; k < w.size() && w[k].start < until; ++k) {
        e.peak_retry_amplification = std::max(e.peak_retry_amplification, amplification(w[k]));
      }
    }
    m.episodes.push_back(std::move(e));
  }
  return m;
}

nlohmann::ordered_json to_json(const Metastability& m) {
  nlohmann::ordered_json j;
  j["window_ms"] = json_number(m.window.milliseconds_f(), 3);
  j["hold_ms"] = json_number(m.hold.milliseconds_f(), 3);
  j["baseline"] = {{"goodput_ratio", json_number(m.baseline_goodput, 4)},
                   {"calls_per_request", json_number(m.baseline_calls_per_request, 4)}};
  j["detected"] = m.detected();
  j["episodes"] = nlohmann::ordered_json::array();
  const auto ms = [](std::optional<sim::Time> t) {
    return t ? json_number(t->since_start().milliseconds_f(), 3) : nlohmann::ordered_json();
  };
  for (const MetastabilityEpisode& e : m.episodes) {
    nlohmann::ordered_json x;
    x["trigger_start_ms"] = ms(e.trigger.start);
    x["trigger_end_ms"] = ms(e.trigger.end);
    x["agents"] = e.trigger.agents;
    x["onset_ms"] = ms(e.onset);
    x["sustained"] = e.sustained;
    x["recovered"] = e.recovery.has_value();
    x["recovery_ms"] = e.recovery && *e.recovery > e.trigger.end
                           ? json_number((*e.recovery - e.trigger.end).milliseconds_f(), 3)
                       : e.recovery ? json_number(0.0, 3)
                                    : nlohmann::ordered_json();
    x["peak_retry_amplification"] = json_number(e.peak_retry_amplification, 2);
    j["episodes"].push_back(std::move(x));
  }
  return j;
}

std::string summary_line(const Metastability& m) {
  std::string out;
  for (const MetastabilityEpisode& e : m.episodes) {
    out += fmt::format("Metastability  trigger {:.1f}-{:.1f} s ({}): ", e.trigger.start.seconds_f(),
                       e.trigger.end.seconds_f(), fmt::join(e.trigger.agents, ", "));
    if (!e.onset) {
      out += "no overload\n";
      continue;
    }
    out += fmt::format("overload from {:.1f} s, ", e.onset->seconds_f());
    if (!e.recovery) {
      out += "did not recover";
    } else if (e.sustained) {
      out += fmt::format("outlived the trigger, recovered {:.1f} s after it",
                         (*e.recovery - e.trigger.end).seconds_f());
    } else {
      out += "recovered with the trigger";
    }
    out += fmt::format(", peak retry amplification {:.2f}x\n", e.peak_retry_amplification);
  }
  return out;
}

}  // namespace orchsim::eval
