#include "eval/pair_counts.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

#include "sim/random.hpp"

namespace orchsim::eval::pair_counts_test {
namespace {

TEST(PairCounts, CountsLikeAMapAndVisitsCellsInTheMapsOrderAcrossGrowth) {
  // Random pairs, with the grid growing in rows and columns as it goes:
  // every count and the iteration order must be those of a std::map.
  PairCounts grid;
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::uint64_t> model;
  auto rng = sim::RandomSource(4).stream("pair-counts");
  for (int i = 0; i < 5000; ++i) {
    const std::uint64_t row = rng.below(1 + static_cast<std::uint64_t>(i) / 400);
    const std::uint64_t col = rng.below(1 + static_cast<std::uint64_t>(i) / 300);
    grid.add(row, col);
    ++model[{row, col}];
  }
  std::vector<std::pair<std::pair<std::uint64_t, std::uint64_t>, std::uint64_t>> visited;
  grid.for_each([&](std::uint64_t r, std::uint64_t c, std::uint64_t n) {
    visited.push_back({{r, c}, n});
  });
  const std::vector<std::pair<std::pair<std::uint64_t, std::uint64_t>, std::uint64_t>> expected(
      model.begin(), model.end());
  EXPECT_EQ(visited, expected);
  for (const auto& [key, n] : model) EXPECT_EQ(grid.count(key.first, key.second), n);
  EXPECT_EQ(grid.count(1000, 0), 0u);  // outside the grid
  EXPECT_EQ(grid.count(0, 1000), 0u);
}

TEST(PairCounts, APresizedGridCountsTheSameAndAnAbsurdIndexIsAnErrorNotAnAllocation) {
  PairCounts sized(3, 2);
  PairCounts grown;
  for (const auto& [r, c] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
           {2, 1}, {0, 0}, {2, 1}, {5, 0}, {1, 7}}) {
    sized.add(r, c);
    grown.add(r, c);
  }
  std::vector<std::uint64_t> a, b;
  sized.for_each([&](std::uint64_t r, std::uint64_t c, std::uint64_t n) {
    a.insert(a.end(), {r, c, n});
  });
  grown.for_each([&](std::uint64_t r, std::uint64_t c, std::uint64_t n) {
    b.insert(b.end(), {r, c, n});
  });
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, (std::vector<std::uint64_t>{0, 0, 1, 1, 7, 1, 2, 1, 2, 5, 0, 1}));
  EXPECT_THROW(grown.add(0xffffffffu, 0), std::out_of_range);
  EXPECT_THROW(grown.add(0, PairCounts::kMaxIndex), std::out_of_range);
  EXPECT_EQ(grown.count(2, 1), 2u);  // unchanged by the refused adds
}

}  // namespace
}  // namespace orchsim::eval::pair_counts_test
