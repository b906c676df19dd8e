// Fuzz target: a replayed production trace (`"arrivals": {"replay": {"file":
// ..., "rate_scale": s}}`, scenarios/replay_trace.hpp): arrival offsets alone,
// the Azure trace, or named columns with tokens and classes. The input is
// written to a file of its own (the loader reads a path); a first line
// `# rate_scale: X` (a comment to the parser) sets the rate scale.
//
// Beyond "no crash, no sanitizer report": a refusal has a message; what
// loads binds to the workload's classes or says why not, has one attribute
// per arrival, and replays in order, every row once.
#include <unistd.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <variant>

#include "scenarios/replay_trace.hpp"

namespace {

double rate_scale_of(const std::string& text) {
  constexpr std::string_view kPrefix = "# rate_scale: ";
  if (text.compare(0, kPrefix.size(), kPrefix) != 0) return 1.0;
  const std::size_t end = text.find('\n');
  double x = 1.0;
  const char* first = text.data() + kPrefix.size();
  const char* last = text.data() + (end == std::string::npos ? text.size() : end);
  if (std::from_chars(first, last, x).ec != std::errc()) return 1.0;
  return x;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace orchsim;
  namespace fs = std::filesystem;
  static const std::string path =
      (fs::temp_directory_path() / ("orchsim_fuzz_replay_" + std::to_string(::getpid()) + ".csv"))
          .string();
  const std::string text(reinterpret_cast<const char*>(data), size);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
  }
  // As the loader reads it: a refusal is a value, never an exception.
  std::variant<scenarios::ReplayTrace, std::string> read =
      scenarios::read_replay_trace(path, rate_scale_of(text));
  if (const auto* why = std::get_if<std::string>(&read)) {
    if (why->empty()) std::abort();
    return 0;  // refused, with a message: fine
  }
  const scenarios::ReplayTrace& trace = std::get<scenarios::ReplayTrace>(read);
  const std::size_t n = trace.arrivals.offsets.size();
  for (const std::size_t column :
       {trace.input_tokens.size(), trace.output_tokens.size(), trace.class_names.size()}) {
    if (column != 0 && column != n) std::abort();
  }
  const auto bound = scenarios::bind_replay(trace, {"default", "a"});
  if (const auto* why = std::get_if<std::string>(&bound); why && why->empty()) std::abort();
  const auto process = scenarios::make_arrival_process(trace.arrivals);  // throws: a bug
  sim::RandomStream stream(1, sim::StreamId{});
  sim::Time last = sim::Time::zero();
  std::size_t replayed = 0;
  while (const auto t = process->next(last, stream)) {
    if (*t < last) std::abort();  // out of order
    last = *t;
    ++replayed;
  }
  if (replayed != n) std::abort();
  return 0;
}
