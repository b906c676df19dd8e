// Per-candidate (optionally per-class) reward statistics for the bandit
// policies that learn without features (thompson, epsilon_greedy).
#pragma once

#include <cstdint>
#include <vector>

namespace orchsim::orchestration::policies {

struct ArmStats {
  std::uint64_t pulls = 0;
  std::uint64_t successes = 0;  // Bernoulli learners
  double reward_sum = 0.0;      // Gaussian and greedy learners
  double mean() const { return pulls == 0 ? 0.0 : reward_sum / static_cast<double>(pulls); }
};

// Arms by (class, candidate) when per_class, else by candidate. Per class, a
// request class beyond the node's class count (an orchestrator left at
// class_count 1 still takes requests of any class) has no arms: it reads as
// untried, and nothing is learned from it.
class ArmTable {
 public:
  ArmTable(std::size_t candidates, std::uint32_t classes, bool per_class)
      : candidates_(candidates),
        rows_(per_class ? classes : 1),
        arms_(candidates * rows_),
        per_class_(per_class) {}
  // Requires valid(class_index, candidate).
  ArmStats& at(std::uint32_t class_index, std::size_t candidate) {
    return arms_[row(class_index) * candidates_ + candidate];
  }
  // The arm's statistics, or an untried arm's when there is no such arm.
  const ArmStats& read(std::uint32_t class_index, std::size_t candidate) const {
    return valid(class_index, candidate) ? arms_[row(class_index) * candidates_ + candidate]
                                         : kUntried;
  }
  bool valid(std::uint32_t class_index, std::size_t candidate) const {
    return candidate < candidates_ && (!per_class_ || class_index < rows_);
  }

 private:
  static constexpr ArmStats kUntried{};
  std::size_t row(std::uint32_t class_index) const { return per_class_ ? class_index : 0; }
  std::size_t candidates_;
  std::size_t rows_;
  std::vector<ArmStats> arms_;
  bool per_class_;
};

}  // namespace orchsim::orchestration::policies
