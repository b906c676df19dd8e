// LinUCB with disjoint arms (Li, Chu, Langford, Schapire, WWW 2010): the
// learned contextual bandit behind the `linucb` routing policy. One ridge
// regression per arm over request features; choose the arm with the highest
// upper confidence bound theta_a . x + alpha sqrt(x' A_a^-1 x); learn online
// from each reward. Uses Eigen; A_a^-1 is kept up to date by Sherman-Morrison
// (O(d^2) per update, no solves on the request path).
//
//   LinUcb bandit(/*arms=*/3, /*features=*/4, /*alpha=*/1.0);
//   std::size_t arm = bandit.choose(x);        // ties: lowest index
//   bandit.update(arm, x, reward);
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <vector>

namespace orchsim::orchestration {

class LinUcb {
 public:
  LinUcb(std::size_t arms, std::size_t features, double alpha, double ridge = 1.0);

  // The arm with the highest upper confidence bound for features x; ties go
  // to the lowest index, so the choice is deterministic.
  std::size_t choose(const Eigen::VectorXd& x) const;
  // Upper confidence bound of one arm (for decision logs).
  double ucb(std::size_t arm, const Eigen::VectorXd& x) const;
  double estimate(std::size_t arm, const Eigen::VectorXd& x) const;
  void update(std::size_t arm, const Eigen::VectorXd& x, double reward);

  std::size_t arms() const { return a_inv_.size(); }
  std::size_t features() const { return static_cast<std::size_t>(b_.front().size()); }
  std::size_t pulls(std::size_t arm) const { return pulls_[arm]; }

 private:
  double alpha_;
  std::vector<Eigen::MatrixXd> a_inv_;
  std::vector<Eigen::VectorXd> b_;
  std::vector<Eigen::VectorXd> theta_;
  std::vector<std::size_t> pulls_;
};

}  // namespace orchsim::orchestration
