#include "cli/experiment.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "cli/task_progress.hpp"
#include "eval/mpi_runner.hpp"
#include "eval/results_store.hpp"
#include "eval/task_executor.hpp"

namespace orchsim::cli {

namespace {

namespace fs = std::filesystem;

std::vector<std::string>& command_line() {
  static std::vector<std::string> args;
  return args;
}

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                        "0123456789_/.,:=@%+-") == std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// SIGINT/SIGTERM: the first asks for a clean stop (no new tasks; those in
// flight finish and are stored); a second SIGINT stops at once.
std::atomic<int> stop_signal{0};
// Said at once on SIGTERM: mpirun (after a rank died) and Slurm (at the time
// limit) follow SIGTERM with SIGKILL, often before the clean stop is done.
char term_message[2048] = "";
std::size_t term_message_length = 0;

extern "C" void on_stop_signal(int sig) {
  if (stop_signal.load() != 0 && sig == SIGINT) {
    ::signal(SIGINT, SIG_DFL);
    ::raise(SIGINT);
    return;
  }
  stop_signal.store(sig);
  static const char kMessage[] =
      "\norchsim: stopping after the tasks in flight (press Ctrl-C again to stop at once)\n";
  (void)!::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  if (sig == SIGTERM && term_message_length > 0) {
    (void)!::write(STDERR_FILENO, term_message, term_message_length);
  }
}

void set_term_message(const std::string& text) {
  term_message_length = std::min(text.size(), sizeof term_message);
  std::memcpy(term_message, text.data(), term_message_length);
}

class SignalGuard {
 public:
  SignalGuard() {
    stop_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~SignalGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

 private:
  struct sigaction old_int_ {
  }, old_term_{};
};

// The results store handed finished tasks by the executor.
class StoreSink final : public eval::TaskSink {
 public:
  StoreSink(eval::ResultsStore& store, TaskProgress& progress)
      : store_(store), progress_(progress) {}
  eval::Status finished(eval::TaskResult result) override {
    eval::Status st = store_.write(result);
    if (st.ok()) progress_.task_done(result);
    return st;
  }

 private:
  eval::ResultsStore& store_;
  TaskProgress& progress_;
};

// Opens the store for this run: a new one, or with --resume the one there,
// checked against the plan. Prints what it did or why it refused.
std::optional<eval::ResultsStore> open_store(const std::string& path, const eval::TaskPlan& plan,
                                             const StoreArgs& args, bool quiet, int& exit_code) {
  const bool memory = path == eval::ResultsStore::kInMemory;
  std::error_code ec;
  const bool exists = !memory && fs::exists(path, ec) && !eval::ResultsStore::is_empty(path);
  if (args.resume && exists) {
    eval::StatusOr<eval::ResultsStore> store = eval::ResultsStore::open(path);
    if (!store.ok()) {
      std::cerr << "orchsim: " << store.status().message() << '\n';
      exit_code = exit_status(store.status());
      return std::nullopt;
    }
    const std::vector<std::string> differences = eval::plan_differences(store->plan(), plan);
    if (!differences.empty()) {
      if (!args.force) {
        std::cerr << fmt::format("orchsim: --resume: {} was made for another experiment:\n", path);
        for (const std::string& d : differences) std::cerr << "  - " << d << '\n';
        std::cerr << "Give this run another --out, drop --resume to start over, or add --force "
                     "to keep the finished tasks that still match this run (the others are "
                     "deleted).\n";
        exit_code = kExitBadInput;
        return std::nullopt;
      }
      auto kept = store->replace_plan(plan);
      if (!kept.ok()) {
        std::cerr << "orchsim: " << kept.status().message() << '\n';
        exit_code = exit_status(kept.status());
        return std::nullopt;
      }
      std::cerr << fmt::format(
          "orchsim: --force: {} differs from this run ({}); kept {} finished tasks that match, "
          "deleted {}\n",
          path, differences.front(), kept->first, kept->second);
    }
    return std::move(*store);
  }
  if (exists && !quiet) {
    std::cerr << fmt::format("orchsim: starting over: replacing {} (add --resume to continue it)\n",
                             path);
  } else if (args.resume && !quiet) {
    std::cerr << fmt::format("orchsim: --resume: no store at {} yet; starting\n", path);
  }
  eval::StatusOr<eval::ResultsStore> store = eval::ResultsStore::create(path, plan);
  if (!store.ok()) {
    std::cerr << "orchsim: " << store.status().message() << '\n';
    exit_code = exit_status(store.status());
    return std::nullopt;
  }
  return std::move(*store);
}

}  // namespace

void note_command_line(int argc, char** argv) {
  command_line().assign(argv, argv + argc);
  // Under mpirun every rank parses the same arguments and loads the same
  // scenarios; only rank 0 speaks, so that a diagnostic is not printed N times.
  if (eval::mpi::launched_world_size() > 1 && eval::mpi::launched_rank() != 0) {
    const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) {
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
      ::close(null);
    }
  }
}

