#include "eval/results_store.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>

#include "eval/store_faults.hpp"
#include "scenarios/json_reader.hpp"

namespace orchsim::eval {

namespace {

using J = nlohmann::ordered_json;
namespace fs = std::filesystem;

constexpr const char* kFormat = "orchsim.results";
// PRAGMA application_id: "ORCH", so `file` and tools can tell the file apart.
constexpr int kApplicationId = 0x4F524348;

constexpr const char* kSchema = R"sql(
CREATE TABLE experiment(
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL);
CREATE TABLE configs(
  config        INTEGER PRIMARY KEY,
  label         TEXT NOT NULL,
  scenario      TEXT NOT NULL,
  scenario_name TEXT NOT NULL,
  overrides     TEXT NOT NULL,
  scenario_hash TEXT NOT NULL);
CREATE TABLE tasks(
  task            INTEGER PRIMARY KEY,
  config          INTEGER NOT NULL REFERENCES configs(config),
  replication     INTEGER NOT NULL,
  seed            INTEGER NOT NULL,
  task_hash       TEXT NOT NULL,
  metrics         TEXT NOT NULL,
  latency_all     BLOB NOT NULL,
  latency_success BLOB NOT NULL,
  wall_s          REAL NOT NULL,
  worker          TEXT NOT NULL,
  finished_utc    TEXT NOT NULL);
CREATE VIEW task_summary AS
SELECT t.task, t.config, c.label, t.replication, t.seed,
       json_extract(t.metrics, '$.requests.arrived')         AS arrived,
       json_extract(t.metrics, '$.requests.success_rate')    AS success_rate,
       json_extract(t.metrics, '$.latency_ms.all.mean')      AS latency_mean_ms,
       json_extract(t.metrics, '$.latency_ms.all.p50')       AS latency_p50_ms,
       json_extract(t.metrics, '$.latency_ms.all.p99')       AS latency_p99_ms,
       json_extract(t.metrics, '$.per_request.cost_usd')     AS cost_usd,
       json_extract(t.metrics, '$.quality.mean')             AS quality_mean,
       json_extract(t.metrics, '$.quality.pass_rate')        AS quality_pass_rate,
       json_extract(t.metrics, '$.requests.throughput_rps')  AS throughput_rps,
       t.wall_s, t.worker
FROM tasks t JOIN configs c ON c.config = t.config;
)sql";

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// A prepared statement that finalizes itself.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &s_, nullptr); }
  ~Statement() { sqlite3_finalize(s_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return s_; }
  void bind(int i, std::int64_t v) { sqlite3_bind_int64(s_, i, v); }
  void bind(int i, double v) { sqlite3_bind_double(s_, i, v); }
  void bind_text(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void bind_blob(int i, const std::string& v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  int step() { return sqlite3_step(s_); }
  std::int64_t int64(int col) { return sqlite3_column_int64(s_, col); }
  double real(int col) { return sqlite3_column_double(s_, col); }
  std::string text(int col) {
    const auto* p = sqlite3_column_text(s_, col);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      static_cast<std::size_t>(sqlite3_column_bytes(s_, col)));
  }
  std::string blob(int col) {
    const void* p = sqlite3_column_blob(s_, col);
    return p == nullptr ? std::string()
                        : std::string(static_cast<const char*>(p),
                                      static_cast<std::size_t>(sqlite3_column_bytes(s_, col)));
  }

 private:
  sqlite3_stmt* s_ = nullptr;
  int rc_ = SQLITE_OK;
};

// flock(2) on the store file: held while a ResultsStore has it open, so a
// second orchsim (a second shard given the same --out) is refused, not mixed
// in. flock and SQLite's fcntl locks are independent on Linux; the fd is
// closed only after SQLite has closed the file, so no fcntl lock is dropped.
int lock_file(const std::string& path, Status& status) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    status = Status::bad_input(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    return -1;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    status = Status::bad_input(
        err == EWOULDBLOCK
            ? fmt::format("{}: another orchsim process is writing this store; wait for it to end "
                          "or give this run another --out",
                          path)
            : fmt::format("{}: cannot lock: {}", path, std::strerror(err)));
    return -1;
  }
  return fd;
}

std::vector<std::string> hashes_of(const TaskPlan& plan) {
  std::vector<std::string> out;
  out.reserve(plan.size());
  for (std::uint64_t i = 0; i < plan.size(); ++i) out.push_back(task_hash(plan, plan.task(i)));
  return out;
}

}  // namespace

