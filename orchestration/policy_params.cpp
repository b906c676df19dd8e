#include "orchestration/policy_params.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace orchsim::orchestration {
namespace {

using Json = nlohmann::ordered_json;

std::string escape_key(std::string_view key) {
  std::string out;
  for (const char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string range_text(PolicyParams::Range r) {
  const bool lo = std::isfinite(r.min), hi = std::isfinite(r.max);
  if (lo && hi) return fmt::format("a number in [{}, {}]", r.min, r.max);
  if (r.min == std::numeric_limits<double>::min()) return "a number > 0";
  if (lo) return fmt::format("a number >= {}", r.min);
  if (hi) return fmt::format("a number <= {}", r.max);
  return "a number";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string describe_value(const Json& j) {
  switch (j.type()) {
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return fmt::format("an array of {}", j.size());
    case Json::value_t::null:
      return "null";
    default: {
      std::string s = j.dump();
      if (s.size() > 40) s = s.substr(0, 37) + "...";
      return s;
    }
  }
}

std::string closest_name(std::string_view word, std::span<const std::string> options) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const std::string& c : options) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

PolicyParams::PolicyParams(const Json* params, std::string pointer, const Json* legacy,
                           std::string legacy_pointer)
    : params_(params && params->is_object() ? params : nullptr),
      pointer_(std::move(pointer)),
      legacy_(legacy && legacy->is_object() ? legacy : nullptr),
      legacy_pointer_(std::move(legacy_pointer)),
      problems_(std::make_shared<std::vector<ParamProblem>>()) {
  if (params && !params->is_object()) {
    problem("", fmt::format("found {}, expected an object", describe_value(*params)));
  }
}

PolicyParams::PolicyParams(const Json* params, std::string pointer,
                           std::shared_ptr<std::vector<ParamProblem>> problems)
    : params_(params),
      pointer_(std::move(pointer)),
      legacy_(nullptr),
      problems_(std::move(problems)) {}

const Json* PolicyParams::find(std::string_view key) const {
  for (const Json* o : {params_, legacy_}) {
    if (!o) continue;
    const auto it = o->find(std::string(key));
    if (it != o->end()) return &*it;
  }
  return nullptr;
}

std::string PolicyParams::pointer_of(std::string_view key) const {
  if (key.empty()) return pointer_;
  // Where the key is; a missing one is reported where the policy's keys are
  // written: in "params" if there is such an object, else next to "policy".
  const bool in_params = params_ && params_->contains(std::string(key));
  const bool in_legacy = legacy_ && legacy_->contains(std::string(key));
  const bool use_legacy =
      !legacy_pointer_.empty() && !in_params && (in_legacy || params_ == nullptr);
  return (use_legacy ? legacy_pointer_ : pointer_) + "/" + escape_key(key);
}

void PolicyParams::mark(std::string_view key) { read_.emplace_back(key); }

void PolicyParams::problem(std::string_view key, std::string message, std::string hint) {
  problems_->push_back({pointer_of(key), std::move(message), std::move(hint)});
}

double PolicyParams::number(std::string_view key, double fallback, Range range) {
  mark(key);
  const Json* v = find(key);
  if (!v) return fallback;
  if (!v->is_number()) {
    problem(key, fmt::format("found {}, expected {}", describe_value(*v), range_text(range)));
    return fallback;
  }
  const double x = v->get<double>();
  if (!std::isfinite(x)) {
    problem(key, fmt::format("found {}, expected a finite number", describe_value(*v)));
    return fallback;
  }
  if (!(x >= range.min && x <= range.max)) {
    problem(key, fmt::format("found {}, expected {}", describe_value(*v), range_text(range)));
    return fallback;
  }
  return x;
}

std::int64_t PolicyParams::integer(std::string_view key, std::int64_t fallback, Range range) {
  mark(key);
  const Json* v = find(key);
  if (!v) return fallback;
  const std::string expected = "an integer (" + range_text(range) + ")";
  if (!v->is_number_integer() ||
      (v->is_number_unsigned() && v->get<std::uint64_t>() > std::uint64_t{1} << 53)) {
    problem(key, fmt::format("found {}, expected {}", describe_value(*v), expected));
    return fallback;
  }
  const auto x = v->get<std::int64_t>();
  if (!(static_cast<double>(x) >= range.min && static_cast<double>(x) <= range.max)) {
    problem(key, fmt::format("found {}, expected {}", x, expected));
    return fallback;
  }
  return x;
}

bool PolicyParams::boolean(std::string_view key, bool fallback) {
  mark(key);
  const Json* v = find(key);
  if (!v) return fallback;
  if (!v->is_boolean()) {
    problem(key, fmt::format("found {}, expected true or false", describe_value(*v)));
    return fallback;
  }
  return v->get<bool>();
}

std::string PolicyParams::choice(std::string_view key, std::string fallback,
                                 std::span<const std::string_view> allowed) {
  mark(key);
  const Json* v = find(key);
  if (!v) return fallback;
  std::vector<std::string> options(allowed.begin(), allowed.end());
  std::string list;
  for (const auto& o : options) list += (list.empty() ? "" : ", ") + o;
  if (!v->is_string()) {
    problem(key, fmt::format("found {}, expected one of: {}", describe_value(*v), list));
    return fallback;
  }
  const std::string s = v->get<std::string>();
  if (std::find(options.begin(), options.end(), s) == options.end()) {
    const std::string near = closest_name(s, options);
    problem(key, fmt::format("found \"{}\", expected one of: {}", s, list),
            near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
    return fallback;
  }
  return s;
}

std::vector<double> PolicyParams::numbers(std::string_view key, Range range) {
  mark(key);
  std::vector<double> out;
  const Json* v = find(key);
  if (!v) return out;
  if (!v->is_array()) {
    problem(key, fmt::format("found {}, expected an array of numbers", describe_value(*v)));
    return out;
  }
  for (std::size_t i = 0; i < v->size(); ++i) {
    const Json& x = (*v)[i];
    if (!x.is_number() || !std::isfinite(x.get<double>()) ||
        !(x.get<double>() >= range.min && x.get<double>() <= range.max)) {
      problems_->push_back(
          {pointer_of(key) + "/" + std::to_string(i),
           fmt::format("found {}, expected {}", describe_value(x), range_text(range))});
      out.push_back(0.0);
      continue;
    }
    out.push_back(x.get<double>());
  }
  return out;
}

namespace {

// The position of agent `index` among the node's candidates, adding it when
// allowed and missing.
std::optional<std::size_t> position_of(AgentIndex index, NodeSpec& node, bool add_missing) {
  auto& c = *node.candidates;
  const auto it = std::find(c.begin(), c.end(), index);
  if (it != c.end()) return static_cast<std::size_t>(it - c.begin());
  if (!add_missing) return std::nullopt;
  c.push_back(index);
  return c.size() - 1;
}

}  // namespace

std::optional<std::size_t> PolicyParams::resolve_agent(const Json& x, const std::string& at,
                                                       NodeSpec& node, bool add_missing) {
  std::optional<AgentIndex> agent;
  if (x.is_string()) {
    const auto names = node.agent_names;
    const auto it = std::find(names.begin(), names.end(), x.get<std::string>());
    if (it == names.end()) {
      const std::string near = closest_name(x.get<std::string>(), names);
      problems_->push_back(
          {at, fmt::format("found {}, expected the name of an agent", describe_value(x)),
           near.empty() ? "" : fmt::format("did you mean \"{}\"?", near)});
      return std::nullopt;
    }
    agent = static_cast<AgentIndex>(it - names.begin());
  } else if (x.is_number_integer() && x.get<std::int64_t>() >= 0 &&
             x.get<std::uint64_t>() < node.agent_names.size()) {
    // From C++: an agent index. An int stored in a json is signed; parsed
    // text is unsigned.
    agent = static_cast<AgentIndex>(x.get<std::uint64_t>());
  } else {
    problems_->push_back(
        {at, fmt::format("found {}, expected the name of an agent", describe_value(x))});
    return std::nullopt;
  }
  const auto pos = position_of(*agent, node, add_missing);
  if (!pos) {
    problems_->push_back({at, fmt::format("found \"{}\", expected one of the node's agents",
                                          node.agent_names[*agent])});
  }
  return pos;
}

std::vector<std::size_t> PolicyParams::candidate_list(std::string_view key, NodeSpec& node,
                                                      bool add_missing) {
  mark(key);
  std::vector<std::size_t> out;
  const Json* v = find(key);
  if (!v) return out;
  if (!v->is_array()) {
    problem(key, fmt::format("found {}, expected an array of agent names", describe_value(*v)));
    return out;
  }
  const std::string base = pointer_of(key);
  for (std::size_t i = 0; i < v->size(); ++i) {
    const auto pos = resolve_agent((*v)[i], base + "/" + std::to_string(i), node, add_missing);
    if (pos) out.push_back(*pos);
  }
  return out;
}

std::optional<std::size_t> PolicyParams::candidate(std::string_view key, NodeSpec& node,
                                                   bool add_missing) {
  mark(key);
  const Json* v = find(key);
  if (!v) return std::nullopt;
  return resolve_agent(*v, pointer_of(key), node, add_missing);
}

PolicyParams PolicyParams::object(std::string_view key) {
  mark(key);
  const Json* v = find(key);
  if (v && !v->is_object()) {
    problem(key, fmt::format("found {}, expected an object", describe_value(*v)));
    v = nullptr;
  }
  return PolicyParams(v, pointer_of(key), problems_);
}

void PolicyParams::finish() {
  if (!params_) return;
  for (auto it = params_->begin(); it != params_->end(); ++it) {
    if (std::find(read_.begin(), read_.end(), it.key()) != read_.end()) continue;
    if (it.key() == "$comment" || it.key().rfind("//", 0) == 0) continue;
    std::vector<std::string> known;
    for (const std::string& k : read_) {
      if (std::find(known.begin(), known.end(), k) == known.end()) known.push_back(k);
    }
    std::string expected;
    for (const auto& k : known) expected += (expected.empty() ? "" : ", ") + k;
    const std::string near = closest_name(it.key(), known);
    problems_->push_back({pointer_ + "/" + escape_key(it.key()),
                          known.empty()
                              ? std::string("unknown key: this policy takes no parameters")
                              : fmt::format("unknown key, expected one of: {}", expected),
                          near.empty() ? "" : fmt::format("did you mean \"{}\"?", near)});
  }
}

}  // namespace orchsim::orchestration
