// The whole shared corpus (../shared/data/step-functions-asl: 106 real state
// machines from aws-samples): every file either imports fully into a
// scenario that validates and runs 1,000 requests with conservation, or
// reports each construct it cannot express, with a JSON pointer that is in
// the file; a file that is not JSON gets a clear error. At least 90% import
// fully. docs/import.md keeps the table this test prints.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/asl/asl_test_support.hpp"

namespace orchsim::scenarios::asl::asl_corpus_test {
namespace {

namespace fs = std::filesystem;
using namespace testing;

fs::path corpus_dir() { return fs::path(ORCHSIM_SHARED_DATA) / "step-functions-asl"; }

std::vector<fs::path> corpus() {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(corpus_dir(), ec)) {
    if (e.path().extension() == ".json") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Whether an RFC 6901 pointer names a value of the document.
bool resolves(const Json& doc, const std::string& pointer) {
  try {
    return doc.contains(Json::json_pointer(pointer));
  } catch (const std::exception&) {
    return false;
  }
}

TEST(AslCorpus, NinetyPercentImportFullyAndEveryImportRunsWithConservation) {
  const std::vector<fs::path> files = corpus();
  ASSERT_EQ(files.size(), 106u) << corpus_dir()
                                << ": the shared corpus (../shared/data beside "
                                   "the repository)";
  constexpr std::uint64_t kRequests = 1000;
  std::size_t full = 0, not_json = 0;
  std::map<std::string, std::size_t> blocked_by;  // what kept files from a full import
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    const std::string text = read(file);
    const ImportResult r = import_asl(text, file.filename().string());
    if (!r.ok()) {
      // Only a file that is not JSON may fail, with a clear error.
      ASSERT_EQ(r.errors.size(), 1u) << r.format_errors();
      EXPECT_EQ(r.errors[0].message.rfind("not valid JSON: line ", 0), 0u) << r.format_errors();
      ++not_json;
      ++blocked_by["not valid JSON (a template with placeholders)"];
      std::printf("[corpus] %-90s not JSON\n", file.filename().string().c_str());
      continue;
    }
    // Every finding points into the file.
    const Json asl = Json::parse(text);
    for (const Finding& f : r.findings.items()) {
      EXPECT_TRUE(resolves(asl, f.pointer)) << to_string(f.kind) << " at " << f.pointer;
    }
    if (r.full()) {
      ++full;
    } else {
      std::set<std::string> reasons;
      for (const Finding& f : r.findings.items()) {
        if (f.kind != FindingKind::kUnsupported) continue;
        reasons.insert(f.what.find("nested execution") != std::string::npos
                           ? "a nested execution (states:startExecution.sync)"
                           : f.what);
      }
      for (const std::string& why : reasons) ++blocked_by[why];
    }
    // Full or not, the scenario validates and runs with conservation.
    const auto ran = run(*r.scenario, kRequests);
    expect_conserved(*ran, kRequests);
    EXPECT_GT(ran->result.completed, 0u);
    std::printf("[corpus] %-90s %s  %zu states, %zu nodes, success %.1f%%\n",
                file.filename().string().c_str(), r.full() ? "full   " : "partial",
                r.summary.states, r.summary.nodes,
                100.0 * static_cast<double>(ran->result.completed) / kRequests);
  }
  const double share = static_cast<double>(full) / static_cast<double>(files.size());
  std::printf("[corpus] fully imported: %zu of %zu files (%.1f%%); not JSON: %zu\n", full,
              files.size(), 100.0 * share, not_json);
  for (const auto& [why, n] : blocked_by)
    std::printf("[corpus]   blocked by %s: %zu\n", why.c_str(), n);
  EXPECT_GE(share, 0.90);
  EXPECT_EQ(not_json, 1u);
}

}  // namespace
}  // namespace orchsim::scenarios::asl::asl_corpus_test
