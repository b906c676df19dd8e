// What every measurement reader needs besides the file: how errors map onto
// outcomes, and where OTLP spans keep time to first token.
//
//   ReadOptions options;
//   options.errors.overrides["content_filter"] = Outcome::kPermanent;
//   options.ttft_attributes.insert(options.ttft_attributes.begin(), "my.ttft_s");
#pragma once

#include <string>
#include <vector>

#include "scenarios/calibration/error_mapping.hpp"

namespace orchsim::calibration {

struct ReadOptions {
  ErrorMap errors{};
  // OTLP span attributes holding time to first token, in seconds, tried in
  // order. The GenAI span conventions (v1.37) define none; these are the
  // newer development attribute and the server metric's name, which
  // instrumentations put on spans.
  std::vector<std::string> ttft_attributes = {"gen_ai.response.time_to_first_chunk",
                                              "gen_ai.server.time_to_first_token"};
  // OTLP: only spans whose gen_ai.operation.name is one of these; empty = every
  // span that has one.
  std::vector<std::string> operations{};
};

}  // namespace orchsim::calibration
