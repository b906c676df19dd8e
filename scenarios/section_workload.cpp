// The "workload" section: request classes here, arrivals in section_arrivals.cpp.
#include <fmt/format.h>

#include <cmath>

#include "scenarios/sections.hpp"

namespace orchsim::scenarios {

namespace {

// Difficulties are clamped to [0, 1] when drawn; a distribution with no
// mass there would give every request of the class the same clamped
// difficulty, which is a mistake (a constant 5 meant as 0.5), not a choice.
void check_difficulty(ReadContext& ctx, const std::string& at, const RequestClass& c) {
  const sim::Distribution& d = c.difficulty;
  const double below = d.cdf(std::nextafter(0.0, -1.0));
  const double up_to_one = d.cdf(1.0);
  if (up_to_one - below > 0.0) return;
  const char* clamped = below == 0.0 ? "1" : up_to_one >= 1.0 ? "0" : "0 or 1";
  ctx.diagnostics().error(
      at, fmt::format("found {}, which never falls in [0, 1]; expected difficulties in "
                      "[0, 1] (draws are clamped, so every request would get {})",
                      d.describe(), clamped));
}

const Fields<RequestClass>& class_fields() {
  using C = RequestClass;
  static const Fields<C> t{
      .doc = "A request class.",
      .fields =
          {
              text("name", &C::name, "Class name, usable in class_is conditions.").required(),
              number("weight", &C::weight, Range::non_negative(), "",
                     "Relative share of requests."),
              distribution("difficulty", &C::difficulty, "",
                           "Difficulty in [0, 1]; draws are clamped.")
                  .checked(check_difficulty),
              distribution("input_tokens", &C::input_tokens, "tokens",
                           "Query tokens; never negative."),
              duration("deadline_ms", &C::deadline, TimeUnit::kMilliseconds, Range::non_negative(),
                       "Deadline after arrival; 0 = none."),
          },
      .def = "request_class",
  };
  return t;
}

// The workload's own checks (what the arrival processes and classes reject
// at run time), mapped back to pointers.
void report_workload_problems(ReadContext& ctx, const Json& j, const std::string& at,
                              const WorkloadConfig& w) {
  for (const std::string& problem : w.validate()) {
    const auto colon = problem.find(':');
    std::string field = problem.substr(0, colon);
    std::string message = problem.substr(colon + 2);
    if (field.ends_with(".deadline")) field += "_ms";
    std::string pointer = at + field_pointer(field);
    if (field.rfind("arrivals", 0) == 0) {  // arrivals.users -> arrivals/closed_loop/users
      const auto arrivals = j.find("arrivals");
      if (arrivals != j.end() && arrivals->is_object() && !arrivals->empty()) {
        pointer = pointer_join(at + "/arrivals", arrivals->begin().key());
        if (field.size() > 9) pointer += field_pointer(field.substr(9));
      }
    }
    ctx.diagnostics().error(pointer, message);
  }
}

}  // namespace

const Fields<WorkloadConfig>& workload_fields() {
  using W = WorkloadConfig;
  static const Fields<W> t{
      .doc = "Arrivals and request classes.",
      .fields = {
          custom<W>("arrivals", "", arrivals_schema,
                    [](const FieldSpec& f, ReadContext& ctx, ObjectReader& r, W& w) {
                      if (const Json* a = r.child(f.key)) {
                        read_arrivals(ctx, *a, r.at(f.key), w);
                      } else {
                        report_missing(f, ctx, r);
                      }
                    })
              .required("an arrival process"),
          array("classes", &W::classes, class_fields, "a non-empty array of request classes", true,
                "Request classes (default: one class)."),
      }};
  return t;
}

void read_workload(ReadContext& ctx, const Json& j, const std::string& at, Scenario& s) {
  ObjectReader r(j, at, ctx.diagnostics());
  if (!r.valid()) return;
  workload_fields().read(ctx, r, s.workload);
  for (const RequestClass& c : s.workload.classes) s.class_names.push_back(c.name);
  r.finish();
  if (ctx.pending_replay) {
    auto bound = bind_replay(*ctx.pending_replay, s.class_names);
    if (auto* attributes = std::get_if<ReplayAttributes>(&bound)) {
      s.workload.replay = std::make_shared<const ReplayAttributes>(std::move(*attributes));
    } else {
      ctx.diagnostics().error(at + "/arrivals/replay/file", std::get<std::string>(bound));
    }
    ctx.pending_replay.reset();
  }
  if (!ctx.already_reported(at)) report_workload_problems(ctx, j, at, s.workload);
}

}  // namespace orchsim::scenarios
