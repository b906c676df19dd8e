// Fuzz target: the plan a results store keeps as JSON text (the `plan` row of
// its experiment table, eval/task_plan.hpp), as --resume and `orchsim merge`
// read it: parsed as ResultsStore::open parses it, checked by plan_from_json,
// then every task and its hash computed (what open() does next).
//
// Beyond "no crash, no sanitizer report": a refused plan has a message, and
// an accepted one survives to_json and plan_from_json unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "eval/task_plan.hpp"
#include "scenarios/json_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace orchsim;
  using J = nlohmann::ordered_json;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const J j = eval::parse_plan_text(text);
  if (j.is_discarded()) return 0;
  const eval::StatusOr<eval::TaskPlan> plan = eval::plan_from_json(j, "fuzz/results.sqlite");
  if (!plan.ok()) {
    if (plan.status().message().empty()) std::abort();
    return 0;
  }
  for (std::uint64_t i = 0; i < plan->size(); ++i) {
    const eval::Task task = plan->task(i);
    if (task.config >= plan->configs.size()) std::abort();
    (void)eval::task_hash(*plan, task);
  }
  const eval::StatusOr<eval::TaskPlan> again =
      eval::plan_from_json(eval::to_json(*plan), "fuzz/again");
  if (!again.ok() || !eval::plan_differences(*plan, *again).empty()) std::abort();
  return 0;
}
