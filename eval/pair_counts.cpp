#include "eval/pair_counts.hpp"

#include <utility>

namespace orchsim::eval {

void PairCounts::grow(std::uint64_t row, std::uint64_t col) {
  const std::uint64_t rows = row >= rows_ ? row + 1 : rows_;
  const std::uint64_t cols = col >= cols_ ? col + 1 : cols_;
  std::vector<std::uint64_t> cells(rows * cols, 0);
  for (std::uint64_t r = 0; r < rows_; ++r) {
    for (std::uint64_t c = 0; c < cols_; ++c) cells[r * cols + c] = cells_[r * cols_ + c];
  }
  cells_ = std::move(cells);
  rows_ = rows;
  cols_ = cols;
}

}  // namespace orchsim::eval
