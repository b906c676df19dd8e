#include "eval/task_executor.hpp"

#include <fmt/format.h>

namespace orchsim::eval {

WorkerPool::WorkerPool(const LoadedPlan& loaded, unsigned threads,
                       std::function<std::optional<std::uint64_t>()> next, std::string worker)
    : loaded_(loaded), next_(std::move(next)), worker_(std::move(worker)) {
  running_ = threads;
  threads_.reserve(threads);
  for (unsigned t = 0; t < threads; ++t) threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() {
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::run() {
  while (const std::optional<std::uint64_t> index = next_()) {
    Finished f;
    f.index = *index;
    try {
      f.result = run_task(loaded_, *index, worker_);
    } catch (const std::exception& e) {
      f.error = e.what();
    } catch (...) {
      f.error = "unknown exception";
    }
    const std::lock_guard lock(mutex_);
    finished_.push_back(std::move(f));
    ready_.notify_all();
  }
  const std::lock_guard lock(mutex_);
  --running_;
  ready_.notify_all();
}

std::optional<WorkerPool::Finished> WorkerPool::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, timeout, [this] { return !finished_.empty() || running_ == 0 || poked_; });
  poked_ = false;
  if (finished_.empty()) return std::nullopt;
  Finished f = std::move(finished_.front());
  finished_.pop_front();
  return f;
}

bool WorkerPool::drained() {
  const std::lock_guard lock(mutex_);
  return running_ == 0 && finished_.empty();
}

void WorkerPool::notify() {
  const std::lock_guard lock(mutex_);
  poked_ = true;
  ready_.notify_all();
}

unsigned thread_count(unsigned jobs, std::uint64_t tasks) {
  unsigned n = jobs == 0 ? std::max(1u, std::thread::hardware_concurrency()) : jobs;
  if (n > tasks) n = static_cast<unsigned>(std::max<std::uint64_t>(tasks, 1));
  return n;
}

std::string describe_task(const TaskPlan& plan, std::uint64_t index) {
  const Task t = plan.task(index);
  return fmt::format("task {} (configuration {} '{}', replication {}, seed {})", index, t.config,
                     t.config < plan.configs.size() ? plan.configs[t.config].label : "?",
                     t.replication, t.seed);
}

ExecuteOutcome execute_local(const LoadedPlan& loaded, const std::vector<std::uint64_t>& pending,
                             TaskSink& sink, const ExecuteOptions& options) {
  ExecuteOutcome out;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  bool sink_failed = false;
  auto take = [&]() -> std::optional<std::uint64_t> {
    if (failed.load() || (options.stop != nullptr && options.stop->load() != 0)) {
      return std::nullopt;
    }
    const std::size_t i = next.fetch_add(1);
    if (i >= pending.size()) return std::nullopt;
    return pending[i];
  };
  if (thread_count(options.jobs, pending.size()) == 1) {
    // One worker: run each task on this thread, so that a stop request or a
    // failure is seen right after the task that caused it is stored.
    while (const std::optional<std::uint64_t> index = take()) {
      TaskResult result;
      try {
        result = run_task(loaded, *index, options.worker);
      } catch (const std::exception& e) {
        out.status = Status::runtime(
            fmt::format("{} failed: {}", describe_task(loaded.plan, *index), e.what()));
        break;
      }
      if (Status st = sink.finished(std::move(result)); !st.ok()) {
        out.status = st;
        break;
      }
      ++out.stored;
    }
  } else {
    WorkerPool pool(loaded, thread_count(options.jobs, pending.size()), take, options.worker);
    // The coordinating thread wakes at least every 50 ms to see a stop request;
    // a finished task wakes it at once.
    while (!pool.drained()) {
      std::optional<WorkerPool::Finished> f = pool.wait(std::chrono::milliseconds(50));
      if (!f) continue;
      if (!f->result) {
        if (out.status.ok()) {
          out.status = Status::runtime(
              fmt::format("{} failed: {}", describe_task(loaded.plan, f->index), f->error));
        }
        failed = true;
        continue;
      }
      if (sink_failed) continue;  // the store could not write: do not try again
      Status st = sink.finished(std::move(*f->result));
      if (!st.ok()) {
        if (out.status.ok()) out.status = st;
        sink_failed = true;
        failed = true;
        continue;
      }
      ++out.stored;
    }
  }
  out.interrupted = options.stop != nullptr && options.stop->load() != 0 &&
                    out.stored < pending.size() && out.status.ok();
  return out;
}

}  // namespace orchsim::eval
