// The pending-event set of a simulation: ordered, cancellable, allocation-free
// in steady state.
//
// Order (total, documented, never by address): earliest time first; at equal
// times lower `priority` first; at equal time and priority, the event scheduled
// first (insertion sequence) first.
//
//   sim::EventQueue q;
//   sim::EventId t = q.push(Time::zero() + 5_ms, sim::kPriorityDefault, [] { ... });
//   q.cancel(t);                       // O(1): the callback is destroyed now
//   while (q.next_time()) q.run_next();
//
// Cost: push O(1); cancel O(1); next_time/run_next amortised O(k), k the
// number of bytes in which pending times differ from now (at most 8, usually
// 2-3). It is a radix heap on the integer time with 256-way digits: simulated
// time never goes back, so keys are monotone and an entry only ever moves to
// lower digit levels. A bucket that is small when it reaches the front is
// sorted by (time, priority, sequence) instead of being split further. See
// docs/performance.md for the measured comparison with binary and radix-2
// heaps.
//
// Cancelled entries leave a 24-byte tombstone, dropped when it reaches the
// front or by a compaction pass once tombstones outnumber live events (and
// exceed 4096), so memory stays proportional to live events. The callback of a
// cancelled event is destroyed at once. Callbacks live in fixed-size chunks of
// slots reused through a free list: a steady-state run allocates nothing.
//
// Not thread-safe: one queue per simulation, one simulation per thread.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "sim/inline_function.hpp"
#include "sim/time.hpp"

namespace orchsim::sim {

// Lower runs first among events at the same instant.
using Priority = std::int8_t;
inline constexpr Priority kPriorityEarly = -100;  // e.g. state changes others must see
inline constexpr Priority kPriorityDefault = 0;
inline constexpr Priority kPriorityLate = 100;    // e.g. timeouts: a reply at the deadline wins

// Names one scheduled event. Stays valid to pass to cancel() forever: once the
// event has run or been cancelled, cancel() on it returns false. A
// default-constructed id names nothing.
struct EventId {
  std::uint32_t slot = 0;
  std::uint32_t generation = 0;  // 0 never names an event
  bool valid() const { return generation != 0; }
  friend bool operator==(EventId, EventId) = default;
};

class EventQueue {
 public:
  EventQueue();
  ~EventQueue();
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  // Schedules `fn` (any `void()` callable) at `when`, which must not be
  // earlier than the time of the last event run (throws std::invalid_argument
  // otherwise). The callable is constructed in place in its slot.
  template <class F>
  EventId push(Time when, Priority priority, F&& fn) {
    const std::int64_t ns = when.count_ns();
    if (ns < 0 || static_cast<std::uint64_t>(ns) < floor_) throw_before_floor(when);
    const std::uint32_t index = allocate_slot();
    slot(index).fn.emplace(std::forward<F>(fn));
    const auto time = static_cast<std::uint64_t>(ns);
    if (time < last_) rebase(time);
    const std::uint32_t generation = generations_[index];
    insert(Entry{time, order_key(priority), index, generation});
    ++live_;
    return EventId{index, generation};
  }

  // Returns true if the event was pending and is now cancelled; false if it
  // already ran, is running, was cancelled before, or `id` names nothing.
  bool cancel(EventId id);

  // Whether `id` is still pending.
  bool pending(EventId id) const;

  // Time of the next live event, or nullopt when none is pending.
  std::optional<Time> next_time();

  // Runs the next live event; throws std::logic_error if none is pending. The
  // callback may push and cancel freely, including cancelling itself (a no-op).
  void run_next();

  std::size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }
  std::size_t tombstones() const { return tombstones_; }
  // Entries held in the heap, live or tombstone (for memory tests).
  std::size_t heap_entries() const { return live_ + tombstones_; }

