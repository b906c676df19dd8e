#include "sim/random.hpp"

#include <stdexcept>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define ORCHSIM_PHILOX_AVX2 1
#endif

namespace orchsim::sim {

namespace {
__extension__ typedef unsigned __int128 u128;  // g++/clang built-in; -Wpedantic-clean
}  // namespace

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

#ifdef __SSE2__
// The same rounds on four blocks with SSE2, two blocks per register: each
// 32-bit word sits in the low half of a 64-bit lane, which is what
// _mm_mul_epu32 multiplies, giving the full 64-bit product. The high halves
// of the lanes hold garbage that never reaches a low half (xor is lane-wise,
// the multiply ignores them, the shift moves product bits down), so no
// masking is needed: ~3x fewer instructions than scalar, identical bits.
void philox4_sse2(std::uint32_t block, const std::uint32_t (&id)[3], std::uint32_t k0,
                  std::uint32_t k1, std::uint64_t (&out)[8]) {
  const __m128i m0 = _mm_set1_epi64x(kMul0);
  const __m128i m1 = _mm_set1_epi64x(kMul1);
  // Register a holds blocks (block, block+1), register b (block+2, block+3).
  __m128i a0 = _mm_set_epi64x(block + 1, block);
  __m128i b0 = _mm_set_epi64x(block + 3, block + 2);
  __m128i a1 = _mm_set1_epi64x(id[0]);
  __m128i a2 = _mm_set1_epi64x(id[1]);
  __m128i a3 = _mm_set1_epi64x(id[2]);
  __m128i b1 = a1, b2 = a2, b3 = a3;
  for (int round = 0; round < 10; ++round) {
    const __m128i key0 = _mm_set1_epi32(static_cast<int>(k0));
    const __m128i key1 = _mm_set1_epi32(static_cast<int>(k1));
    const __m128i pa0 = _mm_mul_epu32(a0, m0), pa1 = _mm_mul_epu32(a2, m1);
    const __m128i pb0 = _mm_mul_epu32(b0, m0), pb1 = _mm_mul_epu32(b2, m1);
    a0 = _mm_xor_si128(_mm_xor_si128(_mm_srli_epi64(pa1, 32), a1), key0);
    a2 = _mm_xor_si128(_mm_xor_si128(_mm_srli_epi64(pa0, 32), a3), key1);
    b0 = _mm_xor_si128(_mm_xor_si128(_mm_srli_epi64(pb1, 32), b1), key0);
    b2 = _mm_xor_si128(_mm_xor_si128(_mm_srli_epi64(pb0, 32), b3), key1);
    a1 = pa1;
    a3 = pa0;
    b1 = pb1;
    b3 = pb0;
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
  // Gather the low halves into block order: (w0 w1 w2 w3) per block.
  const auto store = [&out](int at, __m128i w0, __m128i w1, __m128i w2, __m128i w3) {
    const __m128i w01 = _mm_unpacklo_epi32(w0, w1);  // b0w0 b0w1 junk junk
    const __m128i w23 = _mm_unpacklo_epi32(w2, w3);
    const __m128i v01 = _mm_unpackhi_epi32(w0, w1);  // b1w0 b1w1 junk junk
    const __m128i v23 = _mm_unpackhi_epi32(w2, w3);
    // Little-endian: words (w0, w1) of a block are the value w0 | w1 << 32.
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + at), _mm_unpacklo_epi64(w01, w23));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + at + 2), _mm_unpacklo_epi64(v01, v23));
  };
  store(0, a0, a1, a2, a3);
  store(4, b0, b1, b2, b3);
}
#endif

