#include "sim/event_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "sim/random.hpp"

namespace orchsim::sim::event_queue_test {
namespace {

Time at_ms(std::int64_t ms) { return Time::zero() + Duration::milliseconds(ms); }

TEST(EventQueue, RunsInTimeOrder) {
  EventQueue q;
  std::vector<int> ran;
  for (int ms : {30, 10, 20, 5, 40}) {
    q.push(at_ms(ms), kPriorityDefault, [&ran, ms] { ran.push_back(ms); });
  }
  while (q.next_time()) q.run_next();
  EXPECT_EQ(ran, (std::vector<int>{5, 10, 20, 30, 40}));
  EXPECT_TRUE(q.empty());
}

TEST(EventQueue, TiesBreakByPriorityThenInsertionOrder) {
  EventQueue q;
  std::string ran;
  q.push(at_ms(10), kPriorityDefault, [&] { ran += "a"; });
  q.push(at_ms(10), kPriorityLate, [&] { ran += "b"; });
  q.push(at_ms(10), kPriorityDefault, [&] { ran += "c"; });
  q.push(at_ms(10), kPriorityEarly, [&] { ran += "d"; });
  q.push(at_ms(5), kPriorityLate, [&] { ran += "e"; });
  q.push(at_ms(10), kPriorityEarly, [&] { ran += "f"; });
  while (q.next_time()) q.run_next();
  EXPECT_EQ(ran, "edfacb");
}

TEST(EventQueue, EventScheduledAtCurrentInstantRunsInOrderWithTies) {
  EventQueue q;
  std::string ran;
  q.push(at_ms(10), kPriorityDefault, [&] {
    ran += "a";
    q.push(at_ms(10), kPriorityDefault, [&] { ran += "x"; });  // after b: later sequence
    q.push(at_ms(10), kPriorityEarly, [&] { ran += "y"; });    // before b: earlier priority
  });
  q.push(at_ms(10), kPriorityDefault, [&] { ran += "b"; });
  q.push(at_ms(11), kPriorityEarly, [&] { ran += "c"; });
  while (q.next_time()) q.run_next();
  EXPECT_EQ(ran, "aybxc");
}

TEST(EventQueue, CancelledEventNeverRuns) {
  EventQueue q;
  std::string ran;
  q.push(at_ms(1), kPriorityDefault, [&] { ran += "a"; });
  EventId b = q.push(at_ms(2), kPriorityDefault, [&] { ran += "b"; });
  q.push(at_ms(3), kPriorityDefault, [&] { ran += "c"; });
  EXPECT_TRUE(q.pending(b));
  EXPECT_TRUE(q.cancel(b));
  EXPECT_FALSE(q.pending(b));
  EXPECT_EQ(q.size(), 2u);
  while (q.next_time()) q.run_next();
  EXPECT_EQ(ran, "ac");
}

TEST(EventQueue, CancelTwiceAndCancelAfterFireReturnFalse) {
  EventQueue q;
  int runs = 0;
  EventId a = q.push(at_ms(1), kPriorityDefault, [&] { ++runs; });
  EventId b = q.push(at_ms(2), kPriorityDefault, [&] { ++runs; });
  EXPECT_TRUE(q.cancel(b));
  EXPECT_FALSE(q.cancel(b));  // twice
  while (q.next_time()) q.run_next();
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(q.cancel(a));  // after it ran
  EXPECT_FALSE(q.cancel(EventId{}));
}

TEST(EventQueue, StaleIdDoesNotCancelTheSlotsNextOccupant) {
  EventQueue q;
  std::string ran;
  EventId a = q.push(at_ms(1), kPriorityDefault, [&] { ran += "a"; });
  EXPECT_TRUE(q.cancel(a));
  EventId b = q.push(at_ms(2), kPriorityDefault, [&] { ran += "b"; });
  EXPECT_EQ(a.slot, b.slot);  // the slot is reused...
  EXPECT_FALSE(q.cancel(a));  // ...but the old id no longer names it
  while (q.next_time()) q.run_next();
  EXPECT_EQ(ran, "b");
}

TEST(EventQueue, CallbackCancellingItselfIsANoOp) {
  EventQueue q;
  EventId self;
  bool cancelled = true;
  self = q.push(at_ms(1), kPriorityDefault, [&] { cancelled = q.cancel(self); });
  while (q.next_time()) q.run_next();
  EXPECT_FALSE(cancelled);
}

TEST(EventQueue, CallbackCanCancelAnEventAtTheSameInstant) {
  EventQueue q;
  std::string ran;
  EventId b;
  q.push(at_ms(5), kPriorityDefault, [&] {
    ran += "a";
    q.cancel(b);
  });
  b = q.push(at_ms(5), kPriorityDefault, [&] { ran += "b"; });
  while (q.next_time()) q.run_next();
  EXPECT_EQ(ran, "a");
}

TEST(EventQueue, CancelReleasesCapturedStateImmediately) {
  EventQueue q;
  auto token = std::make_shared<int>(7);
  EventId id = q.push(at_ms(100), kPriorityDefault, [token] { (void)*token; });
  EXPECT_EQ(token.use_count(), 2);
  q.cancel(id);
  EXPECT_EQ(token.use_count(), 1);  // not held until the tombstone surfaces
}

TEST(EventQueue, TombstonesStayBoundedUnderTimeoutChurn) {
  // The timeout pattern: every call arms a far timeout that is almost always
  // cancelled. Memory must follow live events, not cancelled ones.
  EventQueue q;
  std::int64_t now_ms = 0;
  for (int i = 0; i < 200'000; ++i) {
    EventId timeout = q.push(at_ms(now_ms + 1'000'000), kPriorityLate, [] {});
    q.push(at_ms(now_ms + 1), kPriorityDefault, [] {});
    q.cancel(timeout);
    q.next_time();
    q.run_next();
    ++now_ms;
  }
  EXPECT_TRUE(q.empty());
  EXPECT_LE(q.heap_entries(), 2u * 4096u + 2u);
}

TEST(EventQueue, BufferMemoryFollowsPendingEventsNotTimeRangesUsed) {
  // The hold model over many ranges of the upper digit levels: each new
  // range used to get fresh bucket buffers that were never given back.
  EventQueue q;
  RandomStream rng = RandomSource(3).stream("hold memory");
  constexpr std::size_t kPending = 20'000;
  std::uint64_t now_ns = 0;
  const auto hold = [&] {
    const auto delay = static_cast<std::int64_t>(rng.standard_exponential() * 1e6);  // mean 1 ms
    q.push(Time::from_ns(static_cast<std::int64_t>(now_ns) + delay), kPriorityDefault, [] {});
  };
  for (std::size_t i = 0; i < kPending; ++i) hold();
  std::size_t peak = 0;
  for (int i = 0; i < 1'500'000; ++i) {  // ~75 ms simulated: 5 level-3 ranges
    now_ns = static_cast<std::uint64_t>(q.next_time()->count_ns());
    q.run_next();
    hold();
    peak = std::max(peak, q.buffer_capacity());
  }
  EXPECT_EQ(q.size(), kPending);
  // Buffers in use hold at most twice their entries' worth each, plus the
  // spares kept (at most max(pending, 65536) entries).
  EXPECT_LE(peak, 6 * kPending + 65'536) << "peak " << peak;
}

TEST(EventQueue, PushBeforeLastRunEventThrows) {
  EventQueue q;
  q.push(at_ms(10), kPriorityDefault, [] {});
  q.next_time();
  q.run_next();
  EXPECT_THROW(q.push(at_ms(9), kPriorityDefault, [] {}), std::invalid_argument);
  EXPECT_NO_THROW(q.push(at_ms(10), kPriorityDefault, [] {}));
}

TEST(EventQueue, PeekingAheadDoesNotRaiseTheFloor) {
  EventQueue q;
  std::string ran;
  q.push(at_ms(100), kPriorityDefault, [&] { ran += "late"; });
  EXPECT_EQ(q.next_time(), at_ms(100));
  // A caller that stopped short of 100 ms may still schedule before it.
  q.push(at_ms(50), kPriorityDefault, [&] { ran += "early,"; });
  EXPECT_EQ(q.next_time(), at_ms(50));
  while (q.next_time()) q.run_next();
  EXPECT_EQ(ran, "early,late");
}

TEST(EventQueue, MatchesAReferenceOrderUnderRandomChurn) {
  // Random pushes (many ties), cancels and pops against a brute-force model
  // ordered by (time, priority, sequence).
  struct Ref {
    std::int64_t time;
    Priority prio;
    std::uint64_t seq;
    EventId id;
  };
  EventQueue q;
  std::vector<Ref> model;
  std::vector<std::uint64_t> ran;
  RandomStream rng = RandomSource(7).stream("event-queue-churn");
  std::uint64_t seq = 0;
  std::int64_t now = 0;
  for (int step = 0; step < 20'000; ++step) {
    const std::uint64_t op = rng.below(10);
    if (op < 5) {
      const std::int64_t t = now + static_cast<std::int64_t>(rng.below(50));
      const Priority p = static_cast<Priority>(static_cast<int>(rng.below(3)) - 1);
      const std::uint64_t s = seq++;
      EventId id = q.push(Time::from_ns(t), p, [&ran, s] { ran.push_back(s); });
      model.push_back({t, p, s, id});
    } else if (op < 7 && !model.empty()) {
      const std::size_t k = rng.below(model.size());
      EXPECT_TRUE(q.cancel(model[k].id));
      model.erase(model.begin() + static_cast<std::ptrdiff_t>(k));
    } else if (!model.empty()) {
      auto best = model.begin();
      for (auto it = model.begin(); it != model.end(); ++it) {
        if (std::tie(it->time, it->prio, it->seq) < std::tie(best->time, best->prio, best->seq)) {
          best = it;
        }
      }
      ASSERT_EQ(q.next_time(), Time::from_ns(best->time));
      q.run_next();
      ASSERT_EQ(ran.back(), best->seq);
      now = best->time;
      model.erase(best);
    }
    ASSERT_EQ(q.size(), model.size());
  }
}

TEST(EventQueue, PushAfterPeekDoesNotOvertakeALaterBucket) {
  // Regression: the front taken from one bucket must not accept pushes beyond
  // that bucket's own key range, or they would run before other buckets.
  EventQueue q;
  std::vector<std::int64_t> ran;
  const auto at = [&](std::int64_t ns) {
    q.push(Time::from_ns(ns), kPriorityDefault, [&ran, ns] { ran.push_back(ns); });
  };
  at(10);
  at(20);
  EXPECT_EQ(q.next_time(), Time::from_ns(10));
  at(30);
  at(0x10005);  // a level-2 bucket peeked past below
  EXPECT_EQ(q.next_time(), Time::from_ns(10));
  q.run_next();
  at(0x10001);
  at(15);
  while (q.next_time()) q.run_next();
  EXPECT_EQ(ran, (std::vector<std::int64_t>{10, 15, 20, 30, 0x10001, 0x10005}));
}

// An event as the reference models order them: std::set<Key> runs events
// by (time, priority, sequence), the queue's documented order.
struct Key {
  std::int64_t time;
  Priority prio;
  std::uint64_t seq;
  auto operator<=>(const Key&) const = default;
};

TEST(EventQueue, HoldModelMatchesAReferenceHeapAcrossAllDigitLevels) {
  // The hold model with delays spread over many orders of magnitude (so
  // entries cross every radix level, large buckets are sorted or split, and
  // zero-delay pushes land in the front), plus cancellations, against a
  // std::set ordered by (time, priority, sequence).
  EventQueue q;
  std::set<Key> model;
  std::vector<std::pair<Key, EventId>> cancellable;
  RandomStream rng = RandomSource(11).stream("event-queue-hold");
  std::uint64_t seq = 0;
  std::int64_t now = 0;
  std::function<void()> schedule;  // pushes one event at a random delay
  std::uint64_t ran = 0;
  schedule = [&] {
    const int magnitude = static_cast<int>(rng.below(40));
    const std::int64_t delay =
        magnitude == 0 ? 0 : static_cast<std::int64_t>(rng.below(std::uint64_t{1} << magnitude));
    const Priority p = static_cast<Priority>(static_cast<int>(rng.below(3)) - 1);
    const Key key{now + delay, p, seq++};
    const EventId id = q.push(Time::from_ns(key.time), p, [&, key] {
      ASSERT_FALSE(model.empty());
      ASSERT_TRUE(*model.begin() == key);
      model.erase(model.begin());
      ASSERT_LE(now, key.time);  // a later push at `now` may have a lower priority
      now = key.time;
      ++ran;
      schedule();
      if (rng.below(8) == 0) schedule();
    });
    model.insert(key);
    if (rng.below(8) == 0) cancellable.emplace_back(key, id);
  };
  for (int i = 0; i < 2000; ++i) schedule();
  while (ran < 60'000 && q.next_time()) {
    q.run_next();
    if (!cancellable.empty() && (model.size() > 2000 || rng.below(3) == 0)) {
      const auto [key, id] = cancellable.back();
      cancellable.pop_back();
      EXPECT_EQ(q.cancel(id), model.erase(key) == 1);
    }
    ASSERT_EQ(q.size(), model.size());
  }
  EXPECT_EQ(ran, 60'000u);
}

// Runs 50,000 events while the number pending drifts between about `lo` and
// `hi` (each run pushes two below `lo`, none above `hi`, else zero to two),
// checking every run against a std::set ordered by (time, priority,
// sequence). Coarse times make ties common and priorities vary. Returns how
// many pushes belonged in the first half of what was pending.
std::uint64_t run_small_population(std::size_t lo, std::size_t hi, std::uint64_t seed) {
  EventQueue q;
  std::set<Key> model;
  RandomStream rng = RandomSource(seed).stream("event-queue-few");
  std::uint64_t seq = 0, ran = 0, first_half = 0;
  std::int64_t now = 0;
  std::function<void()> schedule;
  schedule = [&] {
    const auto delay = static_cast<std::int64_t>(rng.below(40)) * 1000;
    const Priority p = static_cast<Priority>(static_cast<int>(rng.below(3)) - 1);
    const Key key{now + delay, p, seq++};
    if (!model.empty() && key < *std::next(model.begin(), static_cast<long>(model.size() / 2))) {
      ++first_half;
    }
    q.push(Time::from_ns(key.time), p, [&, key] {
      ASSERT_FALSE(model.empty());
      ASSERT_TRUE(*model.begin() == key);
      model.erase(model.begin());
      now = key.time;
      ++ran;
      const auto pushes = model.size() < lo ? 2 : model.size() > hi ? 0 : rng.below(3);
      for (std::uint64_t i = 0; i < pushes; ++i) schedule();
    });
    model.insert(key);
  };
  for (std::size_t i = 0; i < lo; ++i) schedule();
  while (ran < 50'000 && q.next_time()) {
    q.run_next();
    EXPECT_EQ(q.size(), model.size());
    if (q.size() != model.size()) break;
  }
  EXPECT_EQ(ran, 50'000u);
  return first_half;
}

TEST(EventQueue, FewPendingEventsKeepTheOrderThroughTheLinearInsert) {
  // A handful pending (one agent with a few servers): every push lands in the
  // front and is placed by a walk from its nearer end; the front slides down
  // when its buffer fills.
  EXPECT_GT(run_small_population(4, 14, 12), 10'000u);  // both walks were exercised
}

TEST(EventQueue, TensOfPendingEventsKeepTheOrderThroughTheLinearInsert) {
  // 17 to ~64 pending (the calls in flight of an orchestrated run): the
  // longest walks, still against the reference order.
  EXPECT_GT(run_small_population(20, 60, 13), 10'000u);
}

// Pushes (time, priority) events, runs them all and returns the order in
// which they ran as indices into `events`.
std::vector<int> run_order(EventQueue& q,
                           const std::vector<std::pair<std::int64_t, Priority>>& events) {
  std::vector<int> ran;
  for (int i = 0; i < static_cast<int>(events.size()); ++i) {
    q.push(Time::from_ns(events[i].first), events[i].second, [&ran, i] { ran.push_back(i); });
  }
  while (q.next_time()) q.run_next();
  return ran;
}

std::vector<int> reference_order(const std::vector<std::pair<std::int64_t, Priority>>& events) {
  std::vector<int> order(events.size());
  for (int i = 0; i < static_cast<int>(order.size()); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return events[a] < events[b]; });
  return order;
}

TEST(EventQueue, GatherAcrossMaskWordsAndUpToTheFrontLimitKeepsTheOrder) {
  // Level-1 buckets (256 ns each) over 300 consecutive digits: the refill
  // walks several 64-digit mask words, stops when the next bucket would not
  // fit, and leaves a large bucket to be split. Ties and priorities in every
  // bucket, pushed out of order.
  std::vector<std::pair<std::int64_t, Priority>> events;
  for (int k = 299; k >= 0; --k) {
    const int n = k == 150 ? 90 : 1 + k % 3;  // one bucket larger than a front
    for (int j = 0; j < n; ++j) {
      const std::int64_t t = 0x10000 + k * 256 + (j * 37) % 200;
      events.emplace_back(t, static_cast<Priority>(j % 3 - 1));
      if (j % 4 == 0) events.emplace_back(t, kPriorityDefault);  // an exact tie
    }
  }
  EventQueue q;
  EXPECT_EQ(run_order(q, events), reference_order(events));
}

TEST(EventQueue, SplitBucketEntryAtItsRangeStartRunsFirst) {
  // After a split the heap restarts from the start of the bucket's range, so
  // an entry exactly there goes straight to the front.
  std::vector<std::pair<std::int64_t, Priority>> events;
  for (int j = 0; j < 200; ++j) events.emplace_back(0x30000 + (j * 97) % 0x10000, kPriorityDefault);
  events.emplace_back(0x30000, kPriorityLate);
  events.emplace_back(0x30000, kPriorityEarly);
  EventQueue q;
  EXPECT_EQ(run_order(q, events), reference_order(events));
}

TEST(EventQueue, PushBetweenTheLastRunEventAndAPeekedBucketRunsFirst) {
  EventQueue q;
  std::vector<std::int64_t> ran;
  const auto at = [&](std::int64_t ns) {
    q.push(Time::from_ns(ns), kPriorityDefault, [&ran, ns] { ran.push_back(ns); });
  };
  at(5);
  at(0x50010);
  at(0x50020);
  q.run_next();                                      // runs 5
  EXPECT_EQ(q.next_time(), Time::from_ns(0x50010));  // refills from a far bucket
  at(0x40000);                                       // before that bucket's range
  at(0x50000);                                       // at its range start
  at(0x50015);
  while (q.next_time()) q.run_next();
  EXPECT_EQ(ran, (std::vector<std::int64_t>{5, 0x40000, 0x50000, 0x50010, 0x50015, 0x50020}));
}

TEST(EventQueue, CancelFirstAndLastOfAGatheredFront) {
  EventQueue q;
  std::vector<int> ran;
  std::vector<EventId> ids;
  for (int i = 0; i < 40; ++i) {
    ids.push_back(
        q.push(Time::from_ns(1000 + i * 100), kPriorityDefault, [&ran, i] { ran.push_back(i); }));
  }
  EXPECT_EQ(q.next_time(), Time::from_ns(1000));  // the front now holds them all
  EXPECT_TRUE(q.cancel(ids.front()));
  EXPECT_TRUE(q.cancel(ids.back()));
  EXPECT_EQ(q.next_time(), Time::from_ns(1100));
  while (q.next_time()) q.run_next();
  std::vector<int> expected;
  for (int i = 1; i < 39; ++i) expected.push_back(i);
  EXPECT_EQ(ran, expected);
  EXPECT_EQ(q.heap_entries(), 0u);
}

}  // namespace
}  // namespace orchsim::sim::event_queue_test
