#include "scenarios/calibration/azure_reader.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <vector>

#include "scenarios/csv_line.hpp"
#include "scenarios/text_lines.hpp"
#include "scenarios/timestamp.hpp"

namespace orchsim::calibration {

using scenarios::is_blank_or_comment;
using scenarios::parse_number;
using scenarios::parse_timestamp;
using scenarios::split_csv_line;
using scenarios::TextLines;
using scenarios::trim_blanks;

bool is_azure_header(std::string_view header) {
  std::vector<std::string> fields;
  if (split_csv_line(header, fields) || fields.size() != 3) return false;
  return trim_blanks(fields[0]) == "TIMESTAMP" && trim_blanks(fields[1]) == "ContextTokens" &&
         trim_blanks(fields[2]) == "GeneratedTokens";
}

std::optional<InputError> read_azure(const std::string& path, const std::string& text,
                                     Measurements& out) {
  TextLines lines(text);
  std::string_view line;
  std::size_t number = 0;
  if (!lines.next(line, number) || !is_azure_header(line)) {
    return InputError{.file = path,
                      .line = 1,
                      .message = fmt::format("found the header '{}', expected "
                                             "'TIMESTAMP,ContextTokens,GeneratedTokens' (the "
                                             "Azure LLM inference trace)",
                                             std::string(line))};
  }
  const std::uint32_t source = out.add_source(path, "azure");
  const std::uint32_t label =
      out.intern(Label{.provider = std::filesystem::path(path).stem().string(), .source = source});
  std::vector<std::string> fields;
  while (lines.next(line, number)) {
    if (is_blank_or_comment(line)) continue;
    if (auto problem = split_csv_line(line, fields)) {
      return InputError{.file = path, .line = number, .message = *problem};
    }
    if (fields.size() != 3) {
      return InputError{.file = path,
                        .line = number,
                        .message = fmt::format("found {} fields, expected 3 (TIMESTAMP, "
                                               "ContextTokens, GeneratedTokens)",
                                               fields.size())};
    }
    Observation o;
    o.label = label;
    std::int64_t ns = 0;
    if (!parse_timestamp(fields[0], ns)) {
      return InputError{.file = path,
                        .line = number,
                        .message = fmt::format("found '{}' in TIMESTAMP, expected a time like "
                                               "2023-11-16 18:17:03.9799600",
                                               fields[0])};
    }
    o.start_ns = ns;
    for (int k = 1; k <= 2; ++k) {
      double v = 0;
      if (!parse_number(fields[k], v) || v < 0 || v != std::floor(v)) {
        return InputError{
            .file = path,
            .line = number,
            .message = fmt::format("found '{}' in {}, expected a whole number of "
                                   "tokens >= 0",
                                   fields[k], k == 1 ? "ContextTokens" : "GeneratedTokens")};
      }
      if (!(v <= kMaxTokens)) {
        return InputError{
            .file = path,
            .line = number,
            .message = fmt::format("found '{}' in {}, expected at most {:g} tokens", fields[k],
                                   k == 1 ? "ContextTokens" : "GeneratedTokens", kMaxTokens)};
      }
      (k == 1 ? o.input_tokens : o.output_tokens) = static_cast<std::int64_t>(v);
    }
    out.observations.push_back(std::move(o));
    ++out.sources[source].records;
  }
  return std::nullopt;
}

}  // namespace orchsim::calibration