std::string store_path(const std::string& store_option, const std::string& out_dir) {
  if (!store_option.empty()) return store_option;
  if (!out_dir.empty()) return (fs::path(out_dir) / ResultsStore::kFileName).string();
  return ResultsStore::kInMemory;
}

std::string ResultsStore::sqlite_version() { return sqlite3_libversion(); }

ResultsStore::ResultsStore(ResultsStore&& o) noexcept { *this = std::move(o); }

ResultsStore& ResultsStore::operator=(ResultsStore&& o) noexcept {
  if (this != &o) {
    (void)close();
    db_ = std::exchange(o.db_, nullptr);
    lock_fd_ = std::exchange(o.lock_fd_, -1);
    path_ = std::move(o.path_);
    plan_ = std::move(o.plan_);
    task_hashes_ = std::move(o.task_hashes_);
    written_ = o.written_;
  }
  return *this;
}

ResultsStore::~ResultsStore() { (void)close(); }

Status ResultsStore::close() {
  int rc = SQLITE_OK;
  std::string message;
  if (db_ != nullptr) {
    rc = sqlite3_close(db_);  // checkpoints the WAL into the file and removes it
    if (rc != SQLITE_OK) message = sqlite3_errmsg(db_);
    db_ = nullptr;
  }
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
  if (rc != SQLITE_OK) return Status::runtime(fmt::format("{}: cannot close: {}", path_, message));
  return {};
}

Status ResultsStore::fail_bad(const std::string& what) const {
  return Status::bad_input(
      fmt::format("{}: {}{}", path_, what, db_ ? std::string(": ") + sqlite3_errmsg(db_) : ""));
}

Status ResultsStore::fail_runtime(const std::string& what) const {
  return Status::runtime(
      fmt::format("{}: {}{}", path_, what, db_ ? std::string(": ") + sqlite3_errmsg(db_) : ""));
}

Status ResultsStore::exec(const char* sql, bool runtime) const {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) == SQLITE_OK) return {};
  const std::string message = error != nullptr ? error : "unknown error";
  sqlite3_free(error);
  return runtime ? Status::runtime(fmt::format("{}: {}", path_, message))
                 : Status::bad_input(fmt::format("{}: {}", path_, message));
}

namespace {

// Opens the connection with the pragmas every store uses.
Status open_connection(const std::string& path, bool create, sqlite3*& db) {
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
                    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, store_faults::vfs_name());
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    db = nullptr;
    return Status::bad_input(fmt::format("{}: cannot open: {}", path, message));
  }
  sqlite3_busy_timeout(db, 5000);
  return {};
}

const char* sync_pragma() {
  const char* v = std::getenv("ORCHSIM_STORE_SYNC");
  return v != nullptr && std::strcmp(v, "full") == 0 ? "PRAGMA synchronous=FULL;"
                                                     : "PRAGMA synchronous=NORMAL;";
}

}  // namespace

StatusOr<ResultsStore> ResultsStore::create(const std::string& path, const TaskPlan& plan) {
  ResultsStore s;
  s.path_ = path;
  const bool memory = path == kInMemory;
  if (!memory) {
    std::error_code ec;
    if (fs::exists(path, ec)) {
      Status locked;
      const int fd = lock_file(path, locked);
      if (fd < 0) return locked;
      ::close(fd);
    }
    // The WAL and shared-memory files of the old store must go with it: SQLite
    // would otherwise replay an old WAL into the new file.
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix, ec);
    if (ec) return Status::bad_input(fmt::format("{}: cannot remove: {}", path, ec.message()));
  }
  if (Status st = open_connection(path, true, s.db_); !st.ok()) return st;
  if (!memory) {
    Status locked;
    s.lock_fd_ = lock_file(path, locked);
    if (s.lock_fd_ < 0) return locked;
  }
  const std::string pragmas = fmt::format("PRAGMA journal_mode=WAL; {}", sync_pragma());
  if (Status st = s.exec(pragmas.c_str(), true); !st.ok()) return st;
  // Identity, schema and plan in one transaction: a process killed while
  // creating a store leaves a file with no tables at all, which --resume
  // treats as no store (is_empty()).
  const std::string identity = fmt::format("PRAGMA application_id={}; PRAGMA user_version={};",
                                           kApplicationId, kSchemaVersion);
  if (Status st = s.exec("BEGIN IMMEDIATE;", true); !st.ok()) return st;
  if (Status st = s.exec(identity.c_str(), true); !st.ok()) return st;
  if (Status st = s.exec(kSchema, true); !st.ok()) return st;
  if (Status st = s.write_plan(plan); !st.ok()) return st;
  if (Status st = s.exec("COMMIT;", true); !st.ok()) return st;
  s.plan_ = plan;
  s.task_hashes_ = hashes_of(plan);
  return s;
}

