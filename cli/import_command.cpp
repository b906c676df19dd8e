// `orchsim import asl`: an AWS Step Functions state machine as a scenario
// (scenarios/asl/import.hpp; docs/import.md).
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "eval/atomic_file.hpp"
#include "eval/io_status.hpp"
#include "scenarios/asl/import.hpp"

namespace orchsim::cli {

namespace {

namespace asl = scenarios::asl;

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Reads and parses an input file; a problem is printed and gives nullopt.
std::optional<scenarios::Json> read_json_file(const std::string& path, bool allow_comments) {
  const std::optional<std::string> text = read_file(path);
  if (!text) {
    std::cerr << fmt::format("orchsim: import: cannot read {}\n", path);
    return std::nullopt;
  }
  std::vector<scenarios::Diagnostic> errors;
  std::optional<scenarios::Json> doc = asl::parse_json(*text, path, allow_comments, errors);
  if (!doc) {
    asl::ImportResult r;
    r.errors = std::move(errors);
    std::cerr << r.format_errors();
  }
  return doc;
}

}  // namespace

int import_asl_command(const ImportAslArgs& args) {
  asl::ImportOptions options;
  options.name = args.name;
  options.description = args.description;
  options.requests = args.requests;
  // The extra inputs are orchsim files: `//` comments allowed, as in scenarios.
  if (args.agents) {
    options.agents = read_json_file(*args.agents, true);
    if (!options.agents) return kExitBadInput;
    options.agents_file = *args.agents;
  }
  if (args.choices) {
    options.choices = read_json_file(*args.choices, true);
    if (!options.choices) return kExitBadInput;
    options.choices_file = *args.choices;
  }
  if (args.workload) {
    options.workload = read_json_file(*args.workload, true);
    if (!options.workload) return kExitBadInput;
    options.workload_file = *args.workload;
  }
  const std::optional<std::string> text = read_file(args.file);
  if (!text) {
    std::cerr << fmt::format("orchsim: import: cannot read {}\n", args.file);
    return kExitBadInput;
  }
  const asl::ImportResult r = asl::import_asl(*text, args.file, options);
  if (!r.ok()) {
    std::cerr << r.format_errors();
    std::cerr << fmt::format("orchsim: import: {} not imported: nothing written\n", args.file);
    return kExitBadInput;
  }
  if (!args.quiet) std::cout << r.report(args.file);
  if (args.strict && !r.findings.full()) {
    std::cerr << fmt::format(
        "orchsim: import: --strict: {} has {} construct(s) orchsim cannot express (listed as "
        "unsupported above): nothing written\n",
        args.file, r.findings.count(asl::FindingKind::kUnsupported));
    return kExitBadInput;
  }
  const eval::Status written = eval::io_status([&] {
    eval::AtomicFile out(args.out);
    out.stream() << r.document(args.file, args.command_line);
    out.commit();
  });
  if (!written.ok()) {
    // The path the user gave with --out: bad input, as documented ("2 bad input").
    std::cerr << fmt::format("orchsim: import: {}\n", written.message());
    return kExitBadInput;
  }
  if (!args.quiet) {
    std::cout << fmt::format("wrote {} (orchsim validate {}, orchsim explain {})\n", args.out,
                             args.out, args.out);
  }
  return kExitOk;
}

}  // namespace orchsim::cli
