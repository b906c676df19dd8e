#include "scenarios/replay_trace.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "scenarios/csv_line.hpp"
#include "scenarios/diagnostics.hpp"
#include "scenarios/text_lines.hpp"
#include "scenarios/timestamp.hpp"

namespace orchsim::scenarios {

namespace {

[[noreturn]] void fail(const std::string& path, std::size_t line, const std::string& what) {
  throw std::runtime_error(fmt::format("{}:{}: {}", path, line, what));
}

// An arrival's offset divided by rate_scale, in whole nanoseconds. A scale
// below 1 stretches the trace: what no longer fits the simulator's time
// (int64 ns, 292 years) is refused, not wrapped around to a negative time.
std::int64_t scaled_ns(std::int64_t offset_ns, double rate_scale, const std::string& where) {
  if (rate_scale == 1.0) return offset_ns;
  const double ns = static_cast<double>(offset_ns) / rate_scale;
  if (!(ns < 9.2e18)) {
    throw std::runtime_error(fmt::format(
        "{}: found an arrival {:.6g} ms after the first, expected at most {:.6g} ms with "
        "rate_scale {} (the simulator's time ends 292 years in)",
        where, static_cast<double>(offset_ns) * 1e-6, 9.2e12 * rate_scale, rate_scale));
  }
  return std::llround(ns);
}

enum class Column { kArrivalMs, kArrivalS, kTimestamp, kInput, kOutput, kClass, kIgnored };

struct Header {
  std::vector<Column> columns;
  bool azure = false;

