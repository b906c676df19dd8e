#include "eval/report.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <ostream>

namespace orchsim::eval {

nlohmann::ordered_json make_report(const scenarios::Scenario& s, const RunResult& r) {
  nlohmann::ordered_json j;
  j["schema"] = "orchsim.report";
  j["schema_version"] = kReportSchemaVersion;
  j["scenario"] = {{"name", s.name},
                   {"file", std::filesystem::path(s.source).filename().string()},
                   {"description", s.description}};
  j["run"] = {{"seed", r.seed},
              {"requests_limit", r.requests_limit},
              {"duration_limit_s", r.duration_limit.seconds_f()},
              {"simulated_s", r.end.seconds_f()},
              {"events", r.events},
              {"arrived", r.arrived},
              {"completed", r.completed},
              {"failed", r.failed},
              {"in_flight", r.in_flight}};
  j["metrics"] = r.metrics->to_json();
  return j;
}

void write_summary_table(std::ostream& out, const scenarios::Scenario& s, const RunResult& r) {
  out << fmt::format(
      "scenario  {}  (seed {}, {} requests arrived, {:.3f} s simulated, {} events)\n", s.name,
      r.seed, r.arrived, r.end.seconds_f(), r.events);
  r.metrics->write_table(out);
}

}  // namespace orchsim::eval
