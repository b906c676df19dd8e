#include "scenarios/calibration/json_text.hpp"

#include <fmt/format.h>

#include <cmath>

namespace orchsim::calibration {

std::optional<InputError> parse_json_text(const std::string& path, const std::string& text,
                                          nlohmann::json& out, std::size_t first_line) {
  try {
    out = nlohmann::json::parse(text);
    return std::nullopt;
  } catch (const nlohmann::json::parse_error& e) {
    const std::size_t offset = e.byte == 0 ? 0 : e.byte - 1;
    std::size_t line = first_line, column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string what = e.what();
    const auto pos = what.find("syntax error");
    return InputError{.file = path,
                      .line = line,
                      .message = fmt::format("not valid JSON at column {}: {}", column,
                                             pos == std::string::npos ? what : what.substr(pos))};
  } catch (const nlohmann::json::out_of_range& e) {
    // nlohmann 3.11 throws this, without a position, for a number no double
    // can hold (found by fuzz_fit_llmperf and fuzz_fit_otlp_json: it aborted).
    const std::string what = e.what();
    const auto open = what.find('\''), close = what.rfind('\'');
    return InputError{
        .file = path,
        .line = first_line,
        .message = fmt::format("found the number {}, expected a finite number (a double: at most "
                               "about 1.8e308)",
                               open < close ? what.substr(open + 1, close - open - 1) : what)};
  }
}

std::string json_kind(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string: {
      std::string s = j.get<std::string>();
      if (s.size() > 40) s = s.substr(0, 37) + "...";
      return fmt::format("the string \"{}\"", s);
    }
    case nlohmann::json::value_t::boolean:
      return j.get<bool>() ? "true" : "false";
    default:
      return fmt::format("the number {}", j.dump());
  }
}

std::optional<InputError> number_at(const std::string& path, const nlohmann::json& obj,
                                    const std::string& at, const char* key, double min_value,
                                    double& out, double max_value) {
  const std::string where = at + "/" + key;
  const auto it = obj.find(key);
  if (it == obj.end()) {
    return InputError{.file = path, .pointer = where, .message = "missing, expected a number"};
  }
  if (!it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() < min_value ||
      it->get<double>() > max_value) {
    const std::string bound = max_value < std::numeric_limits<double>::max()
                                  ? fmt::format(" (at most {:g})", max_value)
                                  : std::string();
    return InputError{.file = path,
                      .pointer = where,
                      .message = fmt::format("found {}, expected a number >= {}{}", json_kind(*it),
                                             min_value, bound)};
  }
  out = it->get<double>();
  return std::nullopt;
}

}  // namespace orchsim::calibration
