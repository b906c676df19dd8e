#include "orchestration/choreography.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace orchsim::orchestration {

namespace {

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// A cycle of topics through subscriptions, as "a -> b -> a", or empty.
// Depth-first over topics in name order, so the cycle reported is the same
// on every run.
std::string find_cycle(const std::map<std::string, std::set<std::string>>& edges) {
  std::map<std::string, int> state;  // 0 new, 1 on the path, 2 done
  std::vector<std::string> path;
  std::string found;
  auto visit = [&](auto&& self, const std::string& t) -> bool {
    state[t] = 1;
    path.push_back(t);
    const auto it = edges.find(t);
    if (it != edges.end()) {
      for (const std::string& next : it->second) {
        if (state[next] == 1) {
          const auto start = std::find(path.begin(), path.end(), next);
          for (auto p = start; p != path.end(); ++p) found += *p + " -> ";
          found += next;
          return true;
        }
        if (state[next] == 0 && self(self, next)) return true;
      }
    }
    path.pop_back();
    state[t] = 2;
    return false;
  };
  for (const auto& [t, _] : edges) {
    if (state[t] == 0 && visit(visit, t)) return found;
  }
  return {};
}

}  // namespace

std::vector<Choreography::Problem> Choreography::validate(std::size_t agent_count) const {
  std::vector<Problem> out;
  std::vector<std::string> published, subscribed;
  std::map<std::string, std::set<std::string>> edges;
  for (const Subscription& s : subscriptions) {
    subscribed.push_back(s.on);
    published.push_back(s.publish);
    edges[s.on].insert(s.publish);
    if (!s.publish_on_reject.empty()) {
      published.push_back(s.publish_on_reject);
      edges[s.on].insert(s.publish_on_reject);
    }
  }
  if (subscriptions.empty()) out.push_back({-1, "subscriptions", "expected at least one"});
  if (completes_on.empty()) out.push_back({-1, "completes_on", "expected at least one topic"});
  for (std::size_t i = 0; i < subscriptions.size(); ++i) {
    const Subscription& s = subscriptions[i];
    const int at = static_cast<int>(i);
    if (s.agent >= agent_count) out.push_back({at, "agent", "unknown agent"});
    if (s.on != kRequestTopic && !contains(published, s.on)) {
      out.push_back({at, "on",
                     fmt::format("found \"{}\", which no subscription publishes, expected \"{}\" "
                                 "or a topic some subscription publishes",
                                 s.on, kRequestTopic)});
    }
    for (const auto& [key, topic] :
         {std::pair<const char*, const std::string*>{"publish", &s.publish},
          {"publish_on_reject", &s.publish_on_reject}}) {
      if (topic->empty() && std::string(key) == "publish_on_reject") continue;
      if (*topic == kRequestTopic) {
        out.push_back({at, key,
                       fmt::format("found \"{}\", expected a topic other than the built-in "
                                   "\"{}\" (only an arrival publishes it)",
                                   *topic, kRequestTopic)});
      } else if (!contains(subscribed, *topic) && !contains(completes_on, *topic)) {
        out.push_back({at, key,
                       fmt::format("found \"{}\", which no subscription reacts to and which "
                                   "completes no request, expected a topic that is subscribed "
                                   "to or listed in completes_on",
                                   *topic)});
      }
    }
    if (!s.publish_on_reject.empty() && !s.judges_answer) {
      out.push_back({at, "publish_on_reject",
                     "found a reject topic on a subscription that does not judge the answer, "
                     "expected \"quality\": {\"judges_answer\": true} with it"});
    }
  }
  for (std::size_t i = 0; i < completes_on.size(); ++i) {
    if (!contains(published, completes_on[i])) {
      out.push_back({-1, fmt::format("completes_on/{}", i),
                     fmt::format("found \"{}\", which no subscription publishes, expected a "
                                 "published topic",
                                 completes_on[i])});
    }
  }
  const std::string cycle = find_cycle(edges);
  if (!cycle.empty()) {
    out.push_back({-1, "subscriptions",
                   fmt::format("found the cycle {}, expected topics without cycles (unroll a "
                               "bounded loop into rounds: docs/choreography.md)",
                               cycle)});
  }
  return out;
}

Workflow Choreography::as_workflow() const {
  Workflow w;
  w.name = "choreography";
  w.system_prompt_tokens = system_prompt_tokens;
  const NodeId terminal = static_cast<NodeId>(subscriptions.size());
  for (const Subscription& s : subscriptions) {
    Node n;
    n.name = s.name;
    n.kind = NodeKind::kCall;
    n.call.agents = {s.agent};
    n.call.attempt_timeout = s.timeout;
    n.call.retry = s.retry;
    n.call.input = s.input;
    n.call.output = s.output;
    n.call.judges_answer = s.judges_answer;
    n.next = terminal;
    w.nodes.push_back(std::move(n));
  }
  Node done;
  done.name = "completed";
  done.kind = NodeKind::kTerminal;
  w.nodes.push_back(std::move(done));
  return w;
}

}  // namespace orchsim::orchestration
