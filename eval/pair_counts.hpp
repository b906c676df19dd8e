// Counts keyed by a pair of small indices (node -> node edges, node -> agent
// routing choices), stored as a dense grid that grows on demand.
//
//   PairCounts edges;
//   edges.add(0, 3);                        // O(1): an index, no tree search
//   edges.count(0, 3);                      // 1
//   edges.for_each([](auto row, auto col, auto n) { ... });  // (row, col) ascending
//
// Replaces a std::map<pair, count> on the per-event path: the keys are indices
// into a workflow's nodes and agents (tens, not millions), so a grid is small,
// and iterating it row by row visits the non-zero cells in exactly the order
// the map did.
#pragma once

#include <cstdint>
#include <vector>

namespace orchsim::eval {

class PairCounts {
 public:
  // Indices are workflow nodes and agents: anything this large is a bug (a
  // sentinel passed as an index), reported instead of allocated.
  static constexpr std::uint64_t kMaxIndex = std::uint64_t{1} << 16;

  PairCounts() = default;
  // Sized for the expected indices up front, so the event path never grows it.
  PairCounts(std::uint64_t rows, std::uint64_t cols) { grow_to(rows, cols); }

  void add(std::uint64_t row, std::uint64_t col) {
    if (row >= rows_ || col >= cols_) grow(row, col);
    ++cells_[row * cols_ + col];
  }
  std::uint64_t count(std::uint64_t row, std::uint64_t col) const {
    return row < rows_ && col < cols_ ? cells_[row * cols_ + col] : 0;
  }
  // Calls f(row, col, count) for every non-zero cell, row-major.
  template <class F>
  void for_each(F&& f) const {
    for (std::uint64_t r = 0; r < rows_; ++r) {
      for (std::uint64_t c = 0; c < cols_; ++c) {
        if (const std::uint64_t n = cells_[r * cols_ + c]) f(r, c, n);
      }
    }
  }

 private:
  // Out of line so that add() stays small enough to inline at every event.
  // Makes (row, col) a cell, at least doubling a dimension that grows; throws
  // std::out_of_range past kMaxIndex.
  void grow(std::uint64_t row, std::uint64_t col);
  void grow_to(std::uint64_t rows, std::uint64_t cols);

  std::uint64_t rows_ = 0, cols_ = 0;
  std::vector<std::uint64_t> cells_;
};

}  // namespace orchsim::eval
