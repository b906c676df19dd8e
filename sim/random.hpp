// Portable, addressable randomness: Philox4x32-10 streams keyed by what a
// draw is about.
//
// A `RandomStream` is the sequence of Philox4x32-10 outputs for one stream id
// under one seed. The id is derived from a tuple of keys (integers or
// strings), so a draw is addressed by its meaning rather than by the order in
// which draws happen. This is what makes common random numbers work: request
// 17's latency at agent "retriever", attempt 2, is the same number under any
// routing policy.
//
//   sim::RandomSource rng(seed);
//   sim::RandomStream s = rng.stream("latency", agent_index, request_id, attempt);
//   double u = s.uniform01();          // [0, 1), 53 random bits
//   std::uint64_t k = s.below(10);     // unbiased integer in [0, 10)
//
// Layout: Philox key = the 64-bit seed; counter = (block, id0, id1, id2) where
// (id0, id1, id2) is a 96-bit hash of the key tuple (collision probability
// for a billion streams ~ 6e-12) and `block` counts 128-bit output blocks, so a
// stream yields 2^33 64-bit values (it throws std::overflow_error after that).
// Everything is integer arithmetic: identical on every compiler and machine.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace orchsim::sim {

// A 96-bit stream identity.
struct StreamId {
  std::array<std::uint32_t, 3> words{};
  friend bool operator==(const StreamId&, const StreamId&) = default;
};

// Stable 64-bit FNV-1a of a string: used to turn names into stream keys.
constexpr std::uint64_t stable_hash(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Builds a StreamId from key parts in order; (1, 2) and (2, 1) and (1, 2, 0)
// all differ.
// Inline: a call's stream id is three adds and a build on the per-call path.
class StreamIdBuilder {
 public:
  StreamIdBuilder& add(std::uint64_t part) { return add(premix(part, count_ + 1)); }

  // The half of add() that depends only on the part and its 1-based position
  // among the keys, not on the keys before it: callers that add a frequent
  // part (an attempt number of 0) at a fixed position may compute it once.
  struct Premixed {
    std::uint64_t a;
    std::uint64_t b;
    std::uint64_t position;
  };
  static constexpr Premixed premix(std::uint64_t part, std::uint64_t position) {
    return {mix64(part + 0x9e3779b97f4a7c15ULL * position),
            mix64(part ^ (0xd1b54a32d192ed03ULL * position)), position};
  }
  // Same as add(part) when p = premix(part, count() + 1).
  StreamIdBuilder& add(const Premixed& p) {
    count_ = p.position;
    a_ = mix64(a_ ^ p.a);
    b_ = mix64(b_ + p.b);
    return *this;
  }
  std::uint64_t count() const { return count_; }
  StreamIdBuilder& add(std::string_view part) { return add(stable_hash(part)); }
  template <class T>
  requires std::is_integral_v<T> || std::is_enum_v<T> StreamIdBuilder& add(T part) {
    return add(static_cast<std::uint64_t>(part));
  }
  StreamId build() const {
    // Fold the length in so a trailing zero key is a different stream.
    const std::uint64_t a = mix64(a_ ^ count_);
    const std::uint64_t b = mix64(b_ + count_);
    return StreamId{{static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(a >> 32),
                     static_cast<std::uint32_t>(b)}};
  }

 private:
  // SplitMix64's finaliser: a bijective avalanche mix.
  static constexpr std::uint64_t mix64(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  std::uint64_t a_ = 0x6a09e667f3bcc908ULL;
  std::uint64_t b_ = 0xbb67ae8584caa73bULL;
  std::uint64_t count_ = 0;
};

class RandomStream {
 public:
  RandomStream(std::uint64_t seed, StreamId id)
      : id_{id.words[0], id.words[1], id.words[2]},
        key_{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)} {}

  // Next 64 random bits.
  std::uint64_t next_u64() {
    if (index_ == kBufferValues) refill();
    return buffer_[index_++];
  }
  // Uniform on [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform on (0, 1): never exactly 0 or 1, safe for log(). 52 bits, so that
  // the largest value, 1 - 2^-53, is exact (with 53 bits it would round to 1).
  double uniform_open01() { return (static_cast<double>(next_u64() >> 12) + 0.5) * 0x1.0p-52; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  // Unbiased integer in [0, n), n > 0 (Lemire's multiply-and-reject).
  std::uint64_t below(std::uint64_t n);
  bool bernoulli(double p) { return uniform01() < p; }

  // 128-bit Philox blocks generated so far (for tests and diagnostics).
  std::uint32_t blocks_generated() const { return next_block_; }

 private:
  // Four blocks are generated at once: the rounds of independent blocks
  // interleave, which is ~3x the throughput of one dependent chain. The
  // output sequence is the same as generating blocks one by one.
  static constexpr unsigned kBlocksPerRefill = 4;
  // Output words 2i and 2i+1 form the i-th 64-bit value (low word first).
  static constexpr unsigned kBufferValues = 2 * kBlocksPerRefill;
  void refill();

  std::uint32_t id_[3];
  std::uint32_t key_[2];
  std::uint32_t next_block_ = 0;
  unsigned index_ = kBufferValues;
  std::uint64_t buffer_[kBufferValues];
};

// The seed of a run; hands out streams by key.
class RandomSource {
 public:
  explicit RandomSource(std::uint64_t seed) : seed_(seed) {}
  std::uint64_t seed() const { return seed_; }

  template <class... Keys>
  RandomStream stream(const Keys&... keys) const {
    StreamIdBuilder b;
    (b.add(keys), ...);
    return RandomStream(seed_, b.build());
  }
  RandomStream stream(StreamId id) const { return RandomStream(seed_, id); }

 private:
  std::uint64_t seed_;
};

// The raw Philox4x32-10 bijection (Salmon et al., SC'11), the project's own
// implementation; tests check it against Random123's known-answer vectors and
// against Random123 itself.
std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> counter,
                                           std::array<std::uint32_t, 2> key);

}  // namespace orchsim::sim