 private:
  struct Entry {
    std::uint64_t time;   // nanoseconds since start; never below last_
    std::uint64_t order;  // (priority + 128) << 56 | sequence: tie order at equal time
    std::uint32_t slot;
    std::uint32_t generation;
  };
  // The callable of a pending event. Its generation lives apart, in the dense
  // generations_ array, so that liveness checks touch 4 bytes, not a slot.
  struct Slot {
    InlineFunction fn;
    std::uint32_t next_free = 0;  // 1-based; 0 ends the free list
  };
  static constexpr std::uint32_t kChunkBits = 10;
  static constexpr std::uint32_t kChunkSize = 1u << kChunkBits;
  static constexpr int kLevels = 8;     // one per byte of the 64-bit time
  static constexpr int kDigits = 256;   // buckets per level

  // A growable array whose push is small enough to inline in the hot loop.
  struct Bucket {
    std::unique_ptr<Entry[]> data;
    std::uint32_t size = 0;
    std::uint32_t capacity = 0;
    void push(const Entry& e) {
      if (size == capacity) grow();
      data[size++] = e;
    }
    void grow();
    Entry* begin() { return data.get(); }
    Entry* end() { return data.get() + size; }
  };

  Slot& slot(std::uint32_t i) { return chunks_[i >> kChunkBits][i & (kChunkSize - 1)]; }
  const Slot& slot(std::uint32_t i) const { return chunks_[i >> kChunkBits][i & (kChunkSize - 1)]; }
  // Generations are odd while a slot is free or running, even while pending.
  bool is_live(const Entry& e) const { return generations_[e.slot] == e.generation; }
  std::uint32_t allocate_slot() {
    if (free_head_ == 0) grow_slots();
    const std::uint32_t index = free_head_ - 1;
    free_head_ = slot(index).next_free;
    std::uint32_t& generation = generations_[index];
    generation += 1;                      // odd -> even: pending
    if (generation == 0) generation = 2;  // after 2^32 reuses: 0 never names an event
    return index;
  }
  void grow_slots();
  std::uint64_t order_key(Priority priority) {
    return (static_cast<std::uint64_t>(static_cast<int>(priority) + 128) << 56) |
           next_sequence_++;
  }
  [[noreturn]] void throw_before_floor(Time when) const;

  void insert(const Entry& e) {
    if (e.time < front_limit_) {
      insert_into_front(e);
      return;
    }
    const std::uint64_t diff = e.time ^ last_;  // non-zero: e.time >= front_limit_ > last_
    const int level = (63 - std::countl_zero(diff)) >> 3;
    const auto digit = static_cast<unsigned>(e.time >> (8 * level)) & 0xffu;
    buckets_[level][digit].push(e);
    digit_mask_[level][digit >> 6] |= std::uint64_t{1} << (digit & 63);
    level_mask_ |= 1u << level;
  }
  void insert_into_front(const Entry& e);
  void drop_dead_front();
  bool refill_front();  // moves the next-earliest bucket into bucket 0
  void rebase(std::uint64_t new_last);
  void compact();

  std::vector<std::unique_ptr<Slot[]>> chunks_;
  std::vector<std::uint32_t> generations_;
  std::uint32_t free_head_ = 0;
  std::uint32_t slot_count_ = 0;
  std::uint64_t next_sequence_ = 0;

  // Radix heap. `front_` holds every entry with time < front_limit_, sorted
  // by (time, order) descending so that back() runs next. Bucket (level L,
  // digit d) holds entries at or after front_limit_ whose highest byte that
  // differs from last_ is byte L, with value d there. last_ <= every key.
  // last_ may run ahead of floor_ (the time of the last event run) when
  // next_time() has looked ahead; a push between the two rebases the heap
  // (rare: only after run_until stopped short).
  static constexpr std::uint32_t kSortBelow = 32;  // smaller buckets are sorted, not split
  std::vector<Entry> front_;
  std::uint64_t front_limit_ = 1;
  std::array<std::array<Bucket, kDigits>, kLevels> buckets_;
  std::array<std::array<std::uint64_t, kDigits / 64>, kLevels> digit_mask_{};
  std::uint32_t level_mask_ = 0;  // bit L set when level L has a non-empty bucket
  std::vector<Entry> scratch_;
  std::uint64_t last_ = 0;
  std::uint64_t floor_ = 0;
  std::size_t live_ = 0;
  std::size_t tombstones_ = 0;
};

}  // namespace orchsim::sim
