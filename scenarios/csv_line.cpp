#include "scenarios/csv_line.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

namespace orchsim::scenarios {

std::optional<std::string> split_csv_line(std::string_view line, std::vector<std::string>& fields) {
  fields.clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string field;
  bool quoted = false;      // inside a quoted field
  bool was_quoted = false;  // this field started with a quote
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = true;
      was_quoted = true;
    } else {
      field += c;
    }
  }
  if (quoted) return "found an unterminated quote, expected a closing \" on the same line";
  fields.push_back(std::move(field));
  return std::nullopt;
}

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool parse_number(std::string_view text, double& out) {
  text = trim_blanks(text);
  const char* b = text.data();
  const char* e = text.data() + text.size();
  if (b != e && *b == '+') ++b;
  if (b == e) return false;
  double v = 0;
  const auto [stop, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || stop != e || !std::isfinite(v)) return false;
  out = v;
  return true;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace orchsim::scenarios
