// Fuzz target: the scenario loader, --set overrides included.
//
// The input is scenario text. Leading `// set: /pointer=value` lines (the
// convention of tests/scenarios/bad) become overrides; the JSON parser skips
// them as comments, so every scenario file is a seed as it stands. Each
// override goes through the command line's check (cli::parse_set) and then,
// whatever that said, to the loader: a baseline file's "sets" reach the
// loader without the command line's check, so it must cope with anything.
//
// Beyond "no crash, no sanitizer report": a scenario that loads must load
// again from its own document (overrides applied, comments gone).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/overrides.hpp"
#include "scenarios/scenario.hpp"

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::pair<std::string, std::string>> leading_sets(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view line = trim(std::string_view(text).substr(pos, end - pos));
    pos = end + 1;
    if (line.empty()) continue;
    if (line.substr(0, 2) != "//") break;  // the JSON starts
    line = trim(line.substr(2));
    if (line.substr(0, 4) != "set:") continue;
    const std::string spec(trim(line.substr(4)));
    (void)orchsim::cli::parse_set(spec);
    const auto eq = spec.find('=');
    if (eq == std::string::npos) continue;
    const std::string_view whole(spec);
    out.emplace_back(trim(whole.substr(0, eq)), trim(whole.substr(eq + 1)));
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace orchsim::scenarios;
  const std::string text(reinterpret_cast<const char*>(data), size);
  LoadOptions options;
  options.overrides = leading_sets(text);
  const LoadResult r = parse_scenario(text, "fuzz/scenario.json", options);
  if (!r.ok()) {
    (void)r.diagnostics.format();
    return 0;
  }
  const LoadResult again = parse_scenario(r.scenario->document.dump(), "fuzz/scenario.json");
  if (!again.ok()) std::abort();  // a loaded scenario's own document must load
  return 0;
}
