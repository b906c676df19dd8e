// Memory for large append-only buffers that are filled once and read once
// (the trace's events): whole 2 MiB blocks, aligned to 2 MiB and, on Linux,
// offered to the kernel for transparent huge pages (madvise MADV_HUGEPAGE),
// so that filling one takes a single page fault instead of 512. Where huge
// pages are off or refused, it is ordinary memory with ordinary faults: the
// content never depends on it.
//
//   HugeBlock block = allocate_huge_block();   // kHugeBlockBytes, uninitialised
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

// Throws std::bad_alloc when there is no memory.
HugeBlock allocate_huge_block();

}  // namespace orchsim::eval
