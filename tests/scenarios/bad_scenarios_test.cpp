// The corpus of invalid scenarios (tests/scenarios/bad/*.json): each file
// states, in `//` lines before its JSON, the diagnostics it must produce.
//
//   // expect: <pointer> | <substring of the message or the hint>
//   // expect-count: <n>          (optional: exactly n problems, all reported at once)
//   // set: <pointer> = <value>   (optional: a --set override, through LoadOptions)
//
// ORCHSIM_PRINT_DIAGNOSTICS=1 prints what each file gets, to review the messages.
//
// An empty pointer (`// expect:  | ...`) is the whole document. Every file
// must be rejected, every expectation must match some diagnostic, and every
// diagnostic must name the file it is about.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "scenarios/scenario.hpp"

namespace orchsim::scenarios::bad_scenarios_test {
namespace {

namespace fs = std::filesystem;

fs::path source_dir() {
  if (const char* root = std::getenv("ORCHSIM_SOURCE_DIR"); root && *root) return root;
  // Run by hand, outside ctest: this file sits in <source>/tests/scenarios.
  return fs::path(__FILE__).parent_path().parent_path().parent_path();
}

fs::path bad_dir() { return source_dir() / "tests" / "scenarios" / "bad"; }

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

struct Expectation {
  std::string pointer;
  std::string text;  // in the message or the hint
};

struct Header {
  std::vector<Expectation> expect;
  std::optional<std::size_t> count;
  LoadOptions options;
  std::vector<std::string> errors;  // malformed directives
};

// Reads the directives from the leading `//` lines of a corpus file.
Header read_header(const fs::path& path) {
  Header h;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const std::string t = trim(line);
    if (t.empty()) continue;
    if (t.rfind("//", 0) != 0) break;  // the JSON starts
    const std::string body = trim(t.substr(2));
    if (body.rfind("expect:", 0) == 0) {
      const std::string rest = body.substr(7);
      const auto bar = rest.find('|');
      if (bar == std::string::npos) {
        h.errors.push_back("expect line without '|': " + line);
        continue;
      }
      h.expect.push_back({trim(rest.substr(0, bar)), trim(rest.substr(bar + 1))});
    } else if (body.rfind("expect-count:", 0) == 0) {
      h.count = static_cast<std::size_t>(std::stoul(trim(body.substr(13))));
    } else if (body.rfind("set:", 0) == 0) {
      const std::string rest = body.substr(4);
      const auto eq = rest.find(" = ");
      if (eq == std::string::npos) {
        h.errors.push_back("set line without ' = ': " + line);
        continue;
      }
      h.options.overrides.emplace_back(trim(rest.substr(0, eq)), trim(rest.substr(eq + 3)));
    }
  }
  return h;
}

std::vector<fs::path> corpus() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(bad_dir(), ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(BadScenarios, CorpusIsThere) {
  const auto files = corpus();
  EXPECT_GE(files.size(), 35u) << "in " << bad_dir();
  for (const auto& f : files) {
    const Header h = read_header(f);
    EXPECT_FALSE(h.expect.empty()) << f.filename() << " has no '// expect:' line";
    EXPECT_TRUE(h.errors.empty()) << f.filename() << ": " << h.errors.front();
  }
}

TEST(BadScenarios, EachFileGetsItsDiagnostics) {
  for (const fs::path& f : corpus()) {
    SCOPED_TRACE(f.filename().string());
    const Header h = read_header(f);
    const LoadResult r = load_scenario(f.string(), h.options);
    const auto& items = r.diagnostics.items();
    EXPECT_FALSE(r.ok()) << "accepted an invalid scenario";
    EXPECT_FALSE(items.empty());
    const std::string all = r.diagnostics.format();
    if (std::getenv("ORCHSIM_PRINT_DIAGNOSTICS")) std::cout << all << '\n';  // to review the corpus
    for (const Expectation& e : h.expect) {
      const bool found = std::any_of(items.begin(), items.end(), [&](const Diagnostic& d) {
        return d.pointer == e.pointer && (d.message.find(e.text) != std::string::npos ||
                                          d.hint.find(e.text) != std::string::npos);
      });
      EXPECT_TRUE(found) << "expected at '" << e.pointer << "': " << e.text << "\ngot:\n" << all;
    }
    if (h.count) {
      EXPECT_EQ(items.size(), *h.count) << "got:\n" << all;
    }
    for (const Diagnostic& d : items) {
      EXPECT_EQ(fs::path(d.file).filename(), f.filename())
          << "diagnostic names another file: " << d.file;
      EXPECT_FALSE(d.message.empty()) << d.pointer;
    }
    EXPECT_NE(all.find(f.filename().string()), std::string::npos) << all;
  }
}

// Invalid scenarios never produce a Scenario to run (and so no output).
TEST(BadScenarios, NoScenarioForAnInvalidFile) {
  for (const fs::path& f : corpus()) {
    const Header h = read_header(f);
    EXPECT_FALSE(load_scenario(f.string(), h.options).scenario.has_value()) << f.filename();
  }
}

}  // namespace
}  // namespace orchsim::scenarios::bad_scenarios_test
