// The `// set: /pointer = value` lines at the top of a scenario fuzz input
// (the convention of tests/scenarios/bad), read as --set overrides. The JSON
// parser skips them as comments, so every scenario file is a seed as it is.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/overrides.hpp"

namespace orchsim::fuzzing {

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Each override also goes through the command line's check (cli::parse_set),
// and then, whatever that said, to the loader: a baseline file's "sets"
// reach the loader without the command line's check, so it must cope with
// anything.
inline std::vector<std::pair<std::string, std::string>> leading_sets(const std::string& text) {
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
    (void)cli::parse_set(spec);
    const auto eq = spec.find('=');
    if (eq == std::string::npos) continue;
    const std::string_view whole(spec);
    out.emplace_back(trim(whole.substr(0, eq)), trim(whole.substr(eq + 1)));
  }
  return out;
}

}  // namespace orchsim::fuzzing
