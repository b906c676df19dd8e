#include "cli/task_progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace orchsim::cli {

TaskProgress::TaskProgress(std::string label, const eval::TaskPlan& plan, std::uint64_t to_run,
                           std::uint64_t already_done, bool quiet, bool verbose)
    : label_(std::move(label)),
      plan_(plan),
      to_run_(to_run),
      already_(already_done),
      bar_(!quiet && isatty(STDERR_FILENO) == 1),
      verbose_(verbose) {
  if (bar_ && to_run_ > 0) draw();
}

std::string TaskProgress::clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<std::uint64_t>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

void TaskProgress::task_done(const eval::TaskResult& r) {
  ++done_;
  if (verbose_) {
    const eval::Task t = plan_.task(r.index);
    const std::string line =
        fmt::format("[{}/{}] task {} '{}' replication {} seed {}: {:.2f} s on {}\n",
                    already_ + done_, already_ + to_run_, r.index, plan_.configs[t.config].label,
                    t.replication, t.seed, r.wall_seconds, r.worker);
    if (drawn_) std::fputs("\r\033[K", stderr);
    std::fputs(line.c_str(), stderr);
  }
  if (bar_) draw();
  std::fflush(stderr);
}

void TaskProgress::draw() {
  const std::uint64_t total = already_ + to_run_;
  const std::uint64_t done = already_ + done_;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = done_ > 0 && elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  const std::string speed = rate > 0 ? fmt::format("{:.2g}/s", rate) : "-/s";
  const std::string eta =
      rate > 0 ? clock_text(static_cast<double>(to_run_ - done_) / rate) : std::string("?");
  constexpr int kWidth = 30;
  const int filled =
      total == 0
          ? kWidth
          : static_cast<int>(kWidth * static_cast<double>(done) / static_cast<double>(total));
  std::fprintf(stderr, "\r\033[K%s [%s%s] %llu/%llu tasks  %s  ETA %s", label_.c_str(),
               std::string(static_cast<std::size_t>(filled), '#').c_str(),
               std::string(static_cast<std::size_t>(kWidth - filled), ' ').c_str(),
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
               speed.c_str(), eta.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void TaskProgress::finish() {
  if (drawn_) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    drawn_ = false;
  }
  bar_ = false;
}

}  // namespace orchsim::cli
