#include <gtest/gtest.h>

#include "eval/histogram.hpp"

namespace orchsim::eval::histogram_codec_test {
namespace {

TEST(HistogramCodec, RoundTripsExactly) {
  LogLinearHistogram h;
  EXPECT_EQ(LogLinearHistogram::decode(h.encode()), h);  // empty
  for (std::int64_t v : {0LL, 1LL, 255LL, 256LL, 1000LL, 123456789LL, 9'000'000'000'000LL}) {
    h.record(v, static_cast<std::uint64_t>(v % 7 + 1));
  }
  h.record(INT64_MAX);
  const auto back = LogLinearHistogram::decode(h.encode());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, h);
  EXPECT_EQ(back->mean(), h.mean());
  EXPECT_EQ(back->quantile(0.99), h.quantile(0.99));
}

TEST(HistogramCodec, RejectsWhatIsNotAnEncoding) {
  LogLinearHistogram h;
  h.record(1000, 3);
  h.record(5000);
  const std::string good = h.encode();
  EXPECT_FALSE(LogLinearHistogram::decode("").has_value());
  EXPECT_FALSE(LogLinearHistogram::decode(good.substr(0, good.size() - 1)).has_value());
  EXPECT_FALSE(LogLinearHistogram::decode(good + "x").has_value());
  std::string other_version = good;
  other_version[0] = 2;
  EXPECT_FALSE(LogLinearHistogram::decode(other_version).has_value());
  std::string wrong_count = good;
  wrong_count[1] = 9;  // count no longer equals the buckets' sum
  EXPECT_FALSE(LogLinearHistogram::decode(wrong_count).has_value());
}

}  // namespace
}  // namespace orchsim::eval::histogram_codec_test
