#include "eval/mpi_runner.hpp"

#include <fmt/format.h>
#include <mpi.h>
#include <signal.h>

#include <charconv>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace orchsim::eval::mpi {

namespace {

// Messages. Payloads are bytes; task indices are 8 bytes little-endian.
enum Tag : int {
  kReady = 1,   // rank -> 0: threads (4 bytes) + plan fingerprint
  kTask = 2,    // 0 -> rank: one task index
  kStop = 3,    // 0 -> rank: no more tasks; finish and leave
  kResult = 4,  // rank -> 0: encode_result()
  kFailed = 5,  // rank -> 0: task index + what it threw
};

constexpr auto kPoll = std::chrono::milliseconds(1);

std::string plan_fingerprint(const TaskPlan& plan) { return to_json(plan).dump(); }

std::string u64_bytes(std::uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i)
    s[static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xFF);
  return s;
}

std::uint64_t u64_of(std::string_view s) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8 && static_cast<std::size_t>(i) < s.size(); ++i) {
    v |= std::uint64_t{static_cast<std::uint8_t>(s[static_cast<std::size_t>(i)])} << (8 * i);
  }
  return v;
}

void send(int to, Tag tag, const std::string& bytes) {
  MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, to, tag, MPI_COMM_WORLD);
}

struct Message {
  int from = 0;
  int tag = 0;
  std::string bytes;
};

// A message waiting from `source` (or any), without blocking.
std::optional<Message> poll(int source = MPI_ANY_SOURCE) {
  int flag = 0;
  MPI_Status status;
  MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
  if (flag == 0) return std::nullopt;
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  Message m;
  m.from = status.MPI_SOURCE;
  m.tag = status.MPI_TAG;
  m.bytes.resize(static_cast<std::size_t>(count));
  MPI_Recv(m.bytes.data(), count, MPI_BYTE, m.from, m.tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return m;
}

// ORCHSIM_FAULT_KILL_RANK=R:N: rank R dies (SIGKILL) when its N-th task ends,
// before sending it: how the tests make a rank die at a known point.
void maybe_die(int rank, std::uint64_t finished) {
  static const std::optional<std::pair<int, std::uint64_t>> fault = []() {
    const char* v = std::getenv("ORCHSIM_FAULT_KILL_RANK");
    std::optional<std::pair<int, std::uint64_t>> out;
    if (v == nullptr) return out;
    const std::string_view s(v);
    const auto colon = s.find(':');
    if (colon == std::string_view::npos) return out;
    int r = 0;
    std::uint64_t n = 0;
    if (std::from_chars(s.data(), s.data() + colon, r).ec != std::errc() ||
        std::from_chars(s.data() + colon + 1, s.data() + s.size(), n).ec != std::errc()) {
      return out;
    }
    out.emplace(r, n);
    return out;
  }();
  if (fault && fault->first == rank && fault->second == finished) ::raise(SIGKILL);
}

}  // namespace

bool built_in() { return true; }

std::string library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_Get_library_version(text, &length);
  std::string s(text, static_cast<std::size_t>(length));
  if (const auto nl = s.find_first_of("\n,"); nl != std::string::npos) s.resize(nl);
  return s;
}

StatusOr<std::unique_ptr<Session>> Session::start() {
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    return Status::runtime("MPI_Init_thread failed");
  }
  std::unique_ptr<Session> s(new Session());
  MPI_Comm_rank(MPI_COMM_WORLD, &s->rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &s->size_);
  char name[MPI_MAX_PROCESSOR_NAME];
  int length = 0;
  MPI_Get_processor_name(name, &length);
  s->host_.assign(name, static_cast<std::size_t>(length));
  // A task error must come back as a message, not abort the job from inside MPI.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  if (provided < MPI_THREAD_FUNNELED) {
    return Status::runtime("the MPI library does not support threads (MPI_THREAD_FUNNELED)");
  }
  return s;
}

Session::~Session() { MPI_Finalize(); }

void release_workers(Session& session) {
  // Collect each worker's hello so that no message is left unread, then stop it.
  std::set<int> ready;
  while (static_cast<int>(ready.size()) < session.size() - 1) {
    if (std::optional<Message> m = poll()) {
      if (m->tag == kReady) {
        ready.insert(m->from);
        send(m->from, kStop, {});
      }
      continue;
    }
    std::this_thread::sleep_for(kPoll);
  }
}

