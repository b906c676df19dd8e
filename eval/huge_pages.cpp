#include "eval/huge_pages.hpp"

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <new>
#include <thread>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace orchsim::eval {
namespace {

// Writes one byte a 4 KiB page, so that every page is faulted in (a read
// would map the shared zero page instead).
void fault_in(void* block) {
  auto* bytes = static_cast<volatile unsigned char*>(block);
  for (std::size_t at = 0; at < kHugeBlockBytes; at += 4096) bytes[at] = 0;
}

}  // namespace

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

struct HugeBlockSupply::Helper {
  explicit Helper(std::size_t blocks_ahead) : ahead(blocks_ahead), thread([this] { run(); }) {}
  ~Helper() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    wanted.notify_one();
    thread.join();
  }

  void run() {
    std::unique_lock lock(mutex);
    for (;;) {
      wanted.wait(lock, [this] { return stopping || blocks.size() < ahead; });
      if (stopping) return;
      lock.unlock();
      HugeBlock block;
      try {
        block = allocate_huge_block();
        fault_in(block.get());
      } catch (const std::bad_alloc&) {
        lock.lock();
        failed = true;
        ready.notify_one();
        return;
      }
      lock.lock();
      blocks.push_back(std::move(block));
      ready.notify_one();
    }
  }

  const std::size_t ahead;
  std::mutex mutex;
  std::condition_variable wanted, ready;
  std::deque<HugeBlock> blocks;  // faulted in, waiting to be taken
  bool failed = false;           // it could not allocate: take() allocates itself
  bool stopping = false;
  std::thread thread;  // last: starts after, and is joined before, the rest
};

HugeBlockSupply::HugeBlockSupply(std::size_t ahead) : ahead_(ahead == 0 ? 1 : ahead) {}
HugeBlockSupply::~HugeBlockSupply() = default;

HugeBlock HugeBlockSupply::take() {
  if (!helper_) helper_ = std::make_unique<Helper>(ahead_);
  Helper& h = *helper_;
  std::unique_lock lock(h.mutex);
  h.ready.wait(lock, [&h] { return !h.blocks.empty() || h.failed; });
  if (h.blocks.empty()) {  // the helper ran out of memory: try here, throw here
    lock.unlock();
    return allocate_huge_block();
  }
  HugeBlock block = std::move(h.blocks.front());
  h.blocks.pop_front();
  h.wanted.notify_one();
  return block;
}

}  // namespace orchsim::eval
