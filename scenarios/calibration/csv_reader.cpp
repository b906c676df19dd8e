#include "scenarios/calibration/csv_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "scenarios/csv_line.hpp"
#include "scenarios/text_lines.hpp"
#include "scenarios/timestamp.hpp"

namespace orchsim::calibration {

using scenarios::ascii_lower;
using scenarios::is_blank_or_comment;
using scenarios::parse_number;
using scenarios::parse_timestamp;
using scenarios::split_csv_line;
using scenarios::TextLines;
using scenarios::trim_blanks;

namespace {

enum class Column {
  kLatencyMs,
  kLatencyS,
  kTtftMs,
  kTtftS,
  kInputTokens,
  kOutputTokens,
  kError,
  kErrorMessage,
  kRetryAfterMs,
  kRetryAfterS,
  kModel,
  kProvider,
  kOperation,
  kArrivalMs,
  kArrivalS,
  kTimestamp,
  kClass,
  kUnknown
};

const std::vector<std::pair<std::string, Column>>& column_table() {
  static const std::vector<std::pair<std::string, Column>> k = {
      {"latency_ms", Column::kLatencyMs},
      {"latency_s", Column::kLatencyS},
      {"ttft_ms", Column::kTtftMs},
      {"ttft_s", Column::kTtftS},
      {"input_tokens", Column::kInputTokens},
      {"output_tokens", Column::kOutputTokens},
      {"error", Column::kError},
      {"error_message", Column::kErrorMessage},
      {"retry_after_ms", Column::kRetryAfterMs},
      {"retry_after_s", Column::kRetryAfterS},
      {"model", Column::kModel},
      {"provider", Column::kProvider},
      {"operation", Column::kOperation},
      {"arrival_ms", Column::kArrivalMs},
      {"arrival_s", Column::kArrivalS},
      {"timestamp", Column::kTimestamp},
      {"class", Column::kClass}};
  return k;
}

}  // namespace

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> k = [] {
    std::vector<std::string> names;
    for (const auto& [name, column] : column_table()) names.push_back(name);
    return names;
  }();
  return k;
}

