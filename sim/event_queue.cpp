#include "sim/event_queue.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace orchsim::sim {

namespace {
// The front is sorted ascending: the next event is at front_pos_.
struct RunsBefore {
  template <class E>
  bool operator()(const E& a, const E& b) const {
    return a.time != b.time ? a.time < b.time : a.order < b.order;
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
  free_head_ = slot_count_;
}

void EventQueue::throw_before_floor(Time when) const {
  throw std::invalid_argument("EventQueue::push: time " + to_string(when) +
                              " is before the current time " +
                              to_string(Time::from_ns(static_cast<std::int64_t>(floor_))));
}

void EventQueue::throw_empty() { throw std::logic_error("EventQueue::run_next: no pending event"); }

void EventQueue::Bucket::grow() { reserve(capacity == 0 ? 8 : 2 * capacity); }

void EventQueue::Bucket::reserve(std::uint32_t new_capacity) {
  auto bigger = std::make_unique_for_overwrite<Entry[]>(new_capacity);
  std::copy(begin(), end(), bigger.get());
  data = std::move(bigger);
  capacity = new_capacity;
}

void EventQueue::grow_bucket(Bucket& bucket) {
  // A bucket that has outgrown a small buffer takes the smallest spare that
  // is large enough, moving its entries there; its old buffer is freed.
  const std::uint32_t wanted = bucket.capacity == 0 ? 8 : 2 * bucket.capacity;
  if (wanted < kMinSpareCapacity) {
    bucket.grow();
    return;
  }
  std::size_t best = spare_.size();
  for (std::size_t i = 0; i < spare_.size(); ++i) {
    const std::uint32_t c = spare_[i].capacity;
    if (c >= wanted && (best == spare_.size() || c < spare_[best].capacity)) best = i;
  }
  if (best == spare_.size()) {
    bucket.grow();
    return;
  }
  Bucket& spare = spare_[best];
  std::copy(bucket.begin(), bucket.end(), spare.begin());
  spare.size = bucket.size;
  spare_entries_ -= spare.capacity;
  std::swap(bucket, spare);
  std::swap(spare, spare_.back());
  spare_.pop_back();
}

void EventQueue::release_buffer(Bucket& bucket) {
  // Small buffers stay: the lower levels reuse their buckets constantly.
  if (bucket.capacity < kMinSpareCapacity) return;
  if (spare_entries_ + bucket.capacity <= std::max(live_, kSpareFloor)) {
    spare_entries_ += bucket.capacity;
    spare_.emplace_back();
    std::swap(spare_.back(), bucket);
  } else {
    bucket = Bucket{};
  }
}

void EventQueue::insert_into_front(const Entry& e) {
  if (front_.size == front_.capacity && front_pos_ >= front_.size / 2) {
    // Full, but mostly of entries that have run: slide the live ones down
    // instead of growing, so a front that never drains (a few events always
    // pending inside front_limit_) keeps reusing the same warm memory.
    std::move(front_.begin() + front_pos_, front_.end(), front_.begin());
    front_.size -= front_pos_;
    front_pos_ = 0;
  }
  if (const std::uint32_t live = front_.size - front_pos_; live <= kLinearInsert) {
    // Few live entries (one agent's calls in service, the calls in flight of
    // an orchestrated run): walk from the nearer end, shifting as we go. Same
    // place as the binary search below (after every entry that runs before
    // `e` or ties with it), without its unpredictable branches or a memmove
    // call.
    Entry* const begin = front_.begin() + front_pos_;
    if (front_pos_ > 0 && live > 1 && RunsBefore{}(e, begin[live / 2])) {
      // In the first half: move the entries before it down into the slot
      // of the last event run. Stops at begin[live / 2] at the latest.
      Entry* p = begin - 1;
      while (!RunsBefore{}(e, *(p + 1))) {
        *p = *(p + 1);
        ++p;
      }
      *p = e;
      --front_pos_;
      return;
    }
    front_.push(e);  // may reallocate
    Entry* const first = front_.begin() + front_pos_;
    Entry* p = front_.end() - 1;
    while (p != first && RunsBefore{}(e, *(p - 1))) {
      *p = *(p - 1);
      --p;
    }
    *p = e;
    return;
  }
  Entry* const first = front_.begin() + front_pos_;
  Entry* const last = front_.end();
  Entry* const pos = std::upper_bound(first, last, e, RunsBefore{});
  if (pos == last) {
    front_.push(e);
    return;
  }
  if (front_pos_ > 0 && pos - first < last - pos) {
    // Closer to the next event (e.g. a zero-delay event): reuse a slot that
    // has already run and shift the shorter prefix down.
    std::move(first, pos, first - 1);
    *(pos - 1) = e;
    --front_pos_;
    return;
  }
  const auto at = pos - front_.begin();
  front_.push(e);  // may reallocate: work with the index from here on
  Entry* const data = front_.begin();
  std::move_backward(data + at, front_.end() - 1, front_.end());
  data[at] = e;
}

std::size_t EventQueue::buffer_capacity() const {
  std::size_t total = front_.capacity + spare_entries_;
  for (const auto& level : buckets_) {
    for (const Bucket& bucket : level) total += bucket.capacity;
  }
  return total;
}

bool EventQueue::cancel(EventId id) {
  if (!pending(id)) return false;
  Slot& s = slot(id.slot);
  s.fn.reset();  // release captured state now, not when the tombstone surfaces
  s.generation += 1;
  s.next_free = free_head_;
  free_head_ = id.slot + 1;
  --live_;
  ++tombstones_;
  if (tombstones_ > 4096 && tombstones_ > live_) compact();
  return true;
}

bool EventQueue::prepare_front() {
  for (;;) {
    while (front_pos_ < front_.size) {
      if (is_live(front_.data[front_pos_])) return true;
      ++front_pos_;
      --tombstones_;
    }
    front_.size = 0;
    front_pos_ = 0;
    if (!refill_front()) return false;
  }
}

void EventQueue::sort_front(bool small_buckets) {
  // Insertion sort: the front is a concatenation of buckets with ascending
  // key ranges, each small and often already in order (equal times are pushed
  // in sequence order), so entries move only within their own bucket. A few
  // large buckets (in push order, i.e. random time order, or one large bucket
  // of equal times with interleaved priorities) go to a comparison sort.
  Entry* const first = front_.begin();
  Entry* const last = front_.end();
  if (!small_buckets && !std::is_sorted(first, last, RunsBefore{})) {
    std::sort(first, last, RunsBefore{});
    return;
  }
  for (Entry* i = first + 1; i < last; ++i) {
    if (!RunsBefore{}(*i, *(i - 1))) continue;
    const Entry e = *i;
    Entry* j = i;
    do {
      *j = *(j - 1);
      --j;
    } while (j != first && RunsBefore{}(e, *(j - 1)));
    *j = e;
  }
}

bool EventQueue::refill_front() {
  // Precondition: the front is empty (prepare_front() has reset it).
  if (level_mask_ == 0) return false;
  const int level = std::countr_zero(level_mask_);
  const int shift = 8 * level;
  auto& mask = digit_mask_[level];
  int word = 0;
  while (mask[word] == 0) ++word;
  int digit = word * 64 + std::countr_zero(mask[word]);
  Bucket& from = buckets_[level][digit];
  // Every key in the bucket shares its bytes from `level` up; the start of
  // its range is a valid last_ (not above any key), so no pass to find the
  // minimum is needed. Tombstones move like live entries: checking liveness
  // here would touch a cold slot per entry. They are dropped at the front.
  std::uint64_t range_key = from.data[0].time >> shift;
  last_ = range_key << shift;
  if (from.size > kGather && level != 0) {
    // Split: every entry lands on a lower level or, if it equals last_, the
    // front; never in `from`.
    mask[word] &= mask[word] - 1;
    if ((mask[0] | mask[1] | mask[2] | mask[3]) == 0) level_mask_ &= ~(1u << level);
    front_limit_ = last_ + 1;
    for (const Entry& e : from) insert(e);
    from.size = 0;
    release_buffer(from);
    return true;
  }
  // The bucket holds every key in its own range (all lower levels are empty),
  // and so does each following bucket of the same level: gather them while
  // the front stays small, so that one refill serves many events. The front
  // may then take any later push up to the end of the last range gathered,
  // and no further, since the remaining buckets of this level hold later keys.
  bool small_buckets = false;
  if (from.size > kGather) {
    std::swap(front_, from);  // level 0, many equal times: no copy
    mask[word] &= mask[word] - 1;
  } else {
    // Walk the set bits of the digit mask directly, one word at a time, and
    // clear the taken ones at the end of each word.
    if (front_.capacity < kGather) front_.reserve(kGather);
    Entry* out = front_.data.get();
    std::uint32_t room = kGather;
    std::uint32_t buckets = 0;
    for (; word < kDigits / 64; ++word) {
      std::uint64_t bits = mask[word];
      std::uint64_t taken = 0;
      while (bits != 0) {
        const int next = word * 64 + std::countr_zero(bits);
        Bucket& more = buckets_[level][next];
        if (more.size > room) break;
        room -= more.size;
        for (const Entry& e : more) *out++ = e;
        more.size = 0;
        ++buckets;
        range_key = static_cast<std::uint64_t>(next) | (range_key & ~std::uint64_t{0xff});
        taken |= bits & (~bits + 1);
        bits &= bits - 1;
      }
      mask[word] &= ~taken;
      if (bits != 0) break;
    }
    front_.size = kGather - room;
    // Up to 4 entries per bucket on average: nearly sorted already.
    small_buckets = front_.size <= 4 * buckets;
  }
  if ((mask[0] | mask[1] | mask[2] | mask[3]) == 0) level_mask_ &= ~(1u << level);
  front_limit_ = range_key == (UINT64_MAX >> shift) ? UINT64_MAX : (range_key + 1) << shift;
  front_pos_ = 0;
  sort_front(small_buckets);
  const std::uint32_t ahead = std::min(front_.size, kPrefetchAhead);
  for (std::uint32_t i = 0; i < ahead; ++i) prefetch_slot(front_.data[i].slot);
  return true;
}

void EventQueue::rebase(std::uint64_t new_last) {
  scratch_.assign(front_.begin() + front_pos_, front_.end());
  front_.size = 0;
  front_pos_ = 0;
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

void EventQueue::compact() {
  const auto dead = [this](const Entry& e) { return !is_live(e); };
  Entry* const kept = std::remove_if(front_.begin() + front_pos_, front_.end(), dead);
  std::move(front_.begin() + front_pos_, kept, front_.begin());
  front_.size = static_cast<std::uint32_t>(kept - (front_.begin() + front_pos_));
  front_pos_ = 0;
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
