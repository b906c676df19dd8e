#include "sim/event_queue.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace orchsim::sim {

// Slot generations: even while the slot holds a pending event, odd otherwise,
// so an Entry (or EventId) whose generation differs from its slot's is stale.

namespace {
// The front is sorted descending, so that the next event is at the back.
struct RunsLater {
  template <class E>
  bool operator()(const E& a, const E& b) const {
    return a.time != b.time ? a.time > b.time : a.order > b.order;
  }
};
}  // namespace

EventQueue::EventQueue() = default;
EventQueue::~EventQueue() = default;

void EventQueue::grow_slots() {
  if ((slot_count_ & (kChunkSize - 1)) == 0) {
    chunks_.push_back(std::make_unique<Slot[]>(kChunkSize));
  }
  ++slot_count_;
  slot(slot_count_ - 1).next_free = 0;
  generations_.push_back(1);
  free_head_ = slot_count_;
}

void EventQueue::throw_before_floor(Time when) const {
  throw std::invalid_argument("EventQueue::push: time " + to_string(when) +
                              " is before the current time " +
                              to_string(Time::from_ns(static_cast<std::int64_t>(floor_))));
}

void EventQueue::Bucket::grow() {
  const std::uint32_t new_capacity = capacity == 0 ? 8 : 2 * capacity;
  auto bigger = std::make_unique<Entry[]>(new_capacity);
  std::copy(begin(), end(), bigger.get());
  data = std::move(bigger);
  capacity = new_capacity;
}

void EventQueue::insert_into_front(const Entry& e) {
  // Usually lands at or near the back (the front spans a short time range).
  auto pos = front_.end();
  while (pos != front_.begin() && RunsLater{}(e, *(pos - 1))) --pos;
  front_.insert(pos, e);
}

bool EventQueue::pending(EventId id) const {
  if (!id.valid() || id.slot >= slot_count_) return false;
  return generations_[id.slot] == id.generation;
}

bool EventQueue::cancel(EventId id) {
  if (!pending(id)) return false;
  Slot& s = slot(id.slot);
  s.fn.reset();  // release captured state now, not when the tombstone surfaces
  generations_[id.slot] += 1;
  s.next_free = free_head_;
  free_head_ = id.slot + 1;
  --live_;
  ++tombstones_;
  if (tombstones_ > 4096 && tombstones_ > live_) compact();
  return true;
}

void EventQueue::drop_dead_front() {
  while (!front_.empty() && !is_live(front_.back())) {
    front_.pop_back();
    --tombstones_;
  }
}

bool EventQueue::refill_front() {
  if (level_mask_ == 0) return false;
  const int level = std::countr_zero(level_mask_);
  auto& mask = digit_mask_[level];
  int word = 0;
  while (mask[word] == 0) ++word;
  const int digit = word * 64 + std::countr_zero(mask[word]);
  Bucket& from = buckets_[level][digit];
  mask[word] &= mask[word] - 1;  // clear the lowest set bit: this bucket
  if ((mask[0] | mask[1] | mask[2] | mask[3]) == 0) level_mask_ &= ~(1u << level);
  // Tombstones move like live entries: checking liveness here would touch a
  // cold slot per entry. They are dropped at the front instead.
  std::uint64_t min_time = UINT64_MAX;
  for (const Entry& e : from) min_time = std::min(min_time, e.time);
  last_ = min_time;
  if (from.size < kSortBelow || level == 0) {
    // The whole bucket becomes the front: it holds every key in its range.
    const int shift = 8 * (level + 1);
    front_limit_ = shift >= 64 || (min_time >> shift) == (UINT64_MAX >> shift)
                       ? UINT64_MAX
                       : ((min_time >> shift) + 1) << shift;
    front_.assign(from.begin(), from.end());
    std::sort(front_.begin(), front_.end(), RunsLater{});
  } else {
    // Split: every entry lands on a lower level or the front, never in `from`.
    front_limit_ = min_time + 1;
    for (const Entry& e : from) insert(e);
  }
  from.size = 0;
  return true;
}

void EventQueue::rebase(std::uint64_t new_last) {
  scratch_.assign(front_.begin(), front_.end());
  front_.clear();
  for (int level = 0; level < kLevels; ++level) {
    for (Bucket& bucket : buckets_[level]) {
      scratch_.insert(scratch_.end(), bucket.begin(), bucket.end());
      bucket.size = 0;
    }
    digit_mask_[level] = {};
  }
  level_mask_ = 0;
  last_ = new_last;
  front_limit_ = new_last + 1;
  for (const Entry& e : scratch_) insert(e);
  scratch_.clear();
}

std::optional<Time> EventQueue::next_time() {
  for (;;) {
    drop_dead_front();
    if (!front_.empty()) return Time::from_ns(static_cast<std::int64_t>(front_.back().time));
    if (!refill_front()) return std::nullopt;
  }
}

void EventQueue::run_next() {
  // next_time() normally just ran and left a live entry at the back.
  if ((front_.empty() || !is_live(front_.back())) && !next_time()) {
    throw std::logic_error("EventQueue::run_next: no pending event");
  }
  const Entry e = front_.back();
  front_.pop_back();
  --live_;
  floor_ = e.time;
  // Make the id stale before running so cancel(self) is a harmless no-op, but
  // keep the slot out of the free list until the callback returns: it may push
  // events, and its own callable must not be overwritten while it runs.
  generations_[e.slot] += 1;
  Slot& s = slot(e.slot);
  s.fn();
  s.fn.reset();  // chunks never move, so `s` is still valid here
  s.next_free = free_head_;
  free_head_ = e.slot + 1;
}

void EventQueue::compact() {
  const auto dead = [this](const Entry& e) { return !is_live(e); };
  front_.erase(std::remove_if(front_.begin(), front_.end(), dead), front_.end());
  level_mask_ = 0;
  for (int level = 0; level < kLevels; ++level) {
    digit_mask_[level] = {};
    for (int digit = 0; digit < kDigits; ++digit) {
      Bucket& bucket = buckets_[level][digit];
      bucket.size = static_cast<std::uint32_t>(std::remove_if(bucket.begin(), bucket.end(), dead) -
                                               bucket.begin());
      if (bucket.size != 0) {
        digit_mask_[level][digit >> 6] |= std::uint64_t{1} << (digit & 63);
        level_mask_ |= 1u << level;
      }
    }
  }
  tombstones_ = 0;
}

}  // namespace orchsim::sim
