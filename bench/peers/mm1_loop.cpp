// M/M/1 as a bare event loop: the peers benchmark's floor (bench/peers/,
// scripts/bench-peers). No simulator: a std::priority_queue of (time, seq,
// kind) events, a std::deque of arrival times as the FIFO queue (its front is
// in service), std::mt19937_64 with std::exponential_distribution for the
// draws. Poisson arrivals at lambda = 0.9/s, exponential service of mean
// 1/mu = 1 s; prints the customers served and their mean sojourn time, which
// should be near 1/(mu - lambda) = 10 s. What any simulator adds on top of
// this loop is its overhead on this model.
//
//   g++ -O2 -o mm1_loop mm1_loop.cpp && ./mm1_loop --customers 1000000 --seed 1
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <queue>
#include <random>
#include <vector>

namespace {

constexpr double kLambda = 0.9;  // arrivals per second
constexpr double kMu = 1.0;      // services per second

enum class Kind : std::uint8_t { kArrival, kDeparture };

struct Event {
  double t;
  std::uint64_t seq;  // ties in time are served in scheduling order
  Kind kind;
};

struct Later {
  bool operator()(const Event& a, const Event& b) const {
    return a.t != b.t ? a.t > b.t : a.seq > b.seq;
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t customers = 1'000'000;
  std::uint64_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--customers") == 0) {
      customers = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (std::strcmp(argv[i], "--seed") == 0) {
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: %s [--customers N] [--seed S]\n", argv[0]);
      return 2;
    }
  }

  std::mt19937_64 rng(seed);
  std::exponential_distribution<double> interarrival(kLambda), service(kMu);
  std::priority_queue<Event, std::vector<Event>, Later> events;
  std::deque<double> queue;  // arrival times, FIFO; the front one is in service
  std::uint64_t seq = 0, arrived = 0, served = 0;
  double sum_sojourn = 0;

  if (customers > 0) events.push({0.0, seq++, Kind::kArrival});
  while (!events.empty()) {
    const Event e = events.top();
    events.pop();
    if (e.kind == Kind::kArrival) {
      queue.push_back(e.t);
      if (queue.size() == 1) events.push({e.t + service(rng), seq++, Kind::kDeparture});
      if (++arrived < customers) events.push({e.t + interarrival(rng), seq++, Kind::kArrival});
    } else {
      sum_sojourn += e.t - queue.front();
      queue.pop_front();
      ++served;
      if (!queue.empty()) events.push({e.t + service(rng), seq++, Kind::kDeparture});
    }
  }

  if (served != customers) {
    std::fprintf(stderr, "served %llu of %llu customers\n",
                 static_cast<unsigned long long>(served),
                 static_cast<unsigned long long>(customers));
    return 1;
  }
  std::printf("loop customers %llu mean_sojourn_s %.4f\n", static_cast<unsigned long long>(served),
              served ? sum_sojourn / static_cast<double>(served) : 0.0);
  return 0;
}
