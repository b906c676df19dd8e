// A pool of reusable slots with typed, generation-checked handles: the one
// way the orchestrator refers to its requests, steps and attempts from
// timers and agent callbacks. A handle to a slot that has since been
// released (and maybe reused) is detected, never followed.
//
//   SlotPool<Step> steps;
//   Handle<Step> h = steps.acquire();        // a reset slot, live
//   sim.schedule_after(delay, [this, h] { if (Step* s = steps.get(h)) on_timer(*s); });
//   steps.release(h);                         // later get(h) returns nullptr
//
// Each slot is an allocation of its own, made once when the pool grows, so a
// reference to a slot stays valid while other slots are acquired (the
// orchestrator acquires steps and attempts while it holds references to
// others), and finding a slot is two loads: handles are followed dozens of
// times a request, and a chunked layout's shift, mask and multiply on each
// cost ~6% of a run. A slot keeps its value's buffers across reuse:
// acquire() calls T::reset(), which should clear without freeing. Released
// slots are reused last-in first-out. Not thread-safe.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

namespace orchsim::orchestration {

template <class T>
struct Handle {
  static constexpr std::uint32_t kNoIndex = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t index = kNoIndex;
  std::uint32_t generation = 0;

  bool valid() const { return index != kNoIndex; }
  // 64 bits for an agent's call tag: generation above, index below.
  std::uint64_t tag() const { return (std::uint64_t{generation} << 32) | index; }
  static Handle from_tag(std::uint64_t tag) {
    return {static_cast<std::uint32_t>(tag), static_cast<std::uint32_t>(tag >> 32)};
  }
  friend bool operator==(Handle, Handle) = default;
};

template <class T>
class SlotPool {
 public:
  Handle<T> acquire() {
    std::uint32_t i;
    if (!free_.empty()) {
      i = free_.back();
      free_.pop_back();
    } else {
      i = size_++;
      slots_.push_back(std::make_unique<Slot>());
    }
    Slot& s = *slots_[i];
    s.value.reset();
    s.live = true;
    ++s.generation;
    return {i, s.generation};
  }
  void release(Handle<T> h) {
    Slot& s = *slots_[h.index];
    if (!s.live || s.generation != h.generation) return;
    s.live = false;
    free_.push_back(h.index);
  }
  // The live slot the handle names, or nullptr when it was released.
  T* get(Handle<T> h) {
    if (h.index >= size_) return nullptr;
    Slot& s = *slots_[h.index];
    return s.live && s.generation == h.generation ? &s.value : nullptr;
  }
  // A handle the caller knows is live.
  T& operator[](Handle<T> h) { return slots_[h.index]->value; }
  const T& operator[](Handle<T> h) const { return slots_[h.index]->value; }
  std::size_t live() const { return size_ - free_.size(); }

 private:
  struct Slot {
    T value;
    std::uint32_t generation = 0;
    bool live = false;
  };

  std::vector<std::unique_ptr<Slot>> slots_;
  std::uint32_t size_ = 0;  // slots_.size(), kept: get() compares with it
  std::vector<std::uint32_t> free_;
};

// A request's own small pool (its flows, its join groups): slots by index,
// stable while others are added (one allocation each, as in SlotPool), all
// freed at once by clear() and reused from index 0 up, buffers kept. No
// generations: a request's timers carry the request's handle, and the
// slot's own `active` flag says the rest.
template <class T>
class IndexPool {
 public:
  std::uint32_t acquire() {
    std::uint32_t i;
    if (!free_.empty()) {
      i = free_.back();
      free_.pop_back();
    } else {
      i = static_cast<std::uint32_t>(items_.size());
      items_.push_back(std::make_unique<T>());
    }
    items_[i]->reset();
    return i;
  }
  void release(std::uint32_t i) { free_.push_back(i); }
  void clear() {
    free_.clear();
    for (std::size_t i = items_.size(); i-- > 0;) free_.push_back(static_cast<std::uint32_t>(i));
  }
  T& operator[](std::uint32_t i) { return *items_[i]; }
  const T& operator[](std::uint32_t i) const { return *items_[i]; }

 private:
  std::vector<std::unique_ptr<T>> items_;
  std::vector<std::uint32_t> free_;
};

}  // namespace orchsim::orchestration
