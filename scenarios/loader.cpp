// Loads a scenario: the file or built-in name, its text, overrides, then the
// sections (sections.hpp), which read through the field tables.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "orchestration/policy_registry.hpp"
#include "scenarios/json_document.hpp"
#include "scenarios/scenario.hpp"
#include "scenarios/sections.hpp"

#ifndef ORCHSIM_LIBRARY_DIR
#define ORCHSIM_LIBRARY_DIR "scenarios/library"
#endif

namespace orchsim::scenarios {

std::int32_t Scenario::agent_index(const std::string& agent_name) const {
  for (std::size_t i = 0; i < agents.size(); ++i) {
    if (agents[i].name == agent_name) return static_cast<std::int32_t>(i);
  }
  return -1;
}

std::string library_dir() {
  if (const char* env = std::getenv("ORCHSIM_LIBRARY_DIR"); env && *env) return env;
#ifdef ORCHSIM_INSTALLED_LIBRARY_DIR
  // An installed build outlives its source tree: fall back to the installed copy.
  std::error_code ec;
  if (!std::filesystem::is_directory(ORCHSIM_LIBRARY_DIR, ec)) return ORCHSIM_INSTALLED_LIBRARY_DIR;
#endif
  return ORCHSIM_LIBRARY_DIR;
}

std::vector<std::string> library_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(library_dir(), ec)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

LoadResult parse_scenario(const std::string& text, const std::string& source,
                          const LoadOptions& options) {
  LoadResult result;
  result.diagnostics = Diagnostics(source);
  Diagnostics& d = result.diagnostics;
  std::optional<Json> doc = parse_document(text, d);
  if (!doc) return result;
  apply_overrides(*doc, options.overrides, d);
  if (!d.ok()) return result;
  const std::filesystem::path src(source);
  Scenario s = read_scenario(*doc, d, src.has_parent_path() ? src.parent_path().string() : "",
                             options.policies ? *options.policies
                                              : orchestration::PolicyRegistry::global());
  s.source = source;
  s.document = std::move(*doc);
  if (d.ok()) result.scenario = std::move(s);
  return result;
}

LoadResult load_scenario(const std::string& name_or_path, const LoadOptions& options) {
  std::string path = name_or_path;
  const bool looks_like_path = name_or_path.find('/') != std::string::npos ||
                               name_or_path.find(".json") != std::string::npos;
  if (!looks_like_path) path = library_dir() + "/" + name_or_path + ".json";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.diagnostics = Diagnostics(name_or_path);
    std::string hint;
    if (!looks_like_path) {
      const std::string near = closest_match(name_or_path, library_names());
      if (!near.empty()) hint = fmt::format("did you mean \"{}\"?", near);
      r.diagnostics.error(
          "",
          fmt::format("no built-in scenario named \"{}\" (see 'orchsim list') and no such file",
                      name_or_path),
          hint);
    } else {
      r.diagnostics.error("", "cannot open the file for reading");
    }
    return r;
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), path, options);
}

}  // namespace orchsim::scenarios
