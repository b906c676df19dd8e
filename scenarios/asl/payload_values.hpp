// The values a state machine takes from its payload at run time, which the
// simulation has to be told: a Choice's branch probabilities, a Map's item
// count, a Wait's seconds when they come from a path. The `--choices` file
// sets them by state name; whatever it leaves out gets the documented
// default, and the import lists it as guessed (docs/import.md).
//
//   {
//     "Check file type": { "IngestText": 0.7, "IngestPdf": 0.25, "Unsupported": 0.05 },
//     "Process items":   { "items": 25 },                      // or { "items": { "5": 3, "50": 1 }
//     } "Wait for job":    { "seconds": 30 }
//   }
//
// Choice weights are normalised; branches left out get 0. A state name that
// appears in several scopes (branches, iterators) sets all of them.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "scenarios/asl/import_context.hpp"

namespace orchsim::scenarios::asl {

inline constexpr double kDefaultMapItems = 10;       // a Map without known items
inline constexpr double kDefaultWaitSeconds = 60;    // a Wait whose time comes from the payload
inline constexpr std::uint32_t kMaxMapItems = 1000;  // the scenario format's largest map

// A Map's item count: fixed, or drawn per visit from {count: weight}.
struct ItemCount {
  std::map<std::uint32_t, double> weights;  // one entry: fixed
  bool fixed() const { return weights.size() == 1; }
  std::uint32_t max() const { return weights.empty() ? 1 : weights.rbegin()->first; }
  std::string describe() const;
};

class PayloadValues {
 public:
  PayloadValues() = default;
  // Reads the --choices document (`file` names it in errors).
  PayloadValues(const Json& doc, std::string file, ImportContext& cx);

  // The Choice's weights by target state, if the file gives them. Keys that
  // are not targets of the Choice are errors. `targets` in the Choice's order.
  std::optional<std::vector<double>> choice(const std::string& state,
                                            const std::vector<std::string>& targets,
                                            ImportContext& cx);
  std::optional<ItemCount> items(const std::string& state, ImportContext& cx);
  std::optional<double> seconds(const std::string& state, ImportContext& cx);

  // After the import: entries naming no Choice, Map or Wait state are errors.
  void check_all_used(const std::set<std::string>& state_names, ImportContext& cx) const;

 private:
  const Json* entry(const std::string& state);
  std::string file_;
  Json doc_ = Json::object();
  std::set<std::string> used_;
};

}  // namespace orchsim::scenarios::asl
