#include "scenarios/asl/payload_values.hpp"

#include <fmt/format.h>

#include <cmath>

namespace orchsim::scenarios::asl {

std::string ItemCount::describe() const {
  if (fixed()) return fmt::format("{}", weights.begin()->first);
  double total = 0.0;
  for (const auto& [n, w] : weights) total += w;
  std::string out;
  for (const auto& [n, w] : weights) {
    out += fmt::format("{}{}: {:.3g}", out.empty() ? "" : ", ", n, w / total);
  }
  return "{" + out + "}";
}

PayloadValues::PayloadValues(const Json& doc, std::string file, ImportContext& cx)
    : file_(std::move(file)) {
  if (!doc.is_object()) {
    cx.error_in(file_, "", fmt::format("found {}, expected an object of state names", found(doc)));
    return;
  }
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (!it->is_object()) {
      cx.error_in(file_, pointer_join("", it.key()),
                  fmt::format("found {}, expected an object (branch weights, \"items\" or "
                              "\"seconds\")",
                              found(*it)));
    }
  }
  doc_ = doc;
}

const Json* PayloadValues::entry(const std::string& state) {
  const auto it = doc_.find(state);
  if (it == doc_.end() || !it->is_object()) return nullptr;
  used_.insert(state);
  return &*it;
}

std::optional<std::vector<double>> PayloadValues::choice(const std::string& state,
                                                         const std::vector<std::string>& targets,
                                                         ImportContext& cx) {
  const Json* e = entry(state);
  if (!e) return std::nullopt;
  std::vector<double> w(targets.size(), 0.0);
  double total = 0.0;
  for (auto it = e->begin(); it != e->end(); ++it) {
    const std::string at = pointer_join(pointer_join("", state), it.key());
    const auto t = std::find(targets.begin(), targets.end(), it.key());
    if (t == targets.end()) {
      const std::string near = closest_match(it.key(), targets);
      std::string list;
      for (const std::string& s : targets) list += (list.empty() ? "" : ", ") + s;
      cx.error_in(file_, at,
                  fmt::format("found \"{}\", expected a state the Choice \"{}\" goes to ({})",
                              it.key(), state, list),
                  near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
      continue;
    }
    if (!it->is_number() || !(it->get<double>() >= 0.0) || !std::isfinite(it->get<double>())) {
      cx.error_in(file_, at, fmt::format("found {}, expected a weight >= 0", found(*it)));
      continue;
    }
    w[static_cast<std::size_t>(t - targets.begin())] = it->get<double>();
    total += it->get<double>();
  }
  if (!(total > 0.0)) {
    cx.error_in(file_, pointer_join("", state),
                "found no positive weight, expected at least one branch with a weight > 0");
    return std::nullopt;
  }
  for (double& x : w) x /= total;
  return w;
}

std::optional<ItemCount> PayloadValues::items(const std::string& state, ImportContext& cx) {
  const Json* e = entry(state);
  if (!e) return std::nullopt;
  const std::string at = pointer_join(pointer_join("", state), "items");
  for (auto it = e->begin(); it != e->end(); ++it) {
    if (it.key() != "items") {
      cx.error_in(
          file_, pointer_join(pointer_join("", state), it.key()),
          fmt::format("found \"{}\", expected \"items\" for the Map \"{}\"", it.key(), state));
    }
  }
  const auto v = e->find("items");
  if (v == e->end()) {
    cx.error_in(file_, at, "missing, expected the item count (a number or {count: weight})");
    return std::nullopt;
  }
  const auto count_ok = [](double n) { return n >= 1 && n <= kMaxMapItems && n == std::floor(n); };
  ItemCount c;
  if (v->is_number()) {
    if (!count_ok(v->get<double>())) {
      cx.error_in(
          file_, at,
          fmt::format("found {}, expected a whole number in [1, {}]", found(*v), kMaxMapItems));
      return std::nullopt;
    }
    c.weights[static_cast<std::uint32_t>(v->get<double>())] = 1.0;
    return c;
  }
  if (!v->is_object() || v->empty()) {
    cx.error_in(
        file_, at,
        fmt::format("found {}, expected a number or an object {{\"count\": weight}}", found(*v)));
    return std::nullopt;
  }
  double total = 0.0;
  for (auto it = v->begin(); it != v->end(); ++it) {
    const std::string kat = pointer_join(at, it.key());
    char* end = nullptr;
    const double n = std::strtod(it.key().c_str(), &end);
    if (it.key().empty() || *end != '\0' || !count_ok(n)) {
      cx.error_in(
          file_, kat,
          fmt::format("found \"{}\", expected an item count in [1, {}]", it.key(), kMaxMapItems));
      continue;
    }
    if (!it->is_number() || !(it->get<double>() >= 0.0) || !std::isfinite(it->get<double>())) {
      cx.error_in(file_, kat, fmt::format("found {}, expected a weight >= 0", found(*it)));
      continue;
    }
    c.weights[static_cast<std::uint32_t>(n)] += it->get<double>();
    total += it->get<double>();
  }
  if (!(total > 0.0)) {
    cx.error_in(file_, at, "found no positive weight, expected at least one count with weight > 0");
    return std::nullopt;
  }
  std::erase_if(c.weights, [](const auto& kv) { return kv.second == 0.0; });
  return c;
}

std::optional<double> PayloadValues::seconds(const std::string& state, ImportContext& cx) {
  const Json* e = entry(state);
  if (!e) return std::nullopt;
  const auto v = e->find("seconds");
  for (auto it = e->begin(); it != e->end(); ++it) {
    if (it.key() != "seconds") {
      cx.error_in(
          file_, pointer_join(pointer_join("", state), it.key()),
          fmt::format("found \"{}\", expected \"seconds\" for the Wait \"{}\"", it.key(), state));
    }
  }
  if (v == e->end() || !v->is_number() || !(v->get<double>() >= 0.0) ||
      !std::isfinite(v->get<double>())) {
    cx.error_in(file_, pointer_join(pointer_join("", state), "seconds"),
                fmt::format("found {}, expected a number of seconds >= 0",
                            v == e->end() ? std::string("nothing") : found(*v)));
    return std::nullopt;
  }
  return v->get<double>();
}

void PayloadValues::check_all_used(const std::set<std::string>& state_names,
                                   ImportContext& cx) const {
  const std::vector<std::string> names(state_names.begin(), state_names.end());
  for (auto it = doc_.begin(); it != doc_.end(); ++it) {
    if (used_.contains(it.key())) continue;
    if (state_names.contains(it.key())) {
      cx.error_in(file_, pointer_join("", it.key()),
                  fmt::format("found \"{}\", expected a Choice, a Map or a Wait whose seconds "
                              "come from the input",
                              it.key()));
      continue;
    }
    const std::string near = closest_match(it.key(), names);
    cx.error_in(
        file_, pointer_join("", it.key()),
        fmt::format("found \"{}\", expected the name of a state of the state machine", it.key()),
        near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
  }
}

}  // namespace orchsim::scenarios::asl
