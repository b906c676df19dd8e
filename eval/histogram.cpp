#include "eval/histogram.hpp"

#include <algorithm>
#include <cmath>

namespace orchsim::eval {

LogLinearHistogram::LogLinearHistogram() : counts_(kBucketCount, 0) {}

void LogLinearHistogram::merge(const LogLinearHistogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  if (count_ == 0 || other.min_ < min_) min_ = other.min_;
  if (count_ == 0 || other.max_ > max_) max_ = other.max_;
  count_ += other.count_;
  sum_lo_ += other.sum_lo_;
  sum_hi_ += other.sum_hi_ + (sum_lo_ < other.sum_lo_ ? 1 : 0);
}

void LogLinearHistogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  min_ = max_ = 0;
  sum_lo_ = sum_hi_ = 0;
}

double LogLinearHistogram::mean() const {
  if (count_ == 0) return 0.0;
  const double sum = static_cast<double>(sum_hi_) * 0x1.0p64 + static_cast<double>(sum_lo_);
  return sum / static_cast<double>(count_);
}

std::uint64_t LogLinearHistogram::rank_for(double q, std::uint64_t count) {
  if (count == 0) return 0;
  if (!(q > 0.0)) return 1;  // also NaN
  if (q >= 1.0) return count;
  const double x = q * static_cast<double>(count);
  const auto rank = static_cast<std::uint64_t>(std::ceil(x - x * 1e-12));
  return std::clamp<std::uint64_t>(rank, 1, count);
}

LogLinearHistogram::Bucket LogLinearHistogram::bucket_range(std::size_t index) {
  if (index < static_cast<std::size_t>(kLinearLimit)) {
    const auto v = static_cast<std::int64_t>(index);
    return {v, v, 0};
  }
  const auto k = static_cast<std::int64_t>(index) - kLinearLimit;
  const std::int64_t e = k / kSubBuckets + kSubBucketBits + 1;
  const std::int64_t sub = k % kSubBuckets;
  const std::int64_t shift = e - kSubBucketBits;
  const std::int64_t lo = (kSubBuckets + sub) << shift;
  const std::int64_t width_minus_one = (std::int64_t{1} << shift) - 1;
  return {lo, lo + width_minus_one, 0};
}

double LogLinearHistogram::quantile(double q) const {
  if (count_ == 0) return 0.0;
  const std::uint64_t rank = rank_for(q, count_);
  if (rank <= 1) return static_cast<double>(min_);
  if (rank >= count_) return static_cast<double>(max_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    if (seen + counts_[i] < rank) {
      seen += counts_[i];
      continue;
    }
    const Bucket b = bucket_range(i);
    if (b.lo == b.hi) return static_cast<double>(b.lo);
    const double width = static_cast<double>(b.hi - b.lo + 1);
    const double within =
        (static_cast<double>(rank - seen) - 0.5) / static_cast<double>(counts_[i]);
    const double v = static_cast<double>(b.lo) + within * width;
    return std::clamp(v, static_cast<double>(min_), static_cast<double>(max_));
  }
  return static_cast<double>(max_);  // unreachable: the counts add up to count_
}

std::vector<LogLinearHistogram::Bucket> LogLinearHistogram::buckets() const {
  std::vector<Bucket> out;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    if (counts_[i] == 0) continue;
    Bucket b = bucket_range(i);
    b.count = counts_[i];
    out.push_back(b);
  }
  return out;
}

bool operator==(const LogLinearHistogram& a, const LogLinearHistogram& b) {
  return a.count_ == b.count_ && a.min() == b.min() && a.max() == b.max() &&
         a.sum_lo_ == b.sum_lo_ && a.sum_hi_ == b.sum_hi_ && a.counts_ == b.counts_;
}

}  // namespace orchsim::eval
