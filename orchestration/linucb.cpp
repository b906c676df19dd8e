#include "orchestration/linucb.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <stdexcept>

namespace orchsim::orchestration {

LinUcb::LinUcb(std::size_t arms, std::size_t features, double alpha, double ridge) : alpha_(alpha) {
  if (arms == 0 || features == 0) throw std::invalid_argument("linucb: need >= 1 arm and feature");
  if (!(ridge > 0)) throw std::invalid_argument("linucb: ridge must be > 0");
  const auto d = static_cast<Eigen::Index>(features);
  for (std::size_t a = 0; a < arms; ++a) {
    a_inv_.push_back(Eigen::MatrixXd::Identity(d, d) / ridge);
    b_.push_back(Eigen::VectorXd::Zero(d));
    theta_.push_back(Eigen::VectorXd::Zero(d));
    pulls_.push_back(0);
  }
}

double LinUcb::estimate(std::size_t arm, const Eigen::VectorXd& x) const {
  return theta_[arm].dot(x);
}

double LinUcb::ucb(std::size_t arm, const Eigen::VectorXd& x) const {
  const double width = std::sqrt(std::max(0.0, x.dot(a_inv_[arm] * x)));
  return estimate(arm, x) + alpha_ * width;
}

std::size_t LinUcb::choose(const Eigen::VectorXd& x) const {
  std::size_t best = 0;
  double best_score = ucb(0, x);
  for (std::size_t a = 1; a < arms(); ++a) {
    const double s = ucb(a, x);
    if (s > best_score) {
      best = a;
      best_score = s;
    }
  }
  return best;
}

void LinUcb::update(std::size_t arm, const Eigen::VectorXd& x, double reward) {
  // Sherman-Morrison: (A + x x')^-1 = A^-1 - (A^-1 x)(x' A^-1) / (1 + x' A^-1 x).
  Eigen::MatrixXd& inv = a_inv_[arm];
  const Eigen::VectorXd ax = inv * x;
  inv -= (ax * ax.transpose()) / (1.0 + x.dot(ax));
  b_[arm] += reward * x;
  theta_[arm] = inv * b_[arm];
  ++pulls_[arm];
}

}  // namespace orchsim::orchestration
