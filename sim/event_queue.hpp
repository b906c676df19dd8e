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
// lower digit levels. When the front runs dry it is refilled with the
// earliest bucket plus the following buckets of the same level, up to 64
// entries, sorted by (time, priority, sequence): by insertion sort when the
// buckets are small (each covers its own key range), else by std::sort; a
// larger bucket is split one level down instead. The front's upper limit is
// the end of the last range it took, so a push beyond it can never overtake a
// bucket left behind. See docs/performance.md for measured figures and the
// structures compared.
//
// Cancelled entries leave a 24-byte tombstone, dropped when it reaches the
// front or by a compaction pass once tombstones outnumber live events (and
// exceed 4096), so memory stays proportional to live events. The callback of a
// cancelled event is destroyed at once. Callbacks live in fixed-size chunks of
// 48-byte slots reused through a LIFO free list: a steady-state run allocates
// nothing, and the slot a callback pushes into is the one just freed (warm).
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
inline constexpr Priority kPriorityLate = 100;  // e.g. timeouts: a reply at the deadline wins

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
    Slot& s = slot(index);
    s.fn.emplace_empty(std::forward<F>(fn));  // a free slot's callable is always empty
    const auto time = static_cast<std::uint64_t>(ns);
    if (time < last_) rebase(time);
    insert(Entry{time, order_key(priority), index, s.generation});
    ++live_;
    return EventId{index, s.generation};
  }

  // Returns true if the event was pending and is now cancelled; false if it
  // already ran, is running, was cancelled before, or `id` names nothing.
  bool cancel(EventId id);

  // Whether `id` is still pending.
  bool pending(EventId id) const {
    return id.valid() && id.slot < slot_count_ && slot(id.slot).generation == id.generation;
  }

  // Time of the next live event, or nullopt when none is pending.
  std::optional<Time> next_time() {
    if (!front_ready() && !prepare_front()) return std::nullopt;
    return Time::from_ns(static_cast<std::int64_t>(front_.data[front_pos_].time));
  }

  // Runs the next live event; throws std::logic_error if none is pending. The
  // callback may push and cancel freely, including cancelling itself (a no-op).
  void run_next() {
    Slot* const s = live_front_slot();
    if (s == nullptr) throw_empty();
    run_front(*s);
  }

  // The simulation loop in one call (one look at the front instead of the two
  // of next_time() + run_next()): if the next live event is at or before
  // `until`, calls `before_run(its time)`, runs it and returns true; otherwise
  // returns false and changes nothing.
  template <class BeforeRun>
  bool run_next_until(Time until, BeforeRun&& before_run) {
    Slot* const s = live_front_slot();
    if (s == nullptr) return false;
    const auto time = static_cast<std::int64_t>(front_.data[front_pos_].time);
    if (time > until.count_ns()) return false;
    before_run(Time::from_ns(time));
    run_front(*s);
    return true;
  }

  std::size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }
  std::size_t tombstones() const { return tombstones_; }
  // Entries held in the heap, live or tombstone (for memory tests).
  std::size_t heap_entries() const { return live_ + tombstones_; }
  // Entries the queue's buffers can hold, in use or kept spare (for memory
  // tests): proportional to the pending events, not to the time ranges used.
  std::size_t buffer_capacity() const;

 private:
  struct Entry {
    std::uint64_t time;   // nanoseconds since start; never below last_
    std::uint64_t order;  // (priority + 128) << 56 | sequence: tie order at equal time
    std::uint32_t slot;
    std::uint32_t generation;
  };
  // The callable of a pending event and its generation: odd while the slot is
  // free or running, even while pending, so an Entry or EventId whose
  // generation differs is stale. Both are needed when the event runs, so they
  // share the slot (one prefetch covers them).
  struct Slot {
    InlineFunction fn;
    std::uint32_t next_free = 0;   // 1-based; 0 ends the free list
    std::uint32_t generation = 1;  // 0 never names an event
  };
  static constexpr std::uint32_t kChunkBits = 10;
  static constexpr std::uint32_t kChunkSize = 1u << kChunkBits;
  static constexpr int kLevels = 8;    // one per byte of the 64-bit time
  static constexpr int kDigits = 256;  // buckets per level
  // The front is refilled with consecutive small buckets of one level up to
  // this many entries; a larger bucket is split one level down (a radix
  // pass, cheaper per entry than a comparison sort of it). Gathering spreads
  // the fixed cost of a refill over many events (docs/performance.md).
  static constexpr std::uint32_t kGather = 64;
  // How many front entries ahead the slot is prefetched: at 10^6 pending the
  // slots (48 MB) miss every cache, and the next events are known in advance.
  static constexpr std::uint32_t kPrefetchAhead = 4;
  // A push into a front of at most this many live entries is placed by a
  // walk from its nearer end instead of a binary search and a memmove: in an
  // orchestrated run the front mostly holds 17-64 entries, and the walk's
  // one mispredicted branch beats the search's several (measured: +2.4%
  // requests/s end to end against a limit of 16; the hold model is unchanged).
  static constexpr std::uint32_t kLinearInsert = 64;

  // A growable array whose push is small enough to inline in the hot loop.
  // Buffers are swapped between buckets and the front, never copied.
  struct Bucket {
    std::unique_ptr<Entry[]> data;
    std::uint32_t size = 0;
    std::uint32_t capacity = 0;
    void push(const Entry& e) {
      if (size == capacity) grow();
      data[size++] = e;
    }
    void grow();
    void reserve(std::uint32_t new_capacity);  // keeps the entries
    Entry* begin() { return data.get(); }
    Entry* end() { return data.get() + size; }
  };

  Slot& slot(std::uint32_t i) { return chunks_[i >> kChunkBits][i & (kChunkSize - 1)]; }
  const Slot& slot(std::uint32_t i) const { return chunks_[i >> kChunkBits][i & (kChunkSize - 1)]; }
  bool is_live(const Entry& e) const { return slot(e.slot).generation == e.generation; }
  void prefetch_slot(std::uint32_t i) const {
    // A 48-byte slot may straddle two cache lines.
    const auto* p = reinterpret_cast<const char*>(&slot(i));
    prefetch(p);
    prefetch(p + sizeof(Slot) - 1);
  }
  static void prefetch(const char* p) {
#if defined(__GNUC__) && defined(__x86_64__)
    // GCC 12 deletes a __builtin_prefetch (and _mm_prefetch) of a slot
    // address as dead code: the address comes through the vector and the
    // unique_ptr, and no other use keeps it. A volatile asm cannot be deleted.
    // Check for `prefetcht0` in the assembly of Simulation::step when
    // changing this.
    asm volatile("prefetcht0 %0" : : "m"(*p));
#else
    __builtin_prefetch(p);
#endif
  }
  std::uint32_t allocate_slot() {
    if (free_head_ == 0) grow_slots();
    const std::uint32_t index = free_head_ - 1;
    Slot& s = slot(index);
    free_head_ = s.next_free;
    s.generation += 1;                        // odd -> even: pending
    if (s.generation == 0) s.generation = 2;  // after 2^32 reuses: 0 never names an event
    return index;
  }
  void grow_slots();
  std::uint64_t order_key(Priority priority) {
    return (static_cast<std::uint64_t>(static_cast<int>(priority) + 128) << 56) | next_sequence_++;
  }
  [[noreturn]] void throw_before_floor(Time when) const;
  [[noreturn]] static void throw_empty();

  bool front_ready() const { return front_pos_ < front_.size && is_live(front_.data[front_pos_]); }
  // Drops tombstones and refills until a live entry is at front_pos_; false
  // when nothing is pending.
  bool prepare_front();
  // The slot of the live entry at front_pos_ (after dropping tombstones and
  // refilling as needed), or nullptr when nothing is pending. The fast path
  // looks the slot up once for both the liveness check and the run.
  Slot* live_front_slot() {
    if (front_pos_ < front_.size) {
      const Entry& e = front_.data[front_pos_];
      Slot& s = slot(e.slot);
      if (s.generation == e.generation) return &s;
    }
    if (!prepare_front()) return nullptr;
    return &slot(front_.data[front_pos_].slot);
  }
  // Runs the entry at front_pos_, which must be live; `s` is its slot.
  void run_front(Slot& s) {
    const std::uint64_t time = front_.data[front_pos_].time;
    const std::uint32_t index = front_.data[front_pos_].slot;
    ++front_pos_;
    if (front_pos_ + kPrefetchAhead < front_.size) {
      prefetch_slot(front_.data[front_pos_ + kPrefetchAhead].slot);
    }
    --live_;
    floor_ = time;
    // Make the id stale before running so cancel(self) is a harmless no-op,
    // but keep the slot out of the free list until the callback returns: it
    // may push events, and its own callable must not be overwritten while it
    // runs. Chunks never move, so `s` stays valid across the call.
    s.generation += 1;
    s.fn.invoke_once();
    s.next_free = free_head_;
    free_head_ = index + 1;
  }

  void insert(const Entry& e) {
    if (e.time < front_limit_) {
      insert_into_front(e);
      return;
    }
    const std::uint64_t diff = e.time ^ last_;  // non-zero: e.time >= front_limit_ > last_
    const int level = (63 - std::countl_zero(diff)) >> 3;
    const auto digit = static_cast<unsigned>(e.time >> (8 * level)) & 0xffu;
    Bucket& bucket = buckets_[level][digit];
    if (bucket.size == bucket.capacity) grow_bucket(bucket);
    bucket.data[bucket.size++] = e;
    digit_mask_[level][digit >> 6] |= std::uint64_t{1} << (digit & 63);
    level_mask_ |= 1u << level;
  }
  void insert_into_front(const Entry& e);
  // A split bucket gives its large buffer back; a bucket outgrowing a small
  // one takes the best-fitting spare. Buckets of the upper levels cover ever
  // new key ranges as time advances: without this each new range allocated
  // (and faulted in) fresh buffers, memory followed the ranges ever used
  // instead of the events pending (500 MB for 10^6 pending), and the hold
  // model at 10^6 ran 40% slower (docs/performance.md).
  void grow_bucket(Bucket& bucket);
  void release_buffer(Bucket& bucket);
  bool refill_front();  // fills the front from the next-earliest buckets, or splits one
  void sort_front(bool small_buckets);
  void rebase(std::uint64_t new_last);
  void compact();

  std::vector<std::unique_ptr<Slot[]>> chunks_;
  std::uint32_t free_head_ = 0;
  std::uint32_t slot_count_ = 0;
  std::uint64_t next_sequence_ = 0;

  // Radix heap. `front_` holds, in [front_pos_, front_.size), every entry
  // with time < front_limit_, sorted by (time, order) ascending; entries
  // before front_pos_ have run. Bucket (level L, digit d) holds entries at or
  // after front_limit_ whose highest byte that differs from last_ is byte L,
  // with value d there; when the front is taken from such a bucket,
  // front_limit_ is the end of that bucket's key range. last_ <= every key.
  // last_ may run ahead of floor_ (the time of the last event run) when
  // next_time() has looked ahead; a push between the two rebases the heap
  // (rare: only after run_until stopped short).
  Bucket front_;
  std::uint32_t front_pos_ = 0;
  std::uint64_t front_limit_ = 1;
  std::array<std::array<Bucket, kDigits>, kLevels> buckets_;
  std::array<std::array<std::uint64_t, kDigits / 64>, kLevels> digit_mask_{};
  std::uint32_t level_mask_ = 0;  // bit L set when level L has a non-empty bucket
  std::vector<Entry> scratch_;
  // Buffers of split buckets, kept for reuse, up to as many entries in all as
  // are pending (plus a floor), so that memory stays proportional to the
  // pending events.
  static constexpr std::uint32_t kMinSpareCapacity = 4 * kGather;
  static constexpr std::size_t kSpareFloor = std::size_t{1} << 16;
  std::vector<Bucket> spare_;
  std::size_t spare_entries_ = 0;
  std::uint64_t last_ = 0;
  std::uint64_t floor_ = 0;
  std::size_t live_ = 0;
  std::size_t tombstones_ = 0;
};

}  // namespace orchsim::sim
