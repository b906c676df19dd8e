// A CallListener that records every outcome, for tests.
#pragma once

#include <cstdint>
#include <vector>

#include "mock_agents/agent.hpp"

namespace orchsim::mock_agents::testing {

struct Finished {
  CallId id;
  std::uint64_t tag;
  CallOutcome outcome;
};

class RecordingListener : public CallListener {
 public:
  void on_call_finished(CallId id, std::uint64_t tag, const CallOutcome& outcome) override {
    finished.push_back({id, tag, outcome});
  }
  std::vector<Finished> finished;
};

}  // namespace orchsim::mock_agents::testing
