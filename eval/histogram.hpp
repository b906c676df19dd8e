// A mergeable log-linear histogram of non-negative 64-bit values (nanoseconds).
//
// Contract: values 0..255 are counted exactly; above that every power of two
// [2^e, 2^(e+1)) is split into 128 equal sub-buckets, so a bucket is at most
// 1/128 of its lower bound wide. A quantile interpolates linearly by rank
// within its bucket (the values in a bucket taken as spread evenly over it)
// and is clamped to the exact min and max, so it is within kRelativeError
// (1/128, 0.8%) of the nearest-rank answer, across the whole int64 range. It
// moves smoothly with the data: quantiles of replications that fall in one
// bucket still differ, and intervals over them do not collapse to a point.
// count(), min(), max() and mean() are exact (the sum is a 128-bit integer).
// Negative values are recorded as 0.
//
// Cost: 7,296 buckets of 8 bytes (57 KB), allocated once by the constructor;
// record() is a few integer operations and never allocates; quantile() walks
// the buckets (O(buckets)). merge() adds bucket by bucket, so the merge of two
// histograms equals the histogram of the concatenated samples. Not thread-safe:
// one histogram per thread, merged in a fixed order.
//
//   LogLinearHistogram h;
//   h.record(latency.count_ns());
//   other_replication.merge(h);
//   double p99_ns = h.quantile(0.99);
//   for (const auto& b : h.buckets()) plot(b.lo, b.hi, b.count);
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace orchsim::eval {

class LogLinearHistogram {
 public:
  // Sub-buckets per power of two = 2^kSubBucketBits.
  static constexpr int kSubBucketBits = 7;
  static constexpr std::int64_t kSubBuckets = std::int64_t{1} << kSubBucketBits;  // 128
  // Values below this are counted exactly, one bucket per value.
  static constexpr std::int64_t kLinearLimit = 2 * kSubBuckets;  // 256
  // Bound on |quantile() − nearest-rank value| / value, from the bucket width.
  static constexpr double kRelativeError = 1.0 / static_cast<double>(kSubBuckets);
  static constexpr std::size_t kBucketCount =
      static_cast<std::size_t>(kLinearLimit + (62 - kSubBucketBits) * kSubBuckets);

  // One bucket: the values lo..hi (both inclusive) and how many were recorded.
  struct Bucket {
    std::int64_t lo;
    std::int64_t hi;
    std::uint64_t count;
    friend bool operator==(const Bucket&, const Bucket&) = default;
  };

  LogLinearHistogram();

  void record(std::int64_t value, std::uint64_t count = 1) {
    if (count == 0) return;
    if (value < 0) value = 0;
    counts_[index_of(value)] += count;
    if (count_ == 0 || value < min_) min_ = value;
    if (count_ == 0 || value > max_) max_ = value;
    count_ += count;
    add_to_sum(static_cast<std::uint64_t>(value), count);
  }
  void merge(const LogLinearHistogram& other);
  void reset();

  std::uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  // Exact; 0 when empty.
  std::int64_t min() const { return count_ == 0 ? 0 : min_; }
  std::int64_t max() const { return count_ == 0 ? 0 : max_; }
  // The exact integer sum divided by count, in double; 0 when empty.
  double mean() const;
  // Nearest rank r = ceil(q * count): the bucket holding the r-th smallest
  // value, and within it lo + (r − before − 1/2) / n · width, where `before`
  // values lie in lower buckets and n in this one; clamped to [min, max].
  // Exact below 256. q <= 0 gives min() and q >= 1 gives max() exactly; 0 when
  // empty. ceil() forgives a relative 1e-12 so that 0.99 * 100 is rank 99.
  double quantile(double q) const;
  // How many recorded values were exactly 0 (0 is a bucket of its own).
  std::uint64_t zeros() const { return counts_[0]; }
  // The rank quantile(q) looks for, in 1..count (0 when count is 0).
  static std::uint64_t rank_for(double q, std::uint64_t count);

  // Non-empty buckets in increasing value order.
  std::vector<Bucket> buckets() const;
  // The bucket a value falls in, and its range; exposed for tests and plots.
  static std::size_t index_of(std::int64_t value) {
    if (value < kLinearLimit) return static_cast<std::size_t>(value);
    const int e = 63 - __builtin_clzll(static_cast<unsigned long long>(value));  // >= 8
    const int shift = e - kSubBucketBits;
    const std::int64_t sub = (value >> shift) - kSubBuckets;  // 0..127
    return static_cast<std::size_t>(kLinearLimit + (e - kSubBucketBits - 1) * kSubBuckets + sub);
  }
  static Bucket bucket_range(std::size_t index);

  friend bool operator==(const LogLinearHistogram& a, const LogLinearHistogram& b);

  // An exact, compact encoding (non-empty buckets, count, min, max and the
  // 128-bit sum as varints, ~2 bytes a bucket): how the results store keeps a
  // task's latencies, so that histograms merged from the store equal those
  // merged in memory. decode(encode(h)) == h; decode() gives nullopt for bytes
  // that are not an encoding (unknown version, bucket out of range, counts
  // that do not add up, trailing bytes).
  std::string encode() const;
  static std::optional<LogLinearHistogram> decode(std::string_view bytes);

 private:
  void add_to_sum(std::uint64_t value, std::uint64_t count) {
    // 128-bit sum as two 64-bit halves: value * count fits in 127 bits.
    __extension__ using Uint128 = unsigned __int128;
    const Uint128 product = static_cast<Uint128>(value) * count;
    const std::uint64_t lo = static_cast<std::uint64_t>(product);
    const std::uint64_t hi = static_cast<std::uint64_t>(product >> 64);
    sum_lo_ += lo;
    sum_hi_ += hi + (sum_lo_ < lo ? 1 : 0);
  }

  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
  std::uint64_t sum_lo_ = 0;
  std::uint64_t sum_hi_ = 0;
};

}  // namespace orchsim::eval
