// Runs the real orchsim executable for CLI tests: exit status, stdout and
// stderr, with scratch folders private to the test process.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace orchsim::cli_testing {

namespace fs = std::filesystem;

struct Result {
  int status = -1;
  std::string out;
  std::string err;
};

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The source tree (ctest sets ORCHSIM_SOURCE_DIR), for golden files.
inline std::string source_dir() {
  const char* s = std::getenv("ORCHSIM_SOURCE_DIR");
  return s ? s : ".";
}

// An empty folder name for this test process (ctest runs tests in parallel).
inline fs::path scratch(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("orchsim_cli_test_" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir.parent_path());
  return dir;
}

// Runs `orchsim <args>` (args already shell-quoted where needed).
inline Result orchsim(const std::string& args) {
  const fs::path base = scratch("io");
  fs::create_directories(base);
  const std::string cmd = std::string(ORCHSIM_EXE) + " " + args + " > " + (base / "out").string() +
                          " 2> " + (base / "err").string();
  const int raw = std::system(cmd.c_str());
  Result r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(base / "out");
  r.err = slurp(base / "err");
  return r;
}

}  // namespace orchsim::cli_testing
