#include "eval/task_result.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstring>

#include "eval/run_metrics_json.hpp"
#include "eval/runner.hpp"

namespace orchsim::eval {

TaskResult run_task(const LoadedPlan& loaded, std::uint64_t index, const std::string& worker) {
  const auto start = std::chrono::steady_clock::now();
  const Task task = loaded.plan.task(index);
  RunOptions run;
  run.seed = task.seed;
  run.requests = loaded.plan.limits.requests;
  run.duration = loaded.plan.limits.duration;
  run.warmup = loaded.plan.limits.warmup;
  const RunResult r = run_scenario(loaded.scenarios.at(task.config), run);
  TaskResult out;
  out.index = index;
  out.metrics = to_json(r.metrics->result()).dump();
  out.latency_all = r.metrics->requests().latency_all.encode();
  out.latency_success = r.metrics->requests().latency_success.encode();
  out.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.worker = worker;
  return out;
}

namespace {

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

bool get_u64(std::string_view& in, std::uint64_t& v) {
  if (in.size() < 8) return false;
  v = 0;
  for (int i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<std::uint8_t>(in[i])} << (8 * i);
  in.remove_prefix(8);
  return true;
}

void put_bytes(std::string& out, std::string_view s) {
  put_u64(out, s.size());
  out.append(s);
}

bool get_bytes(std::string_view& in, std::string& s) {
  std::uint64_t n = 0;
  if (!get_u64(in, n) || n > in.size()) return false;
  s.assign(in.substr(0, n));
  in.remove_prefix(n);
  return true;
}

}  // namespace

std::string encode_result(const TaskResult& r) {
  std::string out;
  put_u64(out, r.index);
  std::uint64_t wall = 0;
  static_assert(sizeof wall == sizeof r.wall_seconds);
  std::memcpy(&wall, &r.wall_seconds, sizeof wall);
  put_u64(out, wall);
  put_bytes(out, r.metrics);
  put_bytes(out, r.latency_all);
  put_bytes(out, r.latency_success);
  put_bytes(out, r.worker);
  return out;
}

StatusOr<TaskResult> decode_result(std::string_view in) {
  TaskResult r;
  std::uint64_t wall = 0;
  if (!get_u64(in, r.index) || !get_u64(in, wall) || !get_bytes(in, r.metrics) ||
      !get_bytes(in, r.latency_all) || !get_bytes(in, r.latency_success) ||
      !get_bytes(in, r.worker) || !in.empty()) {
    return Status::runtime("a task result message is truncated or malformed");
  }
  std::memcpy(&r.wall_seconds, &wall, sizeof wall);
  return r;
}

StatusOr<std::vector<ReplicationSet>> replication_sets(const TaskPlan& plan,
                                                       const std::vector<TaskResult>& rows,
                                                       const std::string& source) {
  if (rows.size() != plan.size()) {
    return Status::runtime(
        fmt::format("{}: {} of {} tasks are stored", source, rows.size(), plan.size()));
  }
  std::vector<ReplicationSet> sets(plan.configs.size());
  for (const TaskResult& row : rows) {
    const Task task = plan.task(row.index);
    auto bad = [&](const std::string& what) {
      return Status::bad_input(fmt::format("{}: task {} (configuration {}, replication {}): {}",
                                           source, task.index, task.config, task.replication,
                                           what));
    };
    if (row.index != task.index || task.config >= sets.size()) return bad("out of order");
    ReplicationSet& set = sets[task.config];
    if (set.seeds.size() != task.replication) return bad("out of order");
    const nlohmann::ordered_json doc =
        nlohmann::ordered_json::parse(row.metrics, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
      return bad("the metrics column is not a JSON object");
    }
    StatusOr<RunMetrics> metrics = run_metrics_from_json(doc, "metrics");
    if (!metrics.ok()) return bad(metrics.status().message());
    const auto all = LogLinearHistogram::decode(row.latency_all);
    const auto success = LogLinearHistogram::decode(row.latency_success);
    if (!all || !success) return bad("a latency histogram does not decode");
    set.seeds.push_back(task.seed);
    set.metrics.push_back(std::move(*metrics));
    set.latency_all.merge(*all);
    set.latency_success.merge(*success);
  }
  return sets;
}

}  // namespace orchsim::eval
