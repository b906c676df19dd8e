#include "eval/pair_counts.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace orchsim::eval {

void PairCounts::grow(std::uint64_t row, std::uint64_t col) {
  if (row >= kMaxIndex || col >= kMaxIndex) {
    throw std::out_of_range("PairCounts: index (" + std::to_string(row) + ", " +
                            std::to_string(col) + ") beyond " + std::to_string(kMaxIndex));
  }
  grow_to(row < rows_ ? rows_ : std::max(row + 1, 2 * rows_),
          col < cols_ ? cols_ : std::max(col + 1, 2 * cols_));
}

void PairCounts::grow_to(std::uint64_t rows, std::uint64_t cols) {
  rows = std::max(rows, rows_);
  cols = std::max(cols, cols_);
  std::vector<std::uint64_t> cells(rows * cols, 0);
  for (std::uint64_t r = 0; r < rows_; ++r) {
    for (std::uint64_t c = 0; c < cols_; ++c) cells[r * cols + c] = cells_[r * cols_ + c];
  }
  cells_ = std::move(cells);
  rows_ = rows;
  cols_ = cols;
}

}  // namespace orchsim::eval
