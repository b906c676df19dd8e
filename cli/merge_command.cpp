// orchsim merge: combines the results stores of shards (--shard I/N runs,
// e.g. a Slurm array) into one store and writes the summaries that one
// uninterrupted run would have written, byte for byte.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "cli/eval_outputs.hpp"
#include "cli/store_args.hpp"
#include "eval/results_store.hpp"

namespace orchsim::cli {

namespace {

namespace fs = std::filesystem;

std::string store_file(const std::string& input) {
  std::error_code ec;
  if (fs::is_directory(input, ec))
    return (fs::path(input) / eval::ResultsStore::kFileName).string();
  return input;
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return fs::exists(a, ec) && fs::exists(b, ec) && fs::equivalent(a, b, ec);
}

bool same_row(const eval::TaskResult& a, const eval::TaskResult& b) {
  return a.metrics == b.metrics && a.latency_all == b.latency_all &&
         a.latency_success == b.latency_success;
}

}  // namespace

int merge_command(const MergeArgs& args) {
  if (args.inputs.empty()) {
    std::cerr << "orchsim: merge: give the shards' folders (or store files) to combine\n";
    return kExitBadInput;
  }
  const std::string out_store = (fs::path(args.out_dir) / eval::ResultsStore::kFileName).string();
  std::optional<eval::TaskPlan> plan;
  std::string plan_source;
  std::map<std::uint64_t, eval::TaskResult> rows;  // by task index
  std::map<std::uint64_t, std::string> row_source;
  for (const std::string& input : args.inputs) {
    const std::string path = store_file(input);
    if (same_file(path, out_store)) {
      std::cerr << fmt::format(
          "orchsim: merge: {} is both an input and the output; give another --out\n", path);
      return kExitBadInput;
    }
    eval::StatusOr<eval::ResultsStore> store = eval::ResultsStore::open(path);
    if (!store.ok()) {
      std::cerr << "orchsim: merge: " << store.status().message() << '\n';
      return kExitBadInput;
    }
    if (!plan) {
      plan = store->plan();
      plan_source = path;
    } else if (const auto d = eval::plan_differences(*plan, store->plan()); !d.empty()) {
      std::cerr << fmt::format("orchsim: merge: {} and {} are stores of different experiments:\n",
                               plan_source, path);
      for (const std::string& line : d) std::cerr << "  - " << line << '\n';
      return kExitBadInput;
    }
    auto stored = store->read_all();
    if (!stored.ok()) {
      std::cerr << "orchsim: merge: " << stored.status().message() << '\n';
      return kExitBadInput;
    }
    for (eval::TaskResult& r : *stored) {
      const auto it = rows.find(r.index);
      if (it == rows.end()) {
        row_source[r.index] = path;
        rows.emplace(r.index, std::move(r));
      } else if (!same_row(it->second, r)) {
        std::cerr << fmt::format(
            "orchsim: merge: task {} has different results in {} and {}: the same task must give "
            "the same bytes; were they made by different builds?\n",
            r.index, row_source[r.index], path);
        return kExitBadInput;
      }
    }
  }
  std::error_code ec;
  fs::create_directories(args.out_dir, ec);
  if (ec) {
    std::cerr << fmt::format("orchsim: --out {}: cannot create the folder: {}\n", args.out_dir,
                             ec.message());
    return kExitBadInput;
  }
  eval::StatusOr<eval::ResultsStore> merged = eval::ResultsStore::create(out_store, *plan);
  if (!merged.ok()) {
    std::cerr << "orchsim: merge: " << merged.status().message() << '\n';
    return kExitBadInput;
  }
  for (const auto& [index, row] : rows) {
    if (eval::Status st = merged->write(row); !st.ok()) {
      std::cerr << "orchsim: merge: " << st.message() << '\n';
      return kExitFailure;
    }
  }
  if (rows.size() < plan->size()) {
    std::string missing;
    std::uint64_t listed = 0;
    for (std::uint64_t i = 0; i < plan->size() && listed < 20; ++i) {
      if (rows.count(i) != 0) continue;
      missing += (missing.empty() ? "" : ", ") + std::to_string(i);
      ++listed;
    }
    if (plan->size() - rows.size() > listed) missing += ", ...";
    std::cerr << fmt::format(
        "orchsim: merge: {} of {} tasks are in the inputs; missing tasks {}. They are merged into "
        "{}; run the missing shards and merge again, or finish them with the original command "
        "and --out {} --resume.\n",
        rows.size(), plan->size(), missing, out_store, args.out_dir);
    return kExitFailure;
  }
  auto all = merged->read_all();
  if (!all.ok()) {
    std::cerr << "orchsim: merge: " << all.status().message() << '\n';
    return kExitBadInput;
  }
  auto sets = eval::replication_sets(*plan, *all, out_store);
  if (!sets.ok()) {
    std::cerr << "orchsim: merge: " << sets.status().message() << '\n';
    return kExitBadInput;
  }
  if (eval::Status st = merged->close(); !st.ok()) {
    std::cerr << "orchsim: merge: " << st.message() << '\n';
    return kExitFailure;
  }
  if (!args.quiet) {
    std::cerr << fmt::format("orchsim: merged {} tasks of a {} from {} stores into {}\n",
                             rows.size(), plan->command, args.inputs.size(), out_store);
  }
  OutputOptions out;
  out.format = args.format;
  out.out_dir = args.out_dir;
  out.quiet = args.quiet;
  return write_outputs(*plan, *sets, out);
}

}  // namespace orchsim::cli