Status ResultsStore::write_plan(const TaskPlan& plan) {
  if (Status st = exec("DELETE FROM experiment; DELETE FROM configs;", true); !st.ok()) return st;
  Statement meta(db_, "INSERT INTO experiment(key, value) VALUES(?1, ?2)");
  if (!meta.ok()) return fail_runtime("cannot write the plan");
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"format", kFormat},
      {"schema_version", std::to_string(kSchemaVersion)},
      {"orchsim_version", plan.version},
      {"command", plan.command},
      {"plan", to_json(plan).dump()}};
  for (const auto& [key, value] : rows) {
    sqlite3_reset(meta.get());
    meta.bind_text(1, key);
    meta.bind_text(2, value);
    if (meta.step() != SQLITE_DONE) return fail_runtime("cannot write the plan");
  }
  Statement config(db_,
                   "INSERT INTO configs(config, label, scenario, scenario_name, overrides, "
                   "scenario_hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  if (!config.ok()) return fail_runtime("cannot write the plan");
  for (std::size_t i = 0; i < plan.configs.size(); ++i) {
    const TaskConfig& c = plan.configs[i];
    J overrides = J::array();
    for (const auto& [ptr, value] : c.overrides) overrides.push_back(ptr + "=" + value);
    const std::string overrides_text = overrides.dump();
    sqlite3_reset(config.get());
    config.bind(1, static_cast<std::int64_t>(i));
    config.bind_text(2, c.label);
    config.bind_text(3, c.scenario);
    config.bind_text(4, c.scenario_name);
    config.bind_text(5, overrides_text);
    config.bind_text(6, c.scenario_hash);
    if (config.step() != SQLITE_DONE) return fail_runtime("cannot write the plan");
  }
  return {};
}

bool ResultsStore::is_empty(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;
  if (fs::file_size(path, ec) == 0 && !ec) return true;
  sqlite3* db = nullptr;
  bool empty = false;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    Statement q(db, "SELECT count(*) FROM sqlite_master");
    empty = q.ok() && q.step() == SQLITE_ROW && q.int64(0) == 0;
  }
  sqlite3_close(db);
  return empty;
}

StatusOr<ResultsStore> ResultsStore::open(const std::string& path) {
  ResultsStore s;
  s.path_ = path;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return Status::bad_input(fmt::format("{}: no results store here", path));
  }
  Status locked;
  s.lock_fd_ = lock_file(path, locked);
  if (s.lock_fd_ < 0) return locked;
  if (Status st = open_connection(path, false, s.db_); !st.ok()) return st;
  // A whole-file check first: a truncated or damaged file is reported here,
  // with the file's name, rather than as a failure halfway through a run.
  {
    Statement check(s.db_, "PRAGMA quick_check(3)");
    if (!check.ok()) return s.fail_bad("is damaged or truncated, or not an SQLite file");
    std::string problems;
    int rc = SQLITE_OK;
    while ((rc = check.step()) == SQLITE_ROW) {
      const std::string line = check.text(0);
      if (line != "ok") problems += (problems.empty() ? "" : "; ") + line;
    }
    if (rc != SQLITE_DONE)
      return s.fail_bad("is damaged or truncated (the integrity check failed)");
    if (!problems.empty()) {
      return Status::bad_input(fmt::format("{}: is damaged or truncated: {}", path, problems));
    }
  }
  {
    Statement app(s.db_, "PRAGMA application_id");
    if (!app.ok() || app.step() != SQLITE_ROW || app.int64(0) != kApplicationId) {
      return Status::bad_input(fmt::format(
          "{}: is an SQLite database but not an orchsim results store (application_id)", path));
    }
  }
  std::map<std::string, std::string, std::less<>> meta;
  {
    Statement q(s.db_, "SELECT key, value FROM experiment");
    if (!q.ok()) return s.fail_bad("has no experiment table");
    int rc = SQLITE_OK;
    while ((rc = q.step()) == SQLITE_ROW) meta[q.text(0)] = q.text(1);
    if (rc != SQLITE_DONE) return s.fail_bad("cannot read the experiment table");
  }
  if (meta["format"] != kFormat) {
    return Status::bad_input(
        fmt::format("{}: not an orchsim results store (format '{}', expected '{}')", path,
                    meta["format"], kFormat));
  }
  if (meta["schema_version"] != std::to_string(kSchemaVersion)) {
    return Status::bad_input(
        fmt::format("{}: store schema version {}, this orchsim reads version {}", path,
                    meta["schema_version"], kSchemaVersion));
  }
  J plan_json = parse_plan_text(meta["plan"]);
  if (plan_json.is_discarded()) {
    return Status::bad_input(
        fmt::format("{}: the stored plan is not valid JSON (or nests past {} levels)", path,
                    scenarios::kMaxJsonNesting));
  }
  StatusOr<TaskPlan> plan = plan_from_json(plan_json, path);
  if (!plan.ok()) return plan.status();
  if (Status st = s.exec(sync_pragma(), false); !st.ok()) return st;
  s.plan_ = std::move(*plan);
  s.task_hashes_ = hashes_of(s.plan_);
  return s;
}

