// A move-only `void()` callable with inline storage, used for event callbacks.
//
// The event loop stores one of these per pending event. Callables up to
// `kInlineBytes` (enough for `this` plus three ids) live inside the object, so
// scheduling an event allocates nothing; larger ones fall back to the heap.
//
//   sim::InlineFunction f = [this, id] { on_timeout(id); };
//   f();
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace orchsim::sim {

class InlineFunction {
 public:
  static constexpr std::size_t kInlineBytes = 32;

  InlineFunction() = default;

  template <class F, class D = std::decay_t<F>,
            class = std::enable_if_t<!std::is_same_v<D, InlineFunction> && std::is_invocable_v<D&>>>
  InlineFunction(F&& f) {  // NOLINT(google-explicit-constructor): callables convert implicitly
    construct<D>(std::forward<F>(f));
  }

  // Replaces the held callable, constructing the new one in place (no move of
  // the callable itself: this is how the event queue fills its slots).
  template <class F, class D = std::decay_t<F>>
  void emplace(F&& f) {
    reset();
    if constexpr (std::is_same_v<D, InlineFunction>) {
      *this = std::move(f);
    } else {
      construct<D>(std::forward<F>(f));
    }
  }

  // emplace() for an object known to be empty (the event queue's free
  // slots): skips the check for a callable to destroy first.
  template <class F, class D = std::decay_t<F>>
  void emplace_empty(F&& f) {
    if constexpr (std::is_same_v<D, InlineFunction>) {
      *this = std::move(f);
    } else {
      construct<D>(std::forward<F>(f));
    }
  }

  InlineFunction(InlineFunction&& o) noexcept : ops_(o.ops_) {
    if (ops_) {
      ops_->move(o.storage_, storage_);
      o.ops_ = nullptr;
    }
  }
  InlineFunction& operator=(InlineFunction&& o) noexcept {
    if (this != &o) {
      reset();
      ops_ = o.ops_;
      if (ops_) {
        ops_->move(o.storage_, storage_);
        o.ops_ = nullptr;
      }
    }
    return *this;
  }
  InlineFunction(const InlineFunction&) = delete;
  InlineFunction& operator=(const InlineFunction&) = delete;
  ~InlineFunction() { reset(); }

  void operator()() { ops_->invoke(storage_); }
  explicit operator bool() const { return ops_ != nullptr; }

  // Calls the callable once and destroys it, leaving *this empty: one
  // indirect call instead of two, for the event loop. Must not be empty. If
  // the call throws, the callable is kept (and destroyed later as usual).
  void invoke_once() {
    ops_->invoke_destroy(storage_);
    ops_ = nullptr;
  }

  void reset() {
    if (ops_) {
      ops_->destroy(storage_);
      ops_ = nullptr;
    }
  }

  template <class D>
  static constexpr bool fits_inline() {
    return sizeof(D) <= kInlineBytes && alignof(D) <= alignof(std::uint64_t) &&
           std::is_nothrow_move_constructible_v<D>;
  }

 private:
  template <class D, class F>
  void construct(F&& f) {
    if constexpr (fits_inline<D>()) {
      ::new (static_cast<void*>(storage_)) D(std::forward<F>(f));
      ops_ = &kInlineOps<D>;
    } else {
      ::new (static_cast<void*>(storage_)) D*(new D(std::forward<F>(f)));
      ops_ = &kHeapOps<D>;
    }
  }

  struct Ops {
    void (*invoke)(void*);
    void (*invoke_destroy)(void*);       // invoke, then destroy (skipped if invoke throws)
    void (*move)(void* from, void* to);  // move-constructs into `to`, destroys `from`
    void (*destroy)(void*);
  };

  template <class D>
  static constexpr Ops kInlineOps = {
      [](void* p) { (*static_cast<D*>(p))(); },
      [](void* p) {
        (*static_cast<D*>(p))();
        if constexpr (!std::is_trivially_destructible_v<D>) static_cast<D*>(p)->~D();
      },
      [](void* from, void* to) {
        ::new (to) D(std::move(*static_cast<D*>(from)));
        static_cast<D*>(from)->~D();
      },
      [](void* p) { static_cast<D*>(p)->~D(); },
  };

  template <class D>
  static constexpr Ops kHeapOps = {
      [](void* p) { (**static_cast<D**>(p))(); },
      [](void* p) {
        (**static_cast<D**>(p))();
        delete *static_cast<D**>(p);
      },
      [](void* from, void* to) { ::new (to) D*(*static_cast<D**>(from)); },
      [](void* p) { delete *static_cast<D**>(p); },
  };

  // 8-byte alignment keeps an event slot at 48 bytes; callables needing more
  // alignment go to the heap.
  alignas(std::uint64_t) std::byte storage_[kInlineBytes];
  const Ops* ops_ = nullptr;
};

}  // namespace orchsim::sim