  bool has(Column c) const {
    for (Column x : columns) {
      if (x == c) return true;
    }
    return false;
  }
};

Header read_header(const std::string& path, std::size_t line, const std::vector<std::string>& f) {
  Header h;
  const auto name = [&](std::size_t i) { return std::string(trim_blanks(f[i])); };
  if (f.size() == 3 && name(0) == "TIMESTAMP" && name(1) == "ContextTokens" &&
      name(2) == "GeneratedTokens") {
    h.azure = true;
    h.columns = {Column::kTimestamp, Column::kInput, Column::kOutput};
    return h;
  }
  static const std::vector<std::pair<std::string, Column>> known = {
      {"arrival_ms", Column::kArrivalMs}, {"arrival_s", Column::kArrivalS},
      {"timestamp", Column::kTimestamp},  {"input_tokens", Column::kInput},
      {"output_tokens", Column::kOutput}, {"class", Column::kClass}};
  std::vector<std::string> names;
  for (const auto& [n, c] : known) names.push_back(n);
  int arrival_columns = 0;
  std::vector<Column> seen;
  for (std::size_t i = 0; i < f.size(); ++i) {
    const std::string n = ascii_lower(trim_blanks(f[i]));
    Column c = Column::kIgnored;
    for (const auto& [k, col] : known) {
      if (n == k) c = col;
    }
    if (c == Column::kIgnored) {
      const std::string near = closest_match(n, names);
      if (!near.empty()) {
        fail(path, line,
             fmt::format("found the column '{}', expected one of {} (did you mean "
                         "'{}'?); other columns are ignored",
                         name(i),
                         "arrival_ms, arrival_s, timestamp, input_tokens, "
                         "output_tokens, class",
                         near));
      }
    } else {
      for (Column s : seen) {
        if (s == c) fail(path, line, fmt::format("found the column '{}' twice", n));
      }
      seen.push_back(c);
      if (c == Column::kArrivalMs || c == Column::kArrivalS || c == Column::kTimestamp) {
        ++arrival_columns;
      }
    }
    h.columns.push_back(c);
  }
  if (arrival_columns != 1) {
    fail(path, line,
         fmt::format("found {} arrival columns, expected exactly one of arrival_ms, arrival_s, "
                     "timestamp",
                     arrival_columns));
  }
  return h;
}

// The whole file. Read whole before anything else: /dev/zero or a FIFO would
// never end (load_replay_csv, which this used to go through first, refuses
// them too).
std::string read_whole(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    throw std::runtime_error(
        fmt::format("{}: not a regular file, expected a CSV file of arrivals", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open for reading", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The old format, one arrival per line, read by load_replay_csv.
void load_arrivals_only(const std::string& path, double rate_scale, ReplayTrace& trace) {
  trace.arrivals = load_replay_csv(path);
  if (rate_scale == 1.0) return;
  for (std::size_t i = 0; i < trace.arrivals.offsets.size(); ++i) {
    sim::Duration& d = trace.arrivals.offsets[i];
    d = sim::Duration::nanoseconds(
        scaled_ns(d.count_ns(), rate_scale, fmt::format("{}: arrival {}", path, i + 1)));
  }
}

// One request of the trace: its arrival (ns, from the file's own origin),
// tokens (-1: drawn) and class ("": drawn).
struct Row {
  std::int64_t at_ns = 0;
  std::int64_t input = -1, output = -1;
  std::string cls;
};

// A number cell: an arrival time (ms or s) or a token count.
void read_number_cell(Column c, std::string_view cell, bool azure, const std::string& path,
                      std::size_t number, Row& row) {
  double v = 0;
  const bool tokens = c == Column::kInput || c == Column::kOutput;
  // Arrivals become int64 nanoseconds: at most 292 years' worth.
  const double most_arrival = c == Column::kArrivalMs ? 9.2e12 : 9.2e9;
  if (!parse_number(cell, v) || v < 0 || (tokens && (v != std::floor(v) || v > 9e15)) ||
      (!tokens && v > most_arrival)) {
    const char* what = c == Column::kArrivalMs  ? "arrival_ms"
                       : c == Column::kArrivalS ? "arrival_s"
                       : azure ? (c == Column::kInput ? "ContextTokens" : "GeneratedTokens")
                       : c == Column::kInput ? "input_tokens"
                                             : "output_tokens";
    fail(path, number,
         fmt::format("found '{}' in the {} column, expected {}", cell, what,
                     tokens ? "a whole number of tokens >= 0" : "a number >= 0"));
  }
  switch (c) {
    case Column::kArrivalMs:
      row.at_ns = std::llround(v * 1e6);
      break;
    case Column::kArrivalS:
      row.at_ns = std::llround(v * 1e9);
      break;
    case Column::kInput:
      row.input = static_cast<std::int64_t>(v);
      break;
    case Column::kOutput:
      row.output = static_cast<std::int64_t>(v);
      break;
    default:
      break;
  }
}

Row read_row(const Header& header, const std::vector<std::string>& fields, const std::string& path,
             std::size_t number) {
  Row row;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string_view cell = trim_blanks(fields[i]);
    const Column c = header.columns[i];
    if (c == Column::kIgnored) continue;
    if (c == Column::kClass) {
      row.cls = cell;
      continue;
    }
    if (c == Column::kTimestamp) {
      if (!parse_timestamp(cell, row.at_ns)) {
        fail(path, number,
             fmt::format("found '{}' in the {} column, expected a time like "
                         "2023-11-16 18:17:03.9799600 (UTC)",
                         cell, header.azure ? "TIMESTAMP" : "timestamp"));
      }
      continue;
    }
    if ((c == Column::kInput || c == Column::kOutput) && cell.empty()) continue;  // blank: drawn
    read_number_cell(c, cell, header.azure, path, number, row);
  }
  return row;
}

}  // namespace

std::variant<ReplayTrace, std::string> read_replay_trace(const std::string& path,
                                                         double rate_scale) {
  // The readers stop at the first problem by throwing std::runtime_error
  // (load_replay_csv's contract); every one is a problem of the file, caught
  // here so that no caller picks an error kind from an exception.
  try {
    return load_replay_trace(path, rate_scale);
  } catch (const std::runtime_error& e) {
    return std::string(e.what());
  }
}

ReplayTrace load_replay_trace(const std::string& path, double rate_scale) {
  if (!(rate_scale > 0.0) || !std::isfinite(rate_scale)) {
    throw std::runtime_error(fmt::format("{}: rate_scale {} must be > 0", path, rate_scale));
  }
  const std::string text = read_whole(path);
  TextLines lines(text);
  std::string_view line;
  std::size_t number = 0;
  std::vector<std::string> fields;
  bool found = false;
  while (lines.next(line, number)) {
    if (!is_blank_or_comment(line)) {
      found = true;
      break;
    }
  }
  ReplayTrace trace;
  trace.arrivals.source = path;
  // One value per line: the old arrivals-only format, read as before.
  if (!found || line.find(',') == std::string_view::npos ||
      trim_blanks(line).find(',') == trim_blanks(line).size() - 1) {
    load_arrivals_only(path, rate_scale, trace);
    return trace;
  }
  if (auto problem = split_csv_line(line, fields)) fail(path, number, *problem);
  const Header header = read_header(path, number, fields);
  std::optional<std::int64_t> origin;
  std::int64_t previous = 0;
  std::size_t previous_line = 0;
  while (lines.next(line, number)) {
    if (is_blank_or_comment(line)) continue;
    if (auto problem = split_csv_line(line, fields)) fail(path, number, *problem);
    if (fields.size() != header.columns.size()) {
      fail(path, number,
           fmt::format("found {} fields, expected {} (one per header column)", fields.size(),
                       header.columns.size()));
    }
    Row row = read_row(header, fields, path, number);
    if (!origin) origin = header.has(Column::kTimestamp) ? row.at_ns : 0;
    if (!trace.lines.empty() && row.at_ns < previous) {
      fail(path, number,
           fmt::format("found an arrival before the one on line {}, expected arrivals in order",
                       previous_line));
    }
    // Timestamps span 1678..2261, more than an int64 of nanoseconds holds
    // as a difference: a trace longer than the simulator's time is refused
    // (the subtraction overflowed before; found by fuzz_replay_trace).
    std::int64_t offset = 0;
    if (__builtin_sub_overflow(row.at_ns, *origin, &offset)) {
      fail(path, number,
           "found an arrival more than 292 years after the first, expected a trace that fits "
           "the simulator's time (int64 nanoseconds)");
    }
    previous = row.at_ns;
    previous_line = number;
    trace.arrivals.offsets.push_back(sim::Duration::nanoseconds(
        scaled_ns(offset, rate_scale, fmt::format("{}:{}", path, number))));
    trace.lines.push_back(number);
    if (header.has(Column::kInput)) trace.input_tokens.push_back(row.input);
    if (header.has(Column::kOutput)) trace.output_tokens.push_back(row.output);
    if (header.has(Column::kClass)) trace.class_names.push_back(std::move(row.cls));
  }
  return trace;
}

std::variant<ReplayAttributes, std::string> bind_replay(const ReplayTrace& trace,
                                                        const std::vector<std::string>& classes) {
  ReplayAttributes a;
  a.input_tokens = trace.input_tokens;
  a.output_tokens = trace.output_tokens;
  for (std::size_t i = 0; i < trace.class_names.size(); ++i) {
    const std::string& name = trace.class_names[i];
    if (name.empty()) {
      a.class_index.push_back(ReplayAttributes::kNoClass);
      continue;
    }
    std::uint32_t index = ReplayAttributes::kNoClass;
    for (std::size_t k = 0; k < classes.size(); ++k) {
      if (classes[k] == name) index = static_cast<std::uint32_t>(k);
    }
    if (index == ReplayAttributes::kNoClass) {
      std::string list;
      for (const auto& c : classes) list += (list.empty() ? "" : ", ") + c;
      return fmt::format("{}:{}: found class '{}', expected one of the workload's classes ({})",
                         trace.arrivals.source, trace.lines[i], name, list);
    }
    a.class_index.push_back(index);
  }
  return a;
}

}  // namespace orchsim::scenarios