std::optional<InputError> read_csv(const std::string& path, const std::string& text,
                                   const ReadOptions& options, Measurements& out) {
  TextLines lines(text);
  std::string_view line;
  std::size_t line_number = 0;
  std::vector<std::string> fields;
  // The header: the first line that is not blank or a comment.
  bool have_header = false;
  while (lines.next(line, line_number)) {
    if (is_blank_or_comment(line)) continue;
    have_header = true;
    break;
  }
  if (!have_header) {
    return InputError{.file = path,
                      .message =
                          "found no header line, expected a CSV whose "
                          "first line names its columns"};
  }
  if (auto problem = split_csv_line(line, fields)) {
    return InputError{.file = path, .line = line_number, .message = *problem};
  }
  std::vector<Column> columns;
  std::vector<std::string> unknown;
  std::map<Column, std::string> seen;
  for (const std::string& f : fields) {
    const std::string name = ascii_lower(trim_blanks(f));
    const auto& table = column_table();
    const auto it = std::find_if(table.begin(), table.end(),
                                 [&name](const auto& e) { return e.first == name; });
    const Column c = it == table.end() ? Column::kUnknown : it->second;
    if (c == Column::kUnknown) {
      unknown.push_back(std::string(trim_blanks(f)));
    } else if (!seen.emplace(c, name).second) {
      return InputError{.file = path,
                        .line = line_number,
                        .message = fmt::format("found the column \"{}\" twice, expected each "
                                               "column once",
                                               name)};
    }
    columns.push_back(c);
  }
  const auto has = [&seen](Column c) { return seen.count(c) > 0; };
  for (const auto& [a, b] : {std::pair{Column::kLatencyMs, Column::kLatencyS},
                             std::pair{Column::kTtftMs, Column::kTtftS},
                             std::pair{Column::kRetryAfterMs, Column::kRetryAfterS}}) {
    if (has(a) && has(b)) {
      return InputError{.file = path,
                        .line = line_number,
                        .message = fmt::format("found both \"{}\" and \"{}\", expected one unit",
                                               seen[a], seen[b])};
    }
  }
  if (int(has(Column::kArrivalMs)) + int(has(Column::kArrivalS)) + int(has(Column::kTimestamp)) >
      1) {
    return InputError{.file = path,
                      .line = line_number,
                      .message =
                          "found more than one of arrival_ms, arrival_s, timestamp, "
                          "expected one arrival column"};
  }
  if (seen.empty()) {
    std::string known;
    for (const auto& n : csv_columns()) known += (known.empty() ? "" : ", ") + n;
    return InputError{.file = path,
                      .line = line_number,
                      .message = fmt::format("found no known column (header: {}), expected some "
                                             "of: {}",
                                             std::string(line), known)};
  }
  const std::uint32_t source = out.add_source(path, "csv");
  if (!unknown.empty()) {
    std::string list;
    for (const auto& u : unknown) list += (list.empty() ? "" : ", ") + u;
    out.sources[source].notes.push_back(fmt::format("unknown columns (ignored): {}", list));
  }

  Label label{.source = source};
  Label last_label;
  std::uint32_t last_index = 0;
  bool have_last = false;
  while (lines.next(line, line_number)) {
    if (is_blank_or_comment(line)) continue;
    if (auto problem = split_csv_line(line, fields)) {
      return InputError{.file = path, .line = line_number, .message = *problem};
    }
    if (fields.size() != columns.size()) {
      return InputError{.file = path,
                        .line = line_number,
                        .message = fmt::format("found {} fields, expected {} (one per header "
                                               "column)",
                                               fields.size(), columns.size())};
    }
    Observation o;
    std::string error, message;
    label.model.clear();
    label.provider.clear();
    label.operation.clear();
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const std::string_view cell = trim_blanks(fields[i]);
      const Column c = columns[i];
      if (c == Column::kUnknown || c == Column::kClass) continue;
      if (c == Column::kModel) {
        label.model = cell;
        continue;
      }
      if (c == Column::kProvider) {
        label.provider = cell;
        continue;
      }
      if (c == Column::kOperation) {
        label.operation = cell;
        continue;
      }
      if (c == Column::kError) {
        error = cell;
        continue;
      }
      if (c == Column::kErrorMessage) {
        message = cell;
        continue;
      }
      if (cell.empty()) continue;  // not recorded
      const std::string& name = seen[c];
      if (c == Column::kTimestamp) {
        std::int64_t ns = 0;
        if (!parse_timestamp(cell, ns)) {
          return InputError{.file = path,
                            .line = line_number,
                            .message = fmt::format("found '{}' in column {}, expected a time "
                                                   "like 2023-11-16 18:17:03.98 (UTC)",
                                                   cell, name)};
        }
        o.start_ns = ns;
        continue;
      }
      double v = 0;
      const bool tokens = c == Column::kInputTokens || c == Column::kOutputTokens;
      // Tokens and arrival times become int64 (nanoseconds for arrivals): a
      // value past that range was an undefined conversion (UBSan, fuzz_fit_csv).
      const bool arrival = c == Column::kArrivalMs || c == Column::kArrivalS;
      const double most = tokens    ? kMaxTokens
                          : arrival ? (c == Column::kArrivalMs ? 9.2e12 : 9.2e9)
                                    : std::numeric_limits<double>::max();
      if (!parse_number(cell, v) || v < 0 || (tokens && v != std::floor(v)) || v > most) {
        return InputError{
            .file = path,
            .line = line_number,
            .message =
                fmt::format("found '{}' in column {}, expected {}", cell, name,
                            tokens    ? "a whole number of tokens >= 0 (at most 1e12)"
                            : arrival ? fmt::format("a number >= 0 (at most {:g}: 292 years)", most)
                                      : std::string("a number >= 0"))};
      }
      switch (c) {
        case Column::kLatencyMs:
          o.latency_ms = v;
          break;
        case Column::kLatencyS:
          o.latency_ms = v * 1e3;
          break;
        case Column::kTtftMs:
          o.ttft_ms = v;
          break;
        case Column::kTtftS:
          o.ttft_ms = v * 1e3;
          break;
        case Column::kInputTokens:
          o.input_tokens = static_cast<std::int64_t>(v);
          break;
        case Column::kOutputTokens:
          o.output_tokens = static_cast<std::int64_t>(v);
          break;
        case Column::kRetryAfterMs:
          o.retry_after_ms = v;
          break;
        case Column::kRetryAfterS:
          o.retry_after_ms = v * 1e3;
          break;
        case Column::kArrivalMs:
          o.start_ns = std::llround(v * 1e6);
          break;
        case Column::kArrivalS:
          o.start_ns = std::llround(v * 1e9);
          break;
        default:
          break;
      }
    }
    if (o.ttft_ms && o.latency_ms && *o.ttft_ms > *o.latency_ms) {
      return InputError{.file = path,
                        .line = line_number,
                        .message = fmt::format("found a time to first token ({} ms) above the "
                                               "latency ({} ms), expected ttft <= latency",
                                               *o.ttft_ms, *o.latency_ms)};
    }
    if (!error.empty()) {
      const ErrorClass ec = options.errors.classify(error, message);
      o.outcome = ec.outcome;
      o.error_recognised = ec.recognised;
      if (o.outcome != Outcome::kSuccess) o.error_code = error;
    }
    if (!have_last || !(label == last_label)) {
      last_index = out.intern(label);
      last_label = label;
      have_last = true;
    }
    o.label = last_index;
    out.observations.push_back(std::move(o));
    ++out.sources[source].records;
  }
  return std::nullopt;
}

}  // namespace orchsim::calibration
