#include "scenarios/calibration/input_format.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenarios/calibration/azure_reader.hpp"
#include "scenarios/calibration/csv_reader.hpp"
#include "scenarios/calibration/llmperf_reader.hpp"
#include "scenarios/calibration/otlp_json_reader.hpp"
#include "scenarios/text_lines.hpp"

namespace orchsim::calibration {

using scenarios::TextLines;

std::string_view to_string(InputFormat format) {
  switch (format) {
    case InputFormat::kAuto:
      return "auto";
    case InputFormat::kLlmperf:
      return "llmperf";
    case InputFormat::kOtlpJson:
      return "otlp_json";
    case InputFormat::kCsv:
      return "csv";
    case InputFormat::kAzure:
      return "azure";
  }
  return "auto";
}

bool parse_input_format(std::string_view text, InputFormat& out) {
  for (InputFormat f : {InputFormat::kAuto, InputFormat::kLlmperf, InputFormat::kOtlpJson,
                        InputFormat::kCsv, InputFormat::kAzure}) {
    if (text == to_string(f)) {
      out = f;
      return true;
    }
  }
  if (text == "otlp") {
    out = InputFormat::kOtlpJson;
    return true;
  }
  return false;
}

InputFormat detect_format(const std::string& text, bool& is_summary) {
  is_summary = false;
  std::size_t i = 0;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;
  while (i < text.size() &&
         (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) {
    ++i;
  }
  if (i < text.size() && text[i] == '[') return InputFormat::kLlmperf;
  if (i < text.size() && text[i] == '{') {
    if (is_llmperf_summary(text)) {
      is_summary = true;
      return InputFormat::kAuto;
    }
    return InputFormat::kOtlpJson;
  }
  TextLines lines(text);
  std::string_view first;
  std::size_t n = 0;
  if (lines.next(first, n) && is_azure_header(first)) return InputFormat::kAzure;
  return InputFormat::kCsv;
}

Result<std::string> read_file_text(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return InputError{.file = path, .message = "is a folder, expected a measurement file"};
  }
  // A device or a FIFO (/dev/zero, a named pipe) would be read until memory ran out.
  const auto status = std::filesystem::status(path, ec);
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    return InputError{.file = path,
                      .message =
                          "is not a regular file (a device or a pipe), expected a "
                          "measurement file"};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return InputError{.file = path, .message = "cannot open for reading"};
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return InputError{.file = path, .message = "read error"};
  return ss.str();
}

std::optional<InputError> read_measurements(const std::string& path, InputFormat format,
                                            const ReadOptions& options, Measurements& out,
                                            std::vector<std::string>& notes) {
  auto text = read_file_text(path);
  if (!text.ok()) return text.error();
  if (text.value().find_first_not_of(" \t\r\n") == std::string::npos) {
    return InputError{.file = path, .message = "is empty, expected measurements"};
  }
  if (format == InputFormat::kAuto) {
    bool summary = false;
    format = detect_format(text.value(), summary);
    if (summary) {
      notes.push_back(
          fmt::format("{}: an LLMPerf summary, skipped (its per-request file is "
                      "what gets fitted; the summary names its model)",
                      path));
      return std::nullopt;
    }
  }
  switch (format) {
    case InputFormat::kLlmperf:
      return read_llmperf(path, text.value(), options, out);
    case InputFormat::kOtlpJson:
      return read_otlp_json(path, text.value(), options, out);
    case InputFormat::kAzure:
      return read_azure(path, text.value(), out);
    case InputFormat::kCsv:
    case InputFormat::kAuto:
      return read_csv(path, text.value(), options, out);
  }
  return std::nullopt;
}

}  // namespace orchsim::calibration