ExecuteOutcome coordinate(Session& session, const LoadedPlan& loaded,
                          const std::vector<std::uint64_t>& pending, TaskSink& sink,
                          const ExecuteOptions& options) {
  ExecuteOutcome out;
  std::mutex queue_mutex;
  std::size_t next = 0;
  bool stopping = false;  // under queue_mutex
  auto stop_requested = [&] { return options.stop != nullptr && options.stop->load() != 0; };
  // Takes the next task for anyone (local thread or a rank); nullopt = none left.
  auto take = [&]() -> std::optional<std::uint64_t> {
    const std::lock_guard lock(queue_mutex);
    if (stopping || stop_requested() || next >= pending.size()) return std::nullopt;
    return pending[next++];
  };
  auto stop_handing_out = [&] {
    const std::lock_guard lock(queue_mutex);
    stopping = true;
  };
  const std::string fingerprint = plan_fingerprint(loaded.plan);

  struct Rank {
    bool ready = false, stopped = false;
    std::set<std::uint64_t> in_flight;
  };
  std::map<int, Rank> ranks;  // ordered: messages name ranks deterministically
  for (int r = 1; r < session.size(); ++r) ranks[r];
  bool sink_failed = false;

  auto fail = [&](Status st) {
    if (out.status.ok()) out.status = std::move(st);
    stop_handing_out();
  };
  auto store = [&](TaskResult result) {
    if (sink_failed) return;
    Status st = sink.finished(std::move(result));
    if (!st.ok()) {
      sink_failed = true;
      fail(std::move(st));
      return;
    }
    ++out.stored;
  };
  auto give = [&](int to, Rank& rank) {
    if (std::optional<std::uint64_t> t = take()) {
      rank.in_flight.insert(*t);
      send(to, kTask, u64_bytes(*t));
    }
  };

  WorkerPool pool(loaded, thread_count(options.jobs, pending.size()), take,
                  fmt::format("rank 0 on {}", session.host()));
  for (;;) {
    bool busy = false;
    while (std::optional<Message> m = poll()) {
      busy = true;
      Rank& rank = ranks[m->from];
      if (m->tag == kReady) {
        rank.ready = true;
        const auto threads = static_cast<int>(u64_of(m->bytes));
        if (m->bytes.substr(8) != fingerprint) {
          fail(Status::bad_input(fmt::format(
              "rank {} loaded a different experiment than rank 0 (do the scenario files or "
              "orchsim versions differ between hosts?)",
              m->from)));
        }
        for (int i = 0; i < threads; ++i) give(m->from, rank);
      } else if (m->tag == kResult) {
        StatusOr<TaskResult> r = decode_result(m->bytes);
        if (!r.ok()) {
          fail(Status::runtime(fmt::format("rank {}: {}", m->from, r.status().message())));
          continue;
        }
        rank.in_flight.erase(r->index);
        store(std::move(*r));
        give(m->from, rank);
      } else if (m->tag == kFailed) {
        const std::uint64_t index = u64_of(m->bytes);
        rank.in_flight.erase(index);
        fail(Status::runtime(fmt::format("{} failed on rank {}: {}",
                                         describe_task(loaded.plan, index), m->from,
                                         m->bytes.substr(8))));
      }
    }
    while (std::optional<WorkerPool::Finished> f = pool.wait(std::chrono::milliseconds(0))) {
      busy = true;
      if (f->result) {
        store(std::move(*f->result));
      } else {
        fail(Status::runtime(
            fmt::format("{} failed: {}", describe_task(loaded.plan, f->index), f->error)));
      }
    }
    // Ranks with nothing in flight and nothing left to give are told to stop.
    bool remote_busy = false;
    for (auto& [r, rank] : ranks) {
      if (!rank.ready || !rank.in_flight.empty()) {
        remote_busy = remote_busy || !rank.ready || !rank.in_flight.empty();
        continue;
      }
      if (!rank.stopped) {
        bool more = false;
        {
          const std::lock_guard lock(queue_mutex);
          more = !stopping && !stop_requested() && next < pending.size();
        }
        if (!more) {
          send(r, kStop, {});
          rank.stopped = true;
        }
      }
    }
    if (!remote_busy && pool.drained()) {
      bool all_stopped = true;
      for (auto& [r, rank] : ranks) all_stopped = all_stopped && rank.stopped;
      if (all_stopped) break;
    }
    if (!busy) {
      if (pool.drained()) {
        std::this_thread::sleep_for(kPoll);
      } else if (std::optional<WorkerPool::Finished> f = pool.wait(kPoll)) {
        // Handled next time round; put it back by storing it now.
        if (f->result) {
          store(std::move(*f->result));
        } else {
          fail(Status::runtime(
              fmt::format("{} failed: {}", describe_task(loaded.plan, f->index), f->error)));
        }
      }
    }
  }
  out.interrupted = stop_requested() && out.status.ok() && out.stored < pending.size();
  return out;
}

Status serve(Session& session, const LoadedPlan& loaded, const ExecuteOptions& options) {
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::uint64_t> tasks;
  bool stop = false;
  auto take = [&]() -> std::optional<std::uint64_t> {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return stop || !tasks.empty(); });
    if (tasks.empty()) return std::nullopt;
    const std::uint64_t t = tasks.front();
    tasks.pop_front();
    return t;
  };
  const unsigned threads = thread_count(options.jobs, loaded.plan.size());
  send(0, kReady, u64_bytes(threads) + plan_fingerprint(loaded.plan));
  std::uint64_t finished = 0;
  WorkerPool pool(loaded, threads, take,
                  fmt::format("rank {} on {}", session.rank(), session.host()));
  bool stopped = false;
  while (!(stopped && pool.drained())) {
    bool busy = false;
    while (std::optional<Message> m = poll(0)) {
      busy = true;
      const std::lock_guard lock(mutex);
      if (m->tag == kTask) {
        tasks.push_back(u64_of(m->bytes));
      } else if (m->tag == kStop) {
        stop = true;
        stopped = true;
      }
      cv.notify_all();
    }
    auto handle = [&](WorkerPool::Finished& f) {
      ++finished;
      maybe_die(session.rank(), finished);
      if (f.result) {
        send(0, kResult, encode_result(*f.result));
      } else {
        send(0, kFailed, u64_bytes(f.index) + f.error);
      }
    };
    while (std::optional<WorkerPool::Finished> f = pool.wait(std::chrono::milliseconds(0))) {
      busy = true;
      handle(*f);
    }
    if (!busy) {
      if (pool.drained()) {
        std::this_thread::sleep_for(kPoll);
      } else if (std::optional<WorkerPool::Finished> f = pool.wait(kPoll)) {
        handle(*f);
      }
    }
  }
  return {};
}

}  // namespace orchsim::eval::mpi