StatusOr<std::vector<bool>> ResultsStore::done() const {
  std::vector<bool> out(plan_.size(), false);
  Statement q(db_, "SELECT task FROM tasks");
  if (!q.ok()) return fail_bad("cannot read the tasks table");
  int rc = SQLITE_OK;
  while ((rc = q.step()) == SQLITE_ROW) {
    const std::int64_t t = q.int64(0);
    if (t < 0 || static_cast<std::uint64_t>(t) >= out.size()) {
      return Status::bad_input(
          fmt::format("{}: holds task {}, the plan has {} tasks", path_, t, out.size()));
    }
    out[static_cast<std::size_t>(t)] = true;
  }
  if (rc != SQLITE_DONE) return fail_bad("cannot read the tasks table");
  return out;
}

Status ResultsStore::write(const TaskResult& r) {
  store_faults::before_store(written_ + 1);
  if (r.index >= plan_.size()) {
    return Status::runtime(fmt::format("{}: task {} is not in the plan", path_, r.index));
  }
  const Task task = plan_.task(r.index);
  if (Status st = exec("BEGIN IMMEDIATE;", true); !st.ok()) return st;
  Statement insert(db_,
                   "INSERT INTO tasks(task, config, replication, seed, task_hash, metrics, "
                   "latency_all, latency_success, wall_s, worker, finished_utc) "
                   "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  const std::string finished = utc_now();
  bool inserted = insert.ok();
  if (inserted) {
    insert.bind(1, static_cast<std::int64_t>(task.index));
    insert.bind(2, static_cast<std::int64_t>(task.config));
    insert.bind(3, static_cast<std::int64_t>(task.replication));
    insert.bind(4, static_cast<std::int64_t>(task.seed));  // seeds >= 2^63 read back negative
    insert.bind_text(5, task_hashes_[task.index]);
    insert.bind_text(6, r.metrics);
    insert.bind_blob(7, r.latency_all);
    insert.bind_blob(8, r.latency_success);
    insert.bind(9, r.wall_seconds);
    insert.bind_text(10, r.worker);
    insert.bind_text(11, finished);
    inserted = insert.step() == SQLITE_DONE;
  }
  if (!inserted) {
    Status st = fail_runtime(fmt::format("cannot store task {}", task.index));
    (void)exec("ROLLBACK;", true);
    return st;
  }
  store_faults::arm_commit(written_ + 1);
  const int rc = sqlite3_exec(db_, "COMMIT;", nullptr, nullptr, nullptr);
  store_faults::disarm_commit();
  if (rc != SQLITE_OK) {
    Status st = fail_runtime(fmt::format("cannot store task {}", task.index));
    if (sqlite3_get_autocommit(db_) == 0) (void)exec("ROLLBACK;", true);
    return st;
  }
  ++written_;
  store_faults::after_commit(written_);
  return {};
}

StatusOr<std::vector<TaskResult>> ResultsStore::read_all() const {
  std::vector<TaskResult> out;
  Statement q(db_,
              "SELECT task, task_hash, metrics, latency_all, latency_success, wall_s, worker "
              "FROM tasks ORDER BY task");
  if (!q.ok()) return fail_bad("cannot read the tasks table");
  int rc = SQLITE_OK;
  while ((rc = q.step()) == SQLITE_ROW) {
    const std::int64_t t = q.int64(0);
    if (t < 0 || static_cast<std::uint64_t>(t) >= plan_.size()) {
      return Status::bad_input(
          fmt::format("{}: holds task {}, the plan has {} tasks", path_, t, plan_.size()));
    }
    const auto index = static_cast<std::uint64_t>(t);
    if (q.text(1) != task_hashes_[index]) {
      return Status::bad_input(fmt::format(
          "{}: task {} was stored for another configuration, seed or version (task hash {}, "
          "expected {})",
          path_, index, q.text(1), task_hashes_[index]));
    }
    TaskResult r;
    r.index = index;
    r.metrics = q.text(2);
    r.latency_all = q.blob(3);
    r.latency_success = q.blob(4);
    r.wall_seconds = q.real(5);
    r.worker = q.text(6);
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return fail_bad("cannot read the tasks table");
  return out;
}

StatusOr<std::pair<std::uint64_t, std::uint64_t>> ResultsStore::replace_plan(const TaskPlan& now) {
  // Read the old rows by their hash, then rewrite the table under the new plan.
  std::map<std::string, TaskResult> by_hash;
  std::vector<std::string> old_hashes;
  {
    Statement q(db_,
                "SELECT task, task_hash, metrics, latency_all, latency_success, wall_s, worker "
                "FROM tasks ORDER BY task");
    if (!q.ok()) return fail_bad("cannot read the tasks table");
    int rc = SQLITE_OK;
    while ((rc = q.step()) == SQLITE_ROW) {
      old_hashes.push_back(q.text(1));
      TaskResult r;
      r.metrics = q.text(2);
      r.latency_all = q.blob(3);
      r.latency_success = q.blob(4);
      r.wall_seconds = q.real(5);
      r.worker = q.text(6);
      by_hash.emplace(q.text(1), std::move(r));
    }
    if (rc != SQLITE_DONE) return fail_bad("cannot read the tasks table");
  }
  const std::vector<std::string> hashes = hashes_of(now);
  if (Status st = exec("BEGIN IMMEDIATE;", true); !st.ok()) return st;
  Status st = exec("DELETE FROM tasks;", true);
  if (st.ok()) st = write_plan(now);
  std::uint64_t kept = 0;
  std::set<std::string> used;
  if (st.ok()) {
    Statement insert(db_,
                     "INSERT INTO tasks(task, config, replication, seed, task_hash, metrics, "
                     "latency_all, latency_success, wall_s, worker, finished_utc) "
                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    const std::string finished = utc_now();
    for (std::uint64_t i = 0; i < now.size() && st.ok(); ++i) {
      const auto it = by_hash.find(hashes[i]);
      if (it == by_hash.end()) continue;
      const Task task = now.task(i);
      sqlite3_reset(insert.get());
      insert.bind(1, static_cast<std::int64_t>(i));
      insert.bind(2, static_cast<std::int64_t>(task.config));
      insert.bind(3, static_cast<std::int64_t>(task.replication));
      insert.bind(4, static_cast<std::int64_t>(task.seed));
      insert.bind_text(5, hashes[i]);
      insert.bind_text(6, it->second.metrics);
      insert.bind_blob(7, it->second.latency_all);
      insert.bind_blob(8, it->second.latency_success);
      insert.bind(9, it->second.wall_seconds);
      insert.bind_text(10, it->second.worker);
      insert.bind_text(11, finished);
      if (insert.step() != SQLITE_DONE) st = fail_runtime("cannot rewrite the tasks table");
      used.insert(hashes[i]);
      ++kept;
    }
  }
  if (st.ok()) st = exec("COMMIT;", true);
  if (!st.ok()) {
    (void)exec("ROLLBACK;", true);
    return st;
  }
  plan_ = now;
  task_hashes_ = hashes;
  std::uint64_t deleted = 0;
  for (const std::string& hash : old_hashes) deleted += used.count(hash) == 0 ? 1 : 0;
  return std::make_pair(kept, deleted);
}

}  // namespace orchsim::eval
