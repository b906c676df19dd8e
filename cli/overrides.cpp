#include "cli/overrides.hpp"

#include <fmt/format.h>

#include "eval/sweep.hpp"

namespace orchsim::cli {

namespace {

void set_why(std::string* why, std::string text) {
  if (why != nullptr) *why = std::move(text);
}

}  // namespace

bool valid_json_pointer(const std::string& pointer) {
  if (pointer.empty()) return true;
  if (pointer[0] != '/') return false;
  for (std::size_t i = 0; i < pointer.size(); ++i) {
    if (pointer[i] != '~') continue;
    if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) return false;
  }
  return true;
}

std::optional<Override> parse_set(const std::string& spec, std::string* why) {
  const auto eq = spec.find('=');
  const std::string pointer = spec.substr(0, eq);
  if (eq == std::string::npos || pointer.empty() || !valid_json_pointer(pointer)) {
    set_why(why,
            fmt::format("found '{}', expected /json/pointer=value (the pointer starts with '/'; "
                        "'~' only as ~0 or ~1)",
                        spec));
    return std::nullopt;
  }
  return Override{pointer, spec.substr(eq + 1)};
}

std::optional<VariantSpec> parse_variant(const std::string& spec, std::string* why) {
  const std::string expected = "expected NAME:/json/pointer=value[,/json/pointer=value...]";
  const auto colon = spec.find(':');
  if (colon == std::string::npos || colon == 0 || spec[0] == '/') {
    set_why(why, fmt::format("found '{}', {}", spec, expected));
    return std::nullopt;
  }
  VariantSpec v;
  v.name = spec.substr(0, colon);
  std::vector<std::string> parts;
  for (const std::string& p : eval::split_top_level(spec.substr(colon + 1))) {
    if (!parts.empty() && (p.empty() || p[0] != '/')) {
      parts.back() += "," + p;  // a value with a comma
    } else {
      parts.push_back(p);
    }
  }
  for (const std::string& p : parts) {
    auto o = parse_set(p);
    if (!o) {
      set_why(why, fmt::format("found '{}', {}", spec, expected));
      return std::nullopt;
    }
    v.overrides.push_back(std::move(*o));
  }
  return v;
}

}  // namespace orchsim::cli
