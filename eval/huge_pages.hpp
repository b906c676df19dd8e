// Memory for large append-only buffers that are filled once and read once
// (the trace's events): whole 2 MiB blocks, aligned to 2 MiB and, on Linux,
// offered to the kernel for transparent huge pages (madvise MADV_HUGEPAGE),
// so that filling one takes a single page fault instead of 512. Where huge
// pages are off or refused, it is ordinary memory with ordinary faults: the
// content never depends on it.
//
//   HugeBlockSupply supply;                 // faults blocks in ahead, on its own thread
//   HugeBlock block = supply.take();        // kHugeBlockBytes, contents unspecified
//   auto* events = static_cast<Event*>(block.get());
#pragma once

#include <cstddef>
#include <memory>

namespace orchsim::eval {

inline constexpr std::size_t kHugeBlockBytes = std::size_t{2} << 20;

struct FreeHugeBlock {
  void operator()(void* p) const noexcept;
};
using HugeBlock = std::unique_ptr<void, FreeHugeBlock>;

// A block as it comes from the allocator, not yet faulted in. Throws
// std::bad_alloc when there is no memory.
HugeBlock allocate_huge_block();

// Hands out blocks that a helper thread has already faulted in: the kernel
// zeroes each page (a 2 MiB huge page at once) when it is first written, on
// the writing thread, which is what this takes off the thread that fills
// the blocks. Keeps `ahead` blocks ready; take() waits only when its caller
// fills blocks faster than the helper faults them in. The helper starts at
// the first take(). Use from one thread.
class HugeBlockSupply {
 public:
  explicit HugeBlockSupply(std::size_t ahead = 2);
  ~HugeBlockSupply();
  HugeBlockSupply(const HugeBlockSupply&) = delete;
  HugeBlockSupply& operator=(const HugeBlockSupply&) = delete;

  // Throws std::bad_alloc when there is no memory.
  HugeBlock take();

 private:
  struct Helper;  // its thread and the blocks it has ready (huge_pages.cpp)
  std::unique_ptr<Helper> helper_;
  std::size_t ahead_;
};

}  // namespace orchsim::eval
