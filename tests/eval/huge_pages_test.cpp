#include "eval/huge_pages.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <vector>

namespace orchsim::eval::huge_pages_test {
namespace {

bool aligned(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % kHugeBlockBytes == 0; }

TEST(HugeBlock, IsAlignedToItsSizeAndWritableThroughout) {
  const HugeBlock block = allocate_huge_block();
  ASSERT_NE(block.get(), nullptr);
  EXPECT_TRUE(aligned(block.get()));
  auto* bytes = static_cast<unsigned char*>(block.get());
  std::memset(bytes, 0xab, kHugeBlockBytes);
  EXPECT_EQ(bytes[0], 0xab);
  EXPECT_EQ(bytes[kHugeBlockBytes - 1], 0xab);
}

// More blocks than it keeps ahead: each distinct, aligned, and keeping what
// was written to it while later ones are taken.
TEST(HugeBlockSupply, HandsOutDistinctBlocksThatKeepTheirContent) {
  HugeBlockSupply supply(2);
  std::vector<HugeBlock> blocks;
  std::set<const void*> seen;
  for (int i = 0; i < 7; ++i) {
    blocks.push_back(supply.take());
    ASSERT_NE(blocks.back().get(), nullptr);
    EXPECT_TRUE(aligned(blocks.back().get()));
    EXPECT_TRUE(seen.insert(blocks.back().get()).second) << "block " << i << " handed out twice";
    std::memset(blocks.back().get(), i + 1, kHugeBlockBytes);
  }
  for (int i = 0; i < 7; ++i) {
    const auto* bytes = static_cast<const unsigned char*>(blocks[i].get());
    EXPECT_EQ(bytes[0], i + 1);
    EXPECT_EQ(bytes[kHugeBlockBytes / 2], i + 1);
    EXPECT_EQ(bytes[kHugeBlockBytes - 1], i + 1);
  }
}

// Its blocks outlive it, and one that never handed out a block ends at once.
TEST(HugeBlockSupply, BlocksOutliveTheSupply) {
  HugeBlock kept;
  {
    HugeBlockSupply supply;
    kept = supply.take();
    std::memset(kept.get(), 7, kHugeBlockBytes);
  }
  EXPECT_EQ(static_cast<const unsigned char*>(kept.get())[kHugeBlockBytes - 1], 7);
  { HugeBlockSupply unused; }
}

}  // namespace
}  // namespace orchsim::eval::huge_pages_test
