// LogLinearHistogram::encode/decode: the exact byte form the results store keeps.
//
// Layout (all integers LEB128 varints): version (1), count, min, max, sum_lo,
// sum_hi, the number of non-empty buckets, then per bucket the index's gap
// from the previous one and its count. Kept apart from histogram.cpp because
// only storage needs it.
#include <cstdint>

#include "eval/histogram.hpp"

namespace orchsim::eval {
namespace {

constexpr std::uint64_t kCodecVersion = 1;

void put(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads one varint; false at the end of the input or on an overlong one.
bool get(std::string_view& in, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    const auto byte = static_cast<std::uint8_t>(in.front());
    in.remove_prefix(1);
    v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return shift < 63 || byte <= 1;
  }
  return false;
}

}  // namespace

std::string LogLinearHistogram::encode() const {
  std::string out;
  put(out, kCodecVersion);
  put(out, count_);
  put(out, static_cast<std::uint64_t>(min()));
  put(out, static_cast<std::uint64_t>(max()));
  put(out, sum_lo_);
  put(out, sum_hi_);
  std::uint64_t nonempty = 0;
  for (const std::uint64_t c : counts_) nonempty += c != 0 ? 1 : 0;
  put(out, nonempty);
  std::size_t previous = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    if (counts_[i] == 0) continue;
    put(out, i - previous);
    put(out, counts_[i]);
    previous = i;
  }
  return out;
}

std::optional<LogLinearHistogram> LogLinearHistogram::decode(std::string_view in) {
  std::uint64_t version = 0, count = 0, min = 0, max = 0, sum_lo = 0, sum_hi = 0, nonempty = 0;
  if (!get(in, version) || version != kCodecVersion) return std::nullopt;
  if (!get(in, count) || !get(in, min) || !get(in, max) || !get(in, sum_lo) || !get(in, sum_hi) ||
      !get(in, nonempty)) {
    return std::nullopt;
  }
  constexpr auto kMaxValue = static_cast<std::uint64_t>(INT64_MAX);
  if (min > kMaxValue || max > kMaxValue || min > max || nonempty > kBucketCount) {
    return std::nullopt;
  }
  LogLinearHistogram h;
  std::uint64_t index = 0, first = 0, total = 0;
  for (std::uint64_t b = 0; b < nonempty; ++b) {
    std::uint64_t gap = 0, c = 0;
    if (!get(in, gap) || !get(in, c) || c == 0) return std::nullopt;
    if ((b > 0 && gap == 0) || gap >= kBucketCount - index) return std::nullopt;
    index += gap;
    if (b == 0) first = index;
    if (total + c < total) return std::nullopt;
    total += c;
    h.counts_[index] = c;
  }
  if (!in.empty() || total != count) return std::nullopt;
  if (count > 0 && (index_of(static_cast<std::int64_t>(min)) != first ||
                    index_of(static_cast<std::int64_t>(max)) != index)) {
    return std::nullopt;
  }
  h.count_ = count;
  h.min_ = count == 0 ? 0 : static_cast<std::int64_t>(min);
  h.max_ = count == 0 ? 0 : static_cast<std::int64_t>(max);
  h.sum_lo_ = sum_lo;
  h.sum_hi_ = sum_hi;
  return h;
}

}  // namespace orchsim::eval