#ifdef ORCHSIM_PHILOX_AVX2
// The same four blocks with AVX2, chosen at run time: one 256-bit register per
// Philox word, block l in 64-bit lane l (the word in the low half, garbage in
// the high half exactly as in the SSE2 version). Three-operand VEX forms need
// no register copies and the rounds are unrolled: ~130 instructions per refill
// against ~465 for SSE2. Integer arithmetic only, so the bits are identical.
__attribute__((target("avx2"))) void philox4_avx2(std::uint32_t block, const std::uint32_t (&id)[3],
                                                  std::uint32_t k0, std::uint32_t k1,
                                                  std::uint64_t (&out)[8]) {
  const __m256i m0 = _mm256_set1_epi64x(kMul0);
  const __m256i m1 = _mm256_set1_epi64x(kMul1);
  const __m256i weyl0 = _mm256_set1_epi32(static_cast<int>(kWeyl0));
  const __m256i weyl1 = _mm256_set1_epi32(static_cast<int>(kWeyl1));
  __m256i key0 = _mm256_set1_epi32(static_cast<int>(k0));
  __m256i key1 = _mm256_set1_epi32(static_cast<int>(k1));
  __m256i x0 = _mm256_set_epi64x(block + 3, block + 2, block + 1, block);
  __m256i x1 = _mm256_set1_epi64x(id[0]);
  __m256i x2 = _mm256_set1_epi64x(id[1]);
  __m256i x3 = _mm256_set1_epi64x(id[2]);
#pragma GCC unroll 10
  for (int round = 0; round < 10; ++round) {
    const __m256i p0 = _mm256_mul_epu32(x0, m0);
    const __m256i p1 = _mm256_mul_epu32(x2, m1);
    x0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p1, 32), x1), key0);
    x2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64(p0, 32), x3), key1);
    x1 = p1;
    x3 = p0;
    key0 = _mm256_add_epi32(key0, weyl0);
    key1 = _mm256_add_epi32(key1, weyl1);
    // Keeps the running key sums: otherwise GCC folds them into a broadcast
    // of a fresh constant and an add per round (4 instructions, not 1).
    asm("" : "+x"(key0), "+x"(key1));
  }
  // Lane l: value 2l = w0 | w1 << 32, value 2l+1 = w2 | w3 << 32.
  const __m256i v0 = _mm256_blend_epi32(x0, _mm256_slli_epi64(x1, 32), 0xAA);
  const __m256i v1 = _mm256_blend_epi32(x2, _mm256_slli_epi64(x3, 32), 0xAA);
  const __m256i lo = _mm256_unpacklo_epi64(v0, v1);  // values 0 1 | 4 5
  const __m256i hi = _mm256_unpackhi_epi64(v0, v1);  // values 2 3 | 6 7
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_permute2x128_si256(lo, hi, 0x20));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 4), _mm256_permute2x128_si256(lo, hi, 0x31));
}

// Read once; a refill from another file's static initialiser that runs first
// sees false and takes the SSE2 path, which gives the same bits.
const bool kHaveAvx2 = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") != 0;
}();
#endif
}  // namespace

void RandomStream::refill() {
  if (next_block_ > UINT32_MAX - kBlocksPerRefill) {
    throw std::overflow_error("RandomStream: stream exhausted (2^33 draws)");
  }
  static_assert(kBlocksPerRefill == 4);
#ifdef ORCHSIM_PHILOX_AVX2
  if (kHaveAvx2) {
    philox4_avx2(next_block_, id_, key_[0], key_[1], buffer_);
    next_block_ += kBlocksPerRefill;
    index_ = 0;
    return;
  }
#endif
#ifdef __SSE2__
  philox4_sse2(next_block_, id_, key_[0], key_[1], buffer_);
#else
  std::uint32_t x[4][kBlocksPerRefill];
  for (unsigned l = 0; l < kBlocksPerRefill; ++l) {
    x[0][l] = next_block_ + l;
    x[1][l] = id_[0];
    x[2][l] = id_[1];
    x[3][l] = id_[2];
  }
  philox_lanes(x, key_[0], key_[1]);
  for (unsigned l = 0; l < kBlocksPerRefill; ++l) {
    buffer_[2 * l] = x[0][l] | (std::uint64_t{x[1][l]} << 32);
    buffer_[2 * l + 1] = x[2][l] | (std::uint64_t{x[3][l]} << 32);
  }
#endif
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
