#include "eval/statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace orchsim::eval::stats::statistics_test {
namespace {

TEST(Statistics, MeanAndSampleSd) {
  const std::vector<double> xs = {2, 4, 4, 4, 5, 5, 7, 9};
  EXPECT_DOUBLE_EQ(mean(xs), 5.0);
  EXPECT_NEAR(sample_sd(xs), std::sqrt(32.0 / 7.0), 1e-12);
  EXPECT_EQ(sample_sd(std::vector<double>{3.0}), 0.0);
  EXPECT_EQ(mean(std::vector<double>{}), 0.0);
}

TEST(Statistics, IncompleteBetaKnownValues) {
  // I_x(1, 1) = x; I_x(a, 1) = x^a; I_0.5(a, a) = 0.5.
  EXPECT_NEAR(regularized_incomplete_beta(1, 1, 0.3), 0.3, 1e-14);
  EXPECT_NEAR(regularized_incomplete_beta(3, 1, 0.4), 0.064, 1e-14);
  EXPECT_NEAR(regularized_incomplete_beta(7.5, 7.5, 0.5), 0.5, 1e-13);
  EXPECT_EQ(regularized_incomplete_beta(2, 3, 0.0), 0.0);
  EXPECT_EQ(regularized_incomplete_beta(2, 3, 1.0), 1.0);
}

TEST(Statistics, StudentTQuantilesMatchTables) {
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.706205, 1e-5);
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.776445, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.975, 9), 2.262157, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.975, 29), 2.045230, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.975, 1e6), 1.959966, 1e-5);
  EXPECT_NEAR(student_t_quantile(0.975, std::numeric_limits<double>::infinity()), 1.959964, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.995, 9), 3.249836, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.025, 4), -2.776445, 1e-6);
  EXPECT_EQ(student_t_quantile(0.5, 3), 0.0);
  EXPECT_NEAR(student_t_cdf(2.262157, 9), 0.975, 1e-7);
  EXPECT_NEAR(normal_quantile(0.95), 1.644854, 1e-6);
}

TEST(Statistics, ConfidenceIntervalIsMeanPlusMinusTSdOverRootN) {
  const std::vector<double> xs = {10, 12, 11, 13, 9};
  const ConfidenceInterval ci = confidence_interval(xs);
  EXPECT_EQ(ci.n, 5u);
  EXPECT_DOUBLE_EQ(ci.mean, 11.0);
  const double half = 2.776445 * sample_sd(xs) / std::sqrt(5.0);
  EXPECT_NEAR(ci.half_width, half, 1e-5);
  EXPECT_NEAR(ci.low(), 11.0 - half, 1e-5);
  EXPECT_NEAR(ci.high(), 11.0 + half, 1e-5);
  EXPECT_FALSE(confidence_interval(std::vector<double>{1.0}).has_interval());
}

TEST(Statistics, PairedDifferenceRemovesSharedNoise) {
  // Large common noise, a constant shift of 1 plus a little: the paired CI is narrow.
  const std::vector<double> base = {100, 150, 80, 120, 200, 90};
  const std::vector<double> variant = {101.1, 150.9, 81.0, 121.2, 200.8, 91.0};
  const ConfidenceInterval paired = paired_difference_ci(base, variant);
  const ConfidenceInterval unpaired = welch_difference_ci(base, variant);
  EXPECT_NEAR(paired.mean, 1.0, 1e-12);
  EXPECT_NEAR(unpaired.mean, 1.0, 1e-12);
  EXPECT_GT(paired.low(), 0.0);
  EXPECT_LT(unpaired.low(), 0.0);
  EXPECT_GT(unpaired.half_width / paired.half_width, 50.0);
  EXPECT_THROW(paired_difference_ci(base, std::vector<double>{1.0}), std::invalid_argument);
}

TEST(Statistics, Mser5FindsTheWarmUp) {
  // 100 observations decaying from 50 to ~0, then 900 around 10 (deterministic wiggle).
  std::vector<double> series;
  for (int i = 0; i < 100; ++i) series.push_back(50.0 - 0.4 * i);
  for (int i = 0; i < 900; ++i) series.push_back(10.0 + ((i * 7919) % 13 - 6) * 0.1);
  const std::size_t d = mser_truncation(series);
  EXPECT_EQ(d % 5, 0u);
  EXPECT_GE(d, 90u);
  EXPECT_LE(d, 150u);
  // A stationary series needs no truncation beyond a little.
  std::vector<double> flat(500, 3.0);
  EXPECT_EQ(mser_truncation(flat), 0u);
  EXPECT_EQ(mser_truncation(std::vector<double>{1, 2, 3}), 0u);
}

TEST(Statistics, BatchMeans) {
  std::vector<double> series;
  for (int i = 0; i < 103; ++i) series.push_back(i < 3 ? 1000.0 : static_cast<double>(i % 10));
  const BatchMeansResult r = batch_means(series, 10);
  ASSERT_EQ(r.means.size(), 10u);
  EXPECT_EQ(r.batch_size, 10u);
  // The 3 leftover observations at the start (the outliers) are dropped.
  for (const double m : r.means) EXPECT_DOUBLE_EQ(m, 4.5);
  EXPECT_DOUBLE_EQ(r.ci.mean, 4.5);
  EXPECT_DOUBLE_EQ(r.ci.half_width, 0.0);
  EXPECT_TRUE(batch_means(std::vector<double>{1, 2}, 5).means.empty());
}

}  // namespace
}  // namespace orchsim::eval::stats::statistics_test
