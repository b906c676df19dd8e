#include "eval/huge_pages.hpp"

#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace orchsim::eval {

void FreeHugeBlock::operator()(void* p) const noexcept { std::free(p); }

HugeBlock allocate_huge_block() {
  void* p = std::aligned_alloc(kHugeBlockBytes, kHugeBlockBytes);
  if (p == nullptr) throw std::bad_alloc();
#if defined(MADV_HUGEPAGE)
  // Advice only: with transparent huge pages off, or none free, the block
  // is faulted in 4 KiB pages as any other memory.
  (void)::madvise(p, kHugeBlockBytes, MADV_HUGEPAGE);
#endif
  return HugeBlock(p);
}

}  // namespace orchsim::eval
