#include "sim/random.hpp"

#include <stdexcept>


namespace orchsim::sim {

namespace {
__extension__ typedef unsigned __int128 u128;  // g++/clang built-in; -Wpedantic-clean

// SplitMix64's finaliser: a bijective avalanche mix.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

StreamIdBuilder& StreamIdBuilder::add(std::uint64_t part) {
  ++count_;
  a_ = mix64(a_ ^ mix64(part + 0x9e3779b97f4a7c15ULL * count_));
  b_ = mix64(b_ + mix64(part ^ (0xd1b54a32d192ed03ULL * count_)));
  return *this;
}

StreamId StreamIdBuilder::build() const {
  // Fold the length in so a trailing zero key is a different stream.
  const std::uint64_t a = mix64(a_ ^ count_);
  const std::uint64_t b = mix64(b_ + count_);
  return StreamId{{static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(a >> 32),
                   static_cast<std::uint32_t>(b)}};
}

RandomStream::RandomStream(std::uint64_t seed, StreamId id)
    : id_{id.words[0], id.words[1], id.words[2]},
      key_{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)} {}

namespace {
constexpr std::uint32_t kMul0 = 0xD2511F53;
constexpr std::uint32_t kMul1 = 0xCD9E8D57;
constexpr std::uint32_t kWeyl0 = 0x9E3779B9;
constexpr std::uint32_t kWeyl1 = 0xBB67AE85;

// Runs the 10 Philox rounds on `kLanes` blocks side by side. Written lane-wise
// so the compiler interleaves (or vectorises) the independent multiply chains.
template <unsigned kLanes>
void philox_lanes(std::uint32_t (&x)[4][kLanes], std::uint32_t k0, std::uint32_t k1) {
  for (int round = 0; round < 10; ++round) {
    for (unsigned l = 0; l < kLanes; ++l) {
      const std::uint64_t p0 = std::uint64_t{kMul0} * x[0][l];
      const std::uint64_t p1 = std::uint64_t{kMul1} * x[2][l];
      const auto hi0 = static_cast<std::uint32_t>(p0 >> 32);
      const auto lo0 = static_cast<std::uint32_t>(p0);
      const auto hi1 = static_cast<std::uint32_t>(p1 >> 32);
      const auto lo1 = static_cast<std::uint32_t>(p1);
      const std::uint32_t x1 = x[1][l];
      const std::uint32_t x3 = x[3][l];
      x[0][l] = hi1 ^ x1 ^ k0;
      x[1][l] = lo1;
      x[2][l] = hi0 ^ x3 ^ k1;
      x[3][l] = lo0;
    }
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
}
}  // namespace

void RandomStream::refill() {
  if (next_block_ > UINT32_MAX - kBlocksPerRefill) {
    throw std::overflow_error("RandomStream: stream exhausted (2^33 draws)");
  }
  std::uint32_t x[4][kBlocksPerRefill];
  for (unsigned l = 0; l < kBlocksPerRefill; ++l) {
    x[0][l] = next_block_ + l;
    x[1][l] = id_[0];
    x[2][l] = id_[1];
    x[3][l] = id_[2];
  }
  philox_lanes(x, key_[0], key_[1]);
  for (unsigned l = 0; l < kBlocksPerRefill; ++l) {
    for (unsigned w = 0; w < 4; ++w) buffer_[4 * l + w] = x[w][l];
  }
  next_block_ += kBlocksPerRefill;
  index_ = 0;
}

std::uint64_t RandomStream::below(std::uint64_t n) {
  // Lemire, "Fast Random Integer Generation in an Interval" (2019).
  u128 m = static_cast<u128>(next_u64()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<u128>(next_u64()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> counter,
                                           std::array<std::uint32_t, 2> key) {
  std::uint32_t x[4][1] = {{counter[0]}, {counter[1]}, {counter[2]}, {counter[3]}};
  philox_lanes(x, key[0], key[1]);
  return {x[0][0], x[1][0], x[2][0], x[3][0]};
}

}  // namespace orchsim::sim
