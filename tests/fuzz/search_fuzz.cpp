// Fuzz target: the search.json loader that orchsim-gui opens searches with
// (gui/search_data.hpp, plain C++ without Qt).
//
// Beyond "no crash, no sanitizer report": a refused file has a message, and
// a loaded one has rows whose means, values and rungs fit the search's
// metrics, parameters and rungs, which the Search tab indexes without checks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "gui/search_data.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace orchsim::gui;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const SearchLoad s = parse_search(text, "fuzz/search.json");
  if (!s.ok()) {
    if (s.error.empty()) std::abort();
    return 0;
  }
  const SearchData& d = *s.search;
  const std::size_t metrics = d.metrics().size();
  for (const SearchEvaluationRow& r : d.rows) {
    if (r.means.size() != metrics || r.values.size() != d.parameters.size()) std::abort();
    if (r.rung >= d.rungs.size()) std::abort();
  }
  return 0;
}
