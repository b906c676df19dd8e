// Ziggurat samplers for N(0, 1) and Exp(1): Marsaglia & Tsang, "The Ziggurat
// Method for Generating Random Variables", J. Stat. Softw. 5(8), 2000, with
// 256 layers and 52/53-bit magnitudes as in NumPy's Generator.
//
// The area under the density (unnormalised: exp(-x^2/2) or exp(-x)) is
// covered by 255 stacked rectangles x_i * [f(x_i), f(x_{i-1})] of equal area
// v, with x_0 = 0 < x_1 < ... < x_255 = r, and a base layer (layer 0) of the
// same area: the rectangle r * f(r) plus the tail beyond r, drawn as a
// rectangle of width v / f(r). A sample picks a layer and a point x uniform
// in its width: if x < x_{i-1} the point is under the curve whatever its
// height (the fast path in random.hpp); otherwise the wedge between the
// rectangle and the curve is tested with one more uniform, or, in the base
// layer, the tail is sampled exactly.
#include <cmath>
#include <numbers>

#include "sim/random.hpp"

namespace orchsim::sim {

namespace detail {
ZigguratLayer kNormalZiggurat[256];
ZigguratLayer kExponentialZiggurat[256];
}  // namespace detail

namespace {

constexpr int kLayers = 256;
// r for 256 layers, from Marsaglia & Tsang (2000): the x at which the base
// layer's area equals the others'. v is derived from r below.
constexpr double kNormalR = 3.6541528853610088;
constexpr double kExponentialR = 7.69711747013104972;

// f(x_i) per layer, for the wedge tests (f(x_0) = 1).
double normal_density_at[kLayers];
double exponential_density_at[kLayers];

// Fills one ziggurat from x_255 = r downwards. `density` is the unnormalised
// density, `inverse` its inverse on x >= 0, `area` the common layer area v,
// `scale` 2^bits of the magnitude.
template <class Density, class Inverse>
void build(detail::ZigguratLayer (&layers)[kLayers], double (&density_at)[kLayers], double r,
           double area, double scale, Density density, Inverse inverse) {
  double x[kLayers];
  x[kLayers - 1] = r;
  for (int i = kLayers - 2; i >= 1; --i) x[i] = inverse(area / x[i + 1] + density(x[i + 1]));
  x[0] = 0.0;
  const double base_width = area / density(r);
  layers[0] = {static_cast<std::uint64_t>(r / base_width * scale), base_width / scale};
  density_at[0] = 1.0;
  for (int i = 1; i < kLayers; ++i) {
    layers[i] = {static_cast<std::uint64_t>(x[i - 1] / x[i] * scale), x[i] / scale};
    density_at[i] = density(x[i]);
  }
}

bool build_tables() {
  static const bool built = [] {
    const auto normal = [](double x) { return std::exp(-0.5 * x * x); };
    const auto normal_inverse = [](double y) { return std::sqrt(-2.0 * std::log(y)); };
    const double normal_tail =
        std::sqrt(std::numbers::pi / 2.0) * std::erfc(kNormalR / std::numbers::sqrt2);
    build(detail::kNormalZiggurat, normal_density_at, kNormalR,
          kNormalR * normal(kNormalR) + normal_tail, 0x1.0p52, normal, normal_inverse);
    const auto exponential = [](double x) { return std::exp(-x); };
    const auto exponential_inverse = [](double y) { return -std::log(y); };
    build(detail::kExponentialZiggurat, exponential_density_at, kExponentialR,
          (kExponentialR + 1.0) * std::exp(-kExponentialR), 0x1.0p53, exponential,
          exponential_inverse);
    return true;
  }();
  return built;
}

// Built during static initialisation; a sample drawn before then reaches the
// slow path, which builds them itself.
[[maybe_unused]] const bool kTablesBuilt = build_tables();

}  // namespace

double RandomStream::standard_normal_slow(std::uint64_t bits) {
  build_tables();
  for (;;) {
    const unsigned layer = bits & 0xffu;
    const bool negative = (bits & 0x100u) != 0;
    const std::uint64_t magnitude = bits >> 12;
    const detail::ZigguratLayer& l = detail::kNormalZiggurat[layer];
    const double x = static_cast<double>(magnitude) * l.width;
    if (magnitude < l.accept) return negative ? -x : x;
    if (layer == 0) {
      // The tail beyond r (Marsaglia 1964): x = r + a with a ~ Exp(r),
      // accepted with probability exp(-a^2/2). 1 - u keeps log1p finite.
      for (;;) {
        const double a = -std::log1p(-uniform01()) / kNormalR;
        const double b = -std::log1p(-uniform01());
        if (b + b > a * a) return negative ? -(kNormalR + a) : kNormalR + a;
      }
    }
    const double low = normal_density_at[layer];
    const double high = normal_density_at[layer - 1];
    if (low + uniform01() * (high - low) < std::exp(-0.5 * x * x)) return negative ? -x : x;
    bits = next_u64();
  }
}

double RandomStream::standard_exponential_slow(std::uint64_t bits) {
  build_tables();
  // The tail beyond r is r + Exp(1) (memorylessness): start over, shifted.
  double shift = 0.0;
  for (;;) {
    const unsigned layer = bits & 0xffu;
    const std::uint64_t magnitude = bits >> 11;
    const detail::ZigguratLayer& l = detail::kExponentialZiggurat[layer];
    const double x = static_cast<double>(magnitude) * l.width;
    if (magnitude < l.accept) return shift + x;
    if (layer == 0) {
      shift += kExponentialR;
    } else {
      const double low = exponential_density_at[layer];
      const double high = exponential_density_at[layer - 1];
      if (low + uniform01() * (high - low) < std::exp(-x)) return shift + x;
    }
    bits = next_u64();
  }
}

}  // namespace orchsim::sim
