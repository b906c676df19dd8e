#include "scenarios/calibration/json_layout.hpp"

namespace orchsim::calibration {

namespace {

constexpr std::size_t kWidth = 100;

std::string inline_dump(const nlohmann::ordered_json& v) {
  if (!v.is_structured() || v.empty()) return v.dump();
  std::string out = v.is_object() ? "{ " : "[";
  bool first = true;
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      out += (first ? "" : ", ") + nlohmann::ordered_json(it.key()).dump() + ": " +
             inline_dump(it.value());
      first = false;
    }
    return out + " }";
  }
  for (const auto& e : v) {
    out += (first ? "" : ", ") + inline_dump(e);
    first = false;
  }
  return out + "]";
}

void lay(const nlohmann::ordered_json& v, int indent, std::size_t used, std::string& out) {
  const std::string flat = inline_dump(v);
  if (used + flat.size() <= kWidth || !v.is_structured() || v.empty()) {
    out += flat;
    return;
  }
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  if (v.is_object()) {
    out += "{\n";
    std::size_t i = 0;
    for (auto it = v.begin(); it != v.end(); ++it, ++i) {
      const std::string key = nlohmann::ordered_json(it.key()).dump() + ": ";
      out += pad + key;
      lay(it.value(), indent + 2, pad.size() + key.size(), out);
      out += i + 1 < v.size() ? ",\n" : "\n";
    }
    out += std::string(static_cast<std::size_t>(indent), ' ') + "}";
    return;
  }
  // Arrays: pack short elements; a long one gets its own line(s).
  out += "[\n" + pad;
  std::size_t column = pad.size();
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string e = inline_dump(v[i]);
    const std::string sep = i + 1 < v.size() ? "," : "";
    if (column > pad.size() && column + 1 + e.size() + sep.size() > kWidth) {
      out += "\n" + pad;
      column = pad.size();
    } else if (column > pad.size()) {
      out += " ";
      ++column;
    }
    if (e.size() + column > kWidth && v[i].is_structured()) {
      lay(v[i], indent + 2, column, out);
      out += sep;
      if (i + 1 < v.size()) {
        out += "\n" + pad;
        column = pad.size();
      }
      continue;
    }
    out += e + sep;
    column += e.size() + sep.size();
  }
  out += "\n" + std::string(static_cast<std::size_t>(indent), ' ') + "]";
}

}  // namespace

std::string layout_json(const nlohmann::ordered_json& value, int indent) {
  std::string out;
  lay(value, indent, static_cast<std::size_t>(indent), out);
  return out;
}

}  // namespace orchsim::calibration
