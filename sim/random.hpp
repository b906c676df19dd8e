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
// A StreamFamily instead has a key of its own (a hash of the seed and its
// name) and puts three words of the address straight into the counter: the
// per-call and per-request streams, opened millions of times, cost no hashing.
// Everything up to the 64-bit values is integer arithmetic: identical on every
// compiler and machine. standard_normal/standard_exponential add one exp or
// log in their rare slow paths and in their tables, so they are as portable as
// the platform's libm (the same holds for every non-uniform distribution).
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace orchsim::sim {

namespace detail {
// One layer of a ziggurat: a sample `magnitude * width` with magnitude below
// `accept` lies wholly under the density and is returned at once.
struct ZigguratLayer {
  std::uint64_t accept;
  double width;
};
// Filled by sim/ziggurat.cpp during static initialisation. Until then they
// are all zero, so every sample takes the slow path, which fills them first:
// a stream used from another file's static initialiser still gets the same
// values.
extern ZigguratLayer kNormalZiggurat[256];
extern ZigguratLayer kExponentialZiggurat[256];
}  // namespace detail

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
// all differ. For the streams opened once per call or per request, a
// StreamFamily (below) costs no hashing at all.
class StreamIdBuilder {
 public:
  StreamIdBuilder& add(std::uint64_t part) {
    ++count_;
    a_ = mix64(a_ ^ mix64(part + 0x9e3779b97f4a7c15ULL * count_));
    b_ = mix64(b_ + mix64(part ^ (0xd1b54a32d192ed03ULL * count_)));
    return *this;
  }
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

  // Standard normal N(0, 1) and standard exponential Exp(1) by the ziggurat
  // method (Marsaglia & Tsang 2000, 256 layers; sim/ziggurat.cpp): one 64-bit
  // draw, a table look-up and a multiply for ~99% of samples; the rest take
  // more draws from this stream (the wedge and tail tests). Same bits in, same
  // value out on every machine with the same libm (the tables are computed
  // once at start-up with exp/log).
  double standard_normal() {
    const std::uint64_t bits = next_u64();
    const unsigned layer = bits & 0xffu;
    const std::uint64_t magnitude = bits >> 12;  // 52 bits; bit 8 is the sign
    if (magnitude < detail::kNormalZiggurat[layer].accept) {
      const double x = static_cast<double>(magnitude) * detail::kNormalZiggurat[layer].width;
      // Bit 8 to the sign bit: the sign is a coin flip, so a branch on it
      // would be mispredicted half the time.
      return std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) ^ ((bits & 0x100u) << 55));
    }
    return standard_normal_slow(bits);
  }
  double standard_exponential() {
    const std::uint64_t bits = next_u64();
    const unsigned layer = bits & 0xffu;
    const std::uint64_t magnitude = bits >> 11;  // 53 bits
    if (magnitude < detail::kExponentialZiggurat[layer].accept) {
      return static_cast<double>(magnitude) * detail::kExponentialZiggurat[layer].width;
    }
    return standard_exponential_slow(bits);
  }

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
  double standard_normal_slow(std::uint64_t bits);
  double standard_exponential_slow(std::uint64_t bits);

  std::uint32_t id_[3];
  std::uint32_t key_[2];
  std::uint32_t next_block_ = 0;
  unsigned index_ = kBufferValues;
  std::uint64_t buffer_[kBufferValues];
};

// A family of streams under one Philox key of its own, addressed by three
// 32-bit words placed straight in the counter: distinct addresses are
// distinct streams by construction (Philox is a bijection for each key), and
// opening one costs no hashing. For the streams opened once per call or per
// request; RandomSource::stream hashes any key tuple instead.
//
//   sim::StreamFamily calls = rng.family("call", agent_name);    // once
//   sim::RandomStream s = calls.stream(request, attempt, variant);  // per call
class StreamFamily {
 public:
  RandomStream stream(std::uint32_t a, std::uint32_t b, std::uint32_t c) const {
    return RandomStream(key_, StreamId{{a, b, c}});
  }
  friend bool operator==(const StreamFamily&, const StreamFamily&) = default;

 private:
  friend class RandomSource;
  explicit StreamFamily(std::uint64_t key) : key_(key) {}
  std::uint64_t key_;
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

  // The family named by `keys` under this seed. Its Philox key is a 64-bit
  // hash of (seed, "family", keys...): two families, or a family and the
  // seed-keyed streams above, share a key with probability ~2^-64.
  template <class... Keys>
  StreamFamily family(const Keys&... keys) const {
    StreamIdBuilder b;
    b.add(seed_).add("family");
    (b.add(keys), ...);
    const StreamId id = b.build();
    return StreamFamily(id.words[0] | (std::uint64_t{id.words[1]} << 32));
  }

 private:
  std::uint64_t seed_;
};

// The raw Philox4x32-10 bijection (Salmon et al., SC'11), the project's own
// implementation; tests check it against Random123's known-answer vectors and
// against Random123 itself.
std::array<std::uint32_t, 4> philox4x32_10(std::array<std::uint32_t, 4> counter,
                                           std::array<std::uint32_t, 2> key);

}  // namespace orchsim::sim
