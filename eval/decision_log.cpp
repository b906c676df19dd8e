#include "eval/decision_log.hpp"

#include <fmt/format.h>

#include <cmath>
#include <iterator>
#include <nlohmann/json.hpp>

namespace orchsim::eval {
namespace {

void append_quoted(std::string& out, std::string_view s) {
  // Invalid UTF-8 is replaced rather than thrown on: a log line must not fail.
  out +=
      nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Milliseconds with 6 decimals, exact: integer arithmetic on nanoseconds.
void append_ms(std::string& out, sim::Time t) {
  const std::int64_t ns = t.count_ns();
  const std::int64_t abs = ns < 0 ? -ns : ns;
  fmt::format_to(std::back_inserter(out), "{}{}.{:06}", ns < 0 ? "-" : "", abs / 1'000'000,
                 abs % 1'000'000);
}

}  // namespace

DecisionLog::DecisionLog(std::ostream& out, const orchestration::Workflow& workflow,
                         std::vector<std::string> agent_names)
    : out_(out), workflow_(workflow), agent_names_(std::move(agent_names)) {}

std::string DecisionLog::node_name(orchestration::NodeId node) const {
  if (node < workflow_.nodes.size()) return workflow_.nodes[node].name;
  return fmt::format("node{}", node);
}

std::string DecisionLog::agent_name(orchestration::AgentIndex agent) const {
  if (agent < agent_names_.size()) return agent_names_[agent];
  return fmt::format("agent{}", agent);
}

void DecisionLog::on_routing_decision(const orchestration::RoutingDecision& e) {
  line_.clear();
  auto it = std::back_inserter(line_);
  line_ += "{\"t_ms\":";
  append_ms(line_, e.at);
  fmt::format_to(it, ",\"request\":{},\"node\":", e.request);
  append_quoted(line_, node_name(e.node));
  line_ += ",\"kind\":\"route\",\"policy\":";
  append_quoted(line_, e.policy);
  line_ += ",\"inputs\":[";
  if (e.candidates != nullptr) {
    bool first = true;
    for (const auto& c : *e.candidates) {
      if (!first) line_ += ',';
      first = false;
      line_ += "{\"agent\":";
      append_quoted(line_, agent_name(c.agent));
      if (std::isfinite(c.score)) {
        fmt::format_to(it, ",\"score\":{:.6f}", c.score);
      } else {
        line_ += ",\"score\":null";
      }
      fmt::format_to(it, ",\"eligible\":{}}}", c.eligible ? "true" : "false");
    }
  }
  line_ += "],\"choice\":";
  append_quoted(line_, agent_name(e.choice));
  line_ += ",\"reason\":";
  append_quoted(line_, e.reason);
  line_ += "}\n";
  out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
  ++lines_;
}

void DecisionLog::on_flow_decision(const orchestration::FlowDecision& e) {
  line_.clear();
  auto it = std::back_inserter(line_);
  line_ += "{\"t_ms\":";
  append_ms(line_, e.at);
  fmt::format_to(it, ",\"request\":{},\"node\":", e.request);
  append_quoted(line_, node_name(e.node));
  line_ += ",\"kind\":\"flow\",\"choice\":";
  if (e.next == orchestration::kNoNode) {
    line_ += "null";
  } else {
    append_quoted(line_, node_name(e.next));
  }
  line_ += ",\"reason\":";
  append_quoted(line_, e.reason);
  line_ += "}\n";
  out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
  ++lines_;
}

}  // namespace orchsim::eval
