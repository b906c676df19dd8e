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

// Arms by (class, candidate) when per_class, else by candidate.
class ArmTable {
 public:
  ArmTable(std::size_t candidates, std::uint32_t classes, bool per_class)
      : candidates_(candidates),
        arms_(candidates * (per_class ? classes : 1)),
        per_class_(per_class) {}
  ArmStats& at(std::uint32_t class_index, std::size_t candidate) {
    const std::size_t row = per_class_ ? class_index : 0;
    return arms_[row * candidates_ + candidate];
  }
  bool valid(std::uint32_t class_index, std::size_t candidate) const {
    return candidate < candidates_ &&
           (!per_class_ || (class_index + 1) * candidates_ <= arms_.size());
  }

 private:
  std::size_t candidates_;
  std::vector<ArmStats> arms_;
  bool per_class_;
};

}  // namespace orchsim::orchestration::policies
