// What each command's summaries read from a plan, checked before they read it.
//
// A plan made by the command line has everything its summaries need; one read
// back from a results store (--resume, orchsim merge) has whatever the file
// holds. check_summary_inputs() is the one place that says what the summaries
// of "run", "compare", "sweep", "baseline" and "check" take from `spec`,
// `view` and the rows, so the writers (cli/eval_outputs.cpp,
// eval/experiment_summaries.hpp) may then index without checking again.
//
//   if (Status st = check_summary_inputs(plan, sets.size()); !st.ok()) return st;
//   write_compare(plan, sets);  // spec/variants, view/metrics ... are as expected
#pragma once

#include <cstddef>

#include "eval/status.hpp"
#include "eval/task_plan.hpp"

namespace orchsim::eval {

// kBadInput, naming the plan's key (a JSON pointer such as /spec/variants/0/name),
// what was found and what was expected, or how many configurations the rows
// have against how many the summaries read. `set_count` is the number of
// replication sets (one per configuration) read from the rows. A command the
// summaries do not know (or "search", summarised elsewhere) is not checked.
Status check_summary_inputs(const TaskPlan& plan, std::size_t set_count);

}  // namespace orchsim::eval
