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

// What the header says: each field's column, the names it does not know,
// and the known columns by the name the file gives them.
struct Header {
  std::vector<Column> columns;
  std::vector<std::string> unknown;
  std::map<Column, std::string> seen;

  bool has(Column c) const { return seen.count(c) > 0; }
};

InputError error_at(const std::string& path, std::size_t line_number, std::string message) {
  return InputError{.file = path, .line = line_number, .message = std::move(message)};
}

// The header's fields as columns: each known column once, one unit of each
// quantity, one arrival column, at least one known column.
std::optional<InputError> read_header(const std::vector<std::string>& fields, std::string_view line,
                                      const std::string& path, std::size_t line_number, Header& h) {
  for (const std::string& f : fields) {
    const std::string name = ascii_lower(trim_blanks(f));
    const auto& table = column_table();
    const auto it = std::find_if(table.begin(), table.end(),
                                 [&name](const auto& e) { return e.first == name; });
    const Column c = it == table.end() ? Column::kUnknown : it->second;
    if (c == Column::kUnknown) {
      h.unknown.push_back(std::string(trim_blanks(f)));
    } else if (!h.seen.emplace(c, name).second) {
      return error_at(
          path, line_number,
          fmt::format("found the column \"{}\" twice, expected each column once", name));
    }
    h.columns.push_back(c);
  }
  for (const auto& [a, b] : {std::pair{Column::kLatencyMs, Column::kLatencyS},
                             std::pair{Column::kTtftMs, Column::kTtftS},
                             std::pair{Column::kRetryAfterMs, Column::kRetryAfterS}}) {
    if (h.has(a) && h.has(b)) {
      return error_at(path, line_number,
                      fmt::format("found both \"{}\" and \"{}\", expected one unit", h.seen.at(a),
                                  h.seen.at(b)));
    }
  }
  if (int(h.has(Column::kArrivalMs)) + int(h.has(Column::kArrivalS)) +
          int(h.has(Column::kTimestamp)) >
      1) {
    return error_at(path, line_number,
                    "found more than one of arrival_ms, arrival_s, timestamp, "
                    "expected one arrival column");
  }
  if (h.seen.empty()) {
    std::string known;
    for (const auto& n : csv_columns()) known += (known.empty() ? "" : ", ") + n;
    return error_at(path, line_number,
                    fmt::format("found no known column (header: {}), expected some of: {}",
                                std::string(line), known));
  }
  return std::nullopt;
}

// A cell of a text column: the label's model, provider or operation, or the
// error and its message. False: c is not a text column.
bool read_text_cell(Column c, std::string_view cell, Label& label, std::string& error,
                    std::string& message) {
  switch (c) {
    case Column::kModel:
      label.model = cell;
      return true;
    case Column::kProvider:
      label.provider = cell;
      return true;
    case Column::kOperation:
      label.operation = cell;
      return true;
    case Column::kError:
      error = cell;
      return true;
    case Column::kErrorMessage:
      message = cell;
      return true;
    default:
      return false;
  }
}

// A recorded cell of a time or number column, into the observation.
std::optional<InputError> read_value_cell(Column c, std::string_view cell, const std::string& name,
                                          const std::string& path, std::size_t line_number,
                                          Observation& o) {
  if (c == Column::kTimestamp) {
    std::int64_t ns = 0;
    if (!parse_timestamp(cell, ns)) {
      return error_at(path, line_number,
                      fmt::format("found '{}' in column {}, expected a time "
                                  "like 2023-11-16 18:17:03.98 (UTC)",
                                  cell, name));
    }
    o.start_ns = ns;
    return std::nullopt;
  }
  double v = 0;
  const bool tokens = c == Column::kInputTokens || c == Column::kOutputTokens;
  // Tokens and times become int64 (nanoseconds for times): a value past
  // that range was an undefined conversion (UBSan, fuzz_fit_csv).
  const bool in_seconds = c == Column::kLatencyS || c == Column::kTtftS ||
                          c == Column::kRetryAfterS || c == Column::kArrivalS;
  const double most = tokens ? kMaxTokens : in_seconds ? kMaxSeconds : kMaxSeconds * 1e3;
  if (!parse_number(cell, v) || v < 0 || (tokens && v != std::floor(v)) || v > most) {
    return error_at(
        path, line_number,
        fmt::format("found '{}' in column {}, expected {}", cell, name,
                    tokens ? "a whole number of tokens >= 0 (at most 1e12)"
                           : fmt::format("a number >= 0 (at most {:g}: 292 years)", most)));
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
  return std::nullopt;
}

// One record's fields: the observation, and the label's text columns.
std::optional<InputError> read_record(const Header& h, const std::vector<std::string>& fields,
                                      const std::string& path, std::size_t line_number,
                                      const ReadOptions& options, Observation& o, Label& label) {
  std::string error, message;
  label.model.clear();
  label.provider.clear();
  label.operation.clear();
  for (std::size_t i = 0; i < h.columns.size(); ++i) {
    const std::string_view cell = trim_blanks(fields[i]);
    const Column c = h.columns[i];
    if (c == Column::kUnknown || c == Column::kClass) continue;
    if (read_text_cell(c, cell, label, error, message)) continue;
    if (cell.empty()) continue;  // not recorded
    if (auto e = read_value_cell(c, cell, h.seen.at(c), path, line_number, o)) return e;
  }
  if (o.ttft_ms && o.latency_ms && *o.ttft_ms > *o.latency_ms) {
    return error_at(path, line_number,
                    fmt::format("found a time to first token ({} ms) above the "
                                "latency ({} ms), expected ttft <= latency",
                                *o.ttft_ms, *o.latency_ms));
  }
  if (!error.empty()) {
    const ErrorClass ec = options.errors.classify(error, message);
    o.outcome = ec.outcome;
    o.error_recognised = ec.recognised;
    if (o.outcome != Outcome::kSuccess) o.error_code = error;
  }
  return std::nullopt;
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
  Header h;
  if (auto e = read_header(fields, line, path, line_number, h)) return e;
  const std::uint32_t source = out.add_source(path, "csv");
  if (!h.unknown.empty()) {
    std::string list;
    for (const auto& u : h.unknown) list += (list.empty() ? "" : ", ") + u;
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
    if (fields.size() != h.columns.size()) {
      return error_at(path, line_number,
                      fmt::format("found {} fields, expected {} (one per header column)",
                                  fields.size(), h.columns.size()));
    }
    Observation o;
    if (auto e = read_record(h, fields, path, line_number, options, o, label)) return e;
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
