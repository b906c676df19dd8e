// A one-way pipe from the simulation's thread to one worker thread that
// consumes batches in the order they were sent. It lets an output that costs
// more than the simulation (the decision log: formatting and zstd) run beside
// it on a second core instead of inside every request.
//
//   BatchPipe<Rows> pipe([&](Rows& rows) { write(rows); });
//   Rows rows;
//   ... fill rows ...
//   pipe.send(rows);   // rows is now an earlier, consumed batch to refill
//   pipe.close();      // waits until every batch is consumed
//
// Deterministic: one consumer, batches in order, so what it writes does not
// depend on timing. Bounded: send() waits while `max_in_flight` batches are
// queued. Consumed batches come back from send() as they were left by the
// consumer, so their buffers are reused. An exception in the consumer stops
// it; close() rethrows it (later batches are dropped). The destructor stops
// the worker after the batches already sent; call close() to see errors.
// Use send() and close() from one thread; send() after close() throws
// std::logic_error (a bug in the caller).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

namespace orchsim::eval {

template <typename Batch>
class BatchPipe {
 public:
  explicit BatchPipe(std::function<void(Batch&)> consume, std::size_t max_in_flight = 4)
      : consume_(std::move(consume)),
        max_in_flight_(max_in_flight == 0 ? 1 : max_in_flight),
        worker_([this] { run(); }) {}
  BatchPipe(const BatchPipe&) = delete;
  BatchPipe& operator=(const BatchPipe&) = delete;
  ~BatchPipe() { stop(); }

  // Queues `batch` for the worker and replaces it with a consumed batch (or
  // an empty one), waiting while max_in_flight batches are queued.
  void send(Batch& batch) {
    std::unique_lock lock(mutex_);
    // No worker reads the queue after close(): waiting for room would hang.
    if (closing_) throw std::logic_error("BatchPipe::send after close");
    space_.wait(lock, [this] { return queued_.size() < max_in_flight_ || failed_; });
    if (failed_) return;  // close() reports it; the caller's batch is dropped
    queued_.push_back(std::move(batch));
    if (!consumed_.empty()) {
      batch = std::move(consumed_.front());
      consumed_.pop_front();
    } else {
      batch = Batch();
    }
    work_.notify_one();
  }

  // Waits until every batch sent is consumed, then ends the worker. Rethrows
  // what the consumer threw. Idempotent.
  void close() {
    stop();
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  void stop() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    work_.notify_one();
    if (worker_.joinable()) worker_.join();
  }

  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      work_.wait(lock, [this] { return !queued_.empty() || closing_; });
      if (queued_.empty()) return;  // closing, and everything is consumed
      Batch batch = std::move(queued_.front());
      queued_.pop_front();
      lock.unlock();
      try {
        consume_(batch);
      } catch (...) {
        lock.lock();
        error_ = std::current_exception();
        failed_ = true;
        queued_.clear();
        space_.notify_one();
        return;
      }
      lock.lock();
      consumed_.push_back(std::move(batch));
      space_.notify_one();
    }
  }

  std::function<void(Batch&)> consume_;
  const std::size_t max_in_flight_;
  std::mutex mutex_;
  std::condition_variable work_, space_;
  std::deque<Batch> queued_, consumed_;
  bool closing_ = false, failed_ = false;
  std::exception_ptr error_;
  std::thread worker_;  // last: starts after, and is joined before, the rest
};

}  // namespace orchsim::eval
