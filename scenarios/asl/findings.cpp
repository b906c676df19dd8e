#include "scenarios/asl/findings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace orchsim::scenarios::asl {

std::string_view to_string(FindingKind kind) {
  switch (kind) {
    case FindingKind::kUnsupported:
      return "unsupported";
    case FindingKind::kApproximated:
      return "approximated";
    case FindingKind::kGuessed:
      return "guessed";
    case FindingKind::kDefaulted:
      return "defaulted";
    case FindingKind::kIgnored:
      return "ignored";
  }
  return "?";
}

void Findings::add(FindingKind kind, std::string pointer, std::string what, std::string instead) {
  items_.push_back({kind, std::move(pointer), std::move(what), std::move(instead)});
}

std::size_t Findings::count(FindingKind kind) const {
  return static_cast<std::size_t>(std::count_if(
      items_.begin(), items_.end(), [kind](const Finding& f) { return f.kind == kind; }));
}

std::string Findings::format(const std::string& file) const {
  std::string out;
  for (const FindingKind kind : {FindingKind::kUnsupported, FindingKind::kApproximated,
                                 FindingKind::kGuessed, FindingKind::kDefaulted}) {
    for (const Finding& f : items_) {
      if (f.kind != kind) continue;
      out += fmt::format("{}: {}: {}: {}", file, f.pointer.empty() ? "/" : f.pointer,
                         to_string(f.kind), f.what);
      if (!f.instead.empty()) out += fmt::format(": {}", f.instead);
      out += '\n';
    }
  }
  // Ignored fields: one line, by field name (the last pointer segment).
  std::map<std::string, std::size_t> ignored;
  for (const Finding& f : items_) {
    if (f.kind == FindingKind::kIgnored) ++ignored[f.what];
  }
  if (!ignored.empty()) {
    std::string list;
    for (const auto& [what, n] : ignored) {
      list += fmt::format("{}{}{}", list.empty() ? "" : ", ", what,
                          n > 1 ? fmt::format(" x{}", n) : std::string());
    }
    out += fmt::format("{}: ignored (only shape data, the simulation has no payload): {}\n", file,
                       list);
  }
  return out;
}

}  // namespace orchsim::scenarios::asl
