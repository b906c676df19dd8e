#include "scenarios/calibration/grouping.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

namespace orchsim::calibration {

bool parse_group_by(std::string_view text, GroupBy& out, std::string& error) {
  out.keys.clear();
  if (text == "none") return true;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(start, end - start);
    GroupKey key{};
    if (word == "provider") {
      key = GroupKey::kProvider;
    } else if (word == "model") {
      key = GroupKey::kModel;
    } else if (word == "operation") {
      key = GroupKey::kOperation;
    } else if (word == "file") {
      key = GroupKey::kFile;
    } else {
      error = "found '" + std::string(word) +
              "', expected a comma-separated list of provider, model, operation, file, or none";
      return false;
    }
    if (std::find(out.keys.begin(), out.keys.end(), key) == out.keys.end()) out.keys.push_back(key);
    start = end + 1;
  }
  return true;
}

std::string agent_name_for(std::string_view text) {
  const auto slash = text.find_last_of('/');
  if (slash != std::string_view::npos && slash + 1 < text.size()) text = text.substr(slash + 1);
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      out += static_cast<char>(std::tolower(u));
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? "agent" : out;
}

std::vector<Group> group_observations(const Measurements& m, const GroupBy& by) {
  // Key of each label, and the groups in order of first appearance.
  std::vector<std::string> label_key(m.labels.size());
  std::vector<std::string> label_agent(m.labels.size());
  for (std::size_t i = 0; i < m.labels.size(); ++i) {
    const Label& l = m.labels[i];
    std::string key, agent;
    for (GroupKey k : by.keys) {
      std::string part;
      switch (k) {
        case GroupKey::kProvider:
          part = l.provider;
          break;
        case GroupKey::kModel:
          part = l.model;
          break;
        case GroupKey::kOperation:
          part = l.operation;
          break;
        case GroupKey::kFile:
          part = std::filesystem::path(m.sources[l.source].path).stem().string();
          break;
      }
      if (part.empty()) continue;
      key += (key.empty() ? "" : " / ") + part;
      agent += (agent.empty() ? "" : "_") + agent_name_for(part);
    }
    label_key[i] = key.empty() ? "all" : key;
    label_agent[i] = agent.empty() ? "agent" : agent;
  }
  std::vector<Group> groups;
  std::map<std::string, std::size_t> index;
  std::vector<std::set<std::uint32_t>> sources;
  for (std::size_t i = 0; i < m.observations.size(); ++i) {
    const std::uint32_t label = m.observations[i].label;
    const auto [it, added] = index.try_emplace(label_key[label], groups.size());
    if (added) {
      groups.push_back(Group{.name = label_key[label], .agent_name = label_agent[label]});
      sources.emplace_back();
    }
    groups[it->second].observations.push_back(i);
    sources[it->second].insert(m.labels[label].source);
  }
  std::set<std::string> used;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    groups[g].sources.assign(sources[g].begin(), sources[g].end());
    std::string name = groups[g].agent_name;
    for (int k = 2; used.count(name) > 0; ++k)
      name = groups[g].agent_name + "_" + std::to_string(k);
    used.insert(name);
    groups[g].agent_name = name;
  }
  return groups;
}

}  // namespace orchsim::calibration