std::string resume_command(int world_size) {
  std::string out = world_size > 1 ? fmt::format("mpirun -n {} ", world_size) : "";
  bool has_resume = false;
  const auto& args = command_line();
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out += ' ';
    out += shell_quote(i == 0 ? args[i] : args[i]);
    has_resume = has_resume || args[i] == "--resume";
  }
  if (args.empty()) out += "orchsim ...";
  if (!has_resume) out += " --resume";
  return out;
}

std::string version_text() {
  return fmt::format(
      "orchsim {}\nresults store: SQLite {}\nMPI: {}\n", eval::orchsim_version(),
      eval::ResultsStore::sqlite_version(),
      eval::mpi::built_in()
          ? "built in (" + eval::mpi::library_version() + "); run under mpirun -n N"
          : std::string("not built in (install libopenmpi-dev and rebuild to run under mpirun)"));
}

ExperimentRun run_experiment(const eval::LoadedPlan& loaded, const ExperimentOptions& options) {
  const eval::TaskPlan& plan = loaded.plan;
  ExperimentRun run;
  // The command line bounds what it can (cli/command_line.cpp); a seed or a
  // replication count from a baseline file or a scenario is checked here.
  if (eval::Status size =
          eval::check_plan_size(plan.configs.size(), plan.replications, plan.first_seed);
      !size.ok()) {
    std::cerr << fmt::format("orchsim {}: {}\n", plan.command, size.message());
    run.exit_code = kExitBadInput;
    return run;
  }
  const std::string path = eval::store_path(options.store.store, options.out_dir);
  const bool memory = path == eval::ResultsStore::kInMemory;

  std::optional<eval::Shard> shard;
  if (!options.store.shard.empty()) {
    shard = eval::parse_shard(options.store.shard);
    if (!shard) {
      std::cerr << fmt::format(
          "orchsim: --shard '{}': expected I/N with 0 <= I < N, e.g. --shard 0/8 (Slurm: "
          "--array=0-7 and --shard $SLURM_ARRAY_TASK_ID/8)\n",
          options.store.shard);
      run.exit_code = kExitBadInput;
      return run;
    }
  }
  if (memory && (options.store.resume || shard)) {
    std::cerr << fmt::format(
        "orchsim: {} needs a results store to keep: give --out DIR or --store FILE\n",
        options.store.resume ? "--resume" : "--shard");
    run.exit_code = kExitBadInput;
    return run;
  }
  if (!memory) {
    // A --store FILE in a folder that does not exist yet: make the folder, as --out does.
    std::error_code ec;
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) fs::create_directories(parent, ec);
    if (ec) {
      std::cerr << fmt::format("orchsim: {}: cannot create the folder: {}\n", parent.string(),
                               ec.message());
      run.exit_code = kExitBadInput;
      return run;
    }
  }
  if (options.store.force && !options.store.resume) {
    std::cerr << "orchsim: --force goes with --resume (without --resume a run starts over)\n";
    run.exit_code = kExitBadInput;
    return run;
  }

  // Under mpirun every rank gets here with the same plan. Ranks > 0 serve;
  // rank 0 owns the store and does what a single process does.
  std::unique_ptr<eval::mpi::Session> session;
  if (eval::mpi::launched_world_size() > 1) {
    auto started = eval::mpi::Session::start();
    if (!started.ok()) {
      std::cerr << "orchsim: " << started.status().message() << '\n';
      run.exit_code = exit_status(started.status());
      return run;
    }
    session = std::move(*started);
  }
  eval::ExecuteOptions exec;
  exec.jobs = options.jobs == 0 && session ? 1 : options.jobs;
  exec.stop = &stop_signal;
  const SignalGuard signals;
  if (session && session->rank() != 0) {
    exec.worker = fmt::format("rank {}", session->rank());
    const eval::Status st = eval::mpi::serve(*session, loaded, exec);
    run.exit_code = exit_status(st);
    return run;
  }
  const int world = session ? session->size() : 1;
  exec.worker = session ? "rank 0" : fmt::format("pid {}", ::getpid());

  std::optional<eval::ResultsStore> store =
      open_store(path, plan, options.store, options.quiet, run.exit_code);
  if (!store) {
    if (session) eval::mpi::release_workers(*session);
    return run;
  }
  auto done = store->done();
  if (!done.ok()) {
    std::cerr << "orchsim: " << done.status().message() << '\n';
    if (session) eval::mpi::release_workers(*session);
    run.exit_code = exit_status(done.status());
    return run;
  }
  std::vector<std::uint64_t> pending;
  std::uint64_t in_shard = 0, already = 0;
  for (std::uint64_t i = 0; i < plan.size(); ++i) {
    if (shard && !shard->contains(i)) continue;
    ++in_shard;
    if ((*done)[i]) {
      ++already;
    } else {
      pending.push_back(i);
    }
  }
  if (options.store.resume && already > 0 && !options.quiet) {
    std::cerr << fmt::format("orchsim: --resume: {} of {} tasks already in {}; running {}\n",
                             already, in_shard, path, pending.size());
  }

  if (!memory) {
    set_term_message(fmt::format(
        "orchsim: terminated; every task finished so far is in {}. To run the rest:\n  {}\n", path,
        resume_command(world)));
  }
  eval::ExecuteOutcome outcome;
  {
    TaskProgress progress(options.label, plan, pending.size(), already, options.quiet,
                          options.store.verbose);
    StoreSink sink(*store, progress);
    outcome = session ? eval::mpi::coordinate(*session, loaded, pending, sink, exec)
                      : eval::execute_local(loaded, pending, sink, exec);
    progress.finish();
  }
  const std::uint64_t stored_now = already + outcome.stored;
  const std::string resume_hint =
      memory ? std::string()
             : fmt::format("{} of {} tasks are in {}. To run the rest:\n  {}\n", stored_now,
                           in_shard, path, resume_command(world));
  if (!outcome.status.ok()) {
    std::cerr << "orchsim: " << outcome.status.message() << '\n' << resume_hint;
    run.exit_code = exit_status(outcome.status);
    return run;
  }
  if (outcome.interrupted || stop_signal.load() != 0) {
    if (stored_now < in_shard) {
      std::cerr << "orchsim: interrupted. " << resume_hint;
      run.exit_code = 128 + stop_signal.load();
      return run;
    }
  }
  if (shard && shard->count > 1) {
    if (!options.quiet) {
      std::cerr << fmt::format(
          "orchsim: shard {}/{}: its {} tasks are in {}. When every shard has run, combine them: "
          "orchsim merge DIR... --out DIR\n",
          shard->index, shard->count, in_shard, path);
    }
    run.exit_code = kExitOk;
    return run;
  }
  auto rows = store->read_all();
  if (!rows.ok()) {
    std::cerr << "orchsim: " << rows.status().message() << '\n';
    run.exit_code = exit_status(rows.status());
    return run;
  }
  auto sets = eval::replication_sets(plan, *rows, path);
  if (!sets.ok()) {
    std::cerr << "orchsim: " << sets.status().message() << '\n';
    run.exit_code = exit_status(sets.status());
    return run;
  }
  if (eval::Status st = store->close(); !st.ok()) {
    std::cerr << "orchsim: " << st.message() << '\n';
    run.exit_code = exit_status(st);
    return run;
  }
  run.sets = std::move(*sets);
  return run;
}

}  // namespace orchsim::cli
