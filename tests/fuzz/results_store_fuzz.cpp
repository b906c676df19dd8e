// Fuzz target: a results store file (SQLite, eval/results_store.hpp) as
// `--resume` and `orchsim merge` open it: the checks of open(), the tasks it
// holds, every row read back and the per-configuration summaries built from
// them (metrics JSON parsed, latency histograms decoded and merged).
//
// The input is written to a file of its own (SQLite reads files), removed
// with its -wal and -shm after each input. Beyond "no crash, no sanitizer
// report": every refusal has a message.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "eval/results_store.hpp"
#include "eval/task_result.hpp"

namespace {

namespace fs = std::filesystem;

const std::string& store_file() {
  static const std::string path =
      (fs::temp_directory_path() / ("orchsim_fuzz_store_" + std::to_string(::getpid()) + ".sqlite"))
          .string();
  return path;
}

void remove_store(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix, ec);
}

void refused(const orchsim::eval::Status& s) {
  if (s.ok() || s.message().empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace orchsim::eval;
  const std::string& path = store_file();
  remove_store(path);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  {
    StatusOr<ResultsStore> store = ResultsStore::open(path);
    if (!store.ok()) {
      refused(store.status());
    } else {
      const StatusOr<std::vector<bool>> done = store->done();
      if (!done.ok()) refused(done.status());
      const StatusOr<std::vector<TaskResult>> rows = store->read_all();
      if (!rows.ok()) {
        refused(rows.status());
      } else if (done.ok() && rows->size() == store->plan().size()) {
        // Complete: what merge and a finished --resume summarise.
        const auto sets = replication_sets(store->plan(), *rows, path);
        if (!sets.ok()) refused(sets.status());
      }
    }
  }
  remove_store(path);
  return 0;
}
