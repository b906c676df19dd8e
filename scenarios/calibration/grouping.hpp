// Splits measurements into groups, one per agent to fit: by provider, model,
// operation, source file, or any combination (`orchsim fit --group-by`).
//
//   GroupBy by;
//   parse_group_by("provider,model", by);
//   for (const Group& g : group_observations(measurements, by))
//     g.name;          // "anyscale / meta-llama/Llama-2-13b-chat-hf"
//     g.agent_name;    // "anyscale_llama_2_13b_chat_hf" (unique, scenario-safe)
//
// Groups come out in the order their first observation was read (inputs in
// command-line order), so the output does not depend on any hashing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/calibration/observation.hpp"

namespace orchsim::calibration {

enum class GroupKey : std::uint8_t { kProvider, kModel, kOperation, kFile };

struct GroupBy {
  std::vector<GroupKey> keys = {GroupKey::kProvider, GroupKey::kModel};  // empty = one group
};

// A comma-separated list of provider, model, operation, file; or "none".
// False (and `error` says why) for anything else.
bool parse_group_by(std::string_view text, GroupBy& out, std::string& error);

struct Group {
  std::string name{};                       // the key values joined by " / " ("all" with no keys)
  std::string agent_name{};                 // lower-case [a-z0-9_], unique among the groups
  std::vector<std::uint32_t> sources{};     // files it came from, ascending
  std::vector<std::size_t> observations{};  // indices into Measurements::observations
};

std::vector<Group> group_observations(const Measurements& m, const GroupBy& by);

// "meta-llama/Llama-2-13b-chat-hf" -> "llama_2_13b_chat_hf": the last path
// component, lower case, runs of other characters as one '_'.
std::string agent_name_for(std::string_view text);

}  // namespace orchsim::calibration
