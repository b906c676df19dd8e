// Reads typed values out of a parsed JSON document by JSON pointer (RFC
// 6901) and keeps the first problem as one line naming the source, the
// pointer, what was found and what was expected. Parse code reads as a list
// of fields rather than a ladder of checks, and never throws:
//
//   JsonFieldReader r(doc, "results/report.json");
//   m.arrived = r.count("/metrics/requests/arrived");
//   m.mean = r.opt_num("/metrics/quality/mean");     // a number or null
//   if (!r.ok()) return Status::bad_input(r.error());
//
// Used by the results model (eval/run_metrics_json.cpp) and the explorer's
// report loader (gui/report_data.cpp).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "scenarios/json_reader.hpp"

namespace orchsim::eval {

class JsonFieldReader {
 public:
  using Json = nlohmann::ordered_json;

  // `prefix` is the document's own place in the file it came from, put
  // before every pointer in messages ("/metrics" for a report's metrics).
  JsonFieldReader(const Json& doc, std::string source, std::string prefix = "")
      : doc_(doc), source_(std::move(source)), prefix_(std::move(prefix)) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  const Json* at(const std::string& pointer) {
    if (!ok()) return nullptr;
    const Json::json_pointer ptr(pointer);
    if (!doc_.contains(ptr)) {
      fail(pointer, "missing");
      return nullptr;
    }
    return &doc_.at(ptr);
  }

  std::string str(const std::string& pointer) {
    const Json* v = at(pointer);
    if (v == nullptr) return {};
    if (!v->is_string()) {
      fail(pointer, "found " + found(*v) + ", expected a string");
      return "";
    }
    return v->get<std::string>();
  }

  double num(const std::string& pointer) {
    const Json* v = at(pointer);
    if (v == nullptr) return 0;
    if (!v->is_number()) {
      fail(pointer, "found " + found(*v) + ", expected a number");
      return 0;
    }
    return v->get<double>();
  }

  bool boolean(const std::string& pointer) {
    const Json* v = at(pointer);
    if (v == nullptr) return false;
    if (!v->is_boolean()) {
      fail(pointer, "found " + found(*v) + ", expected true or false");
      return false;
    }
    return v->get<bool>();
  }

  // A number or null (a quantile of nothing).
  std::optional<double> opt_num(const std::string& pointer) {
    const Json* v = at(pointer);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (!v->is_number()) {
      fail(pointer, "found " + found(*v) + ", expected a number or null");
      return std::nullopt;
    }
    return v->get<double>();
  }

  std::uint64_t count(const std::string& pointer) {
    const Json* v = at(pointer);
    if (v == nullptr) return 0;
    // Parsed text holds non-negative integers as unsigned, a report built in
    // memory (eval::make_report) as signed: accept both, but nothing negative,
    // fractional or textual.
    if (!v->is_number_integer() || (!v->is_number_unsigned() && v->get<std::int64_t>() < 0)) {
      fail(pointer, "found " + found(*v) + ", expected a count (integer >= 0)");
      return 0;
    }
    return v->get<std::uint64_t>();
  }

  std::size_t array_size(const std::string& pointer) {
    const Json* v = at(pointer);
    if (v == nullptr) return 0;
    if (!v->is_array()) {
      fail(pointer, "found " + found(*v) + ", expected an array");
      return 0;
    }
    return v->size();
  }

  // Calls fn(pointer of element i) for each element of the array at
  // `pointer`, stopping at the first problem.
  template <typename Fn>
  void each(const std::string& pointer, Fn fn) {
    const std::size_t n = array_size(pointer);
    for (std::size_t i = 0; i < n && ok(); ++i) fn(pointer + "/" + std::to_string(i));
  }

  bool has(const std::string& pointer) const { return doc_.contains(Json::json_pointer(pointer)); }

  // An array of counts / numbers / numbers-or-null, each element checked;
  // with `size`, also that it has that many elements.
  std::vector<std::uint64_t> counts(const std::string& pointer,
                                    std::optional<std::size_t> size = std::nullopt) {
    return array_of(pointer, size, [&](const std::string& p) { return count(p); });
  }
  std::vector<double> nums(const std::string& pointer,
                           std::optional<std::size_t> size = std::nullopt) {
    return array_of(pointer, size, [&](const std::string& p) { return num(p); });
  }
  std::vector<std::optional<double>> opt_nums(const std::string& pointer,
                                              std::optional<std::size_t> size = std::nullopt) {
    return array_of(pointer, size, [&](const std::string& p) { return opt_num(p); });
  }
  // An object of name -> count, in the file's order.
  std::vector<std::pair<std::string, std::uint64_t>> named_counts(const std::string& pointer) {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    const Json* v = at(pointer);
    if (v == nullptr) return out;
    if (!v->is_object()) {
      fail(pointer, "found " + found(*v) + ", expected an object");
      return out;
    }
    for (const auto& [key, value] : v->items()) {
      // JSON pointer escaping (RFC 6901): "~" is "~0", "/" is "~1".
      std::string escaped;
      for (const char c : key)
        escaped += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
      out.emplace_back(key, count(pointer + "/" + escaped));
    }
    return out;
  }
  template <typename ReadOne>
  std::vector<std::invoke_result_t<ReadOne&, const std::string&>> array_of(
      const std::string& pointer, std::optional<std::size_t> size, ReadOne read_one) {
    std::vector<std::invoke_result_t<ReadOne&, const std::string&>> out(array_size(pointer));
    for (std::size_t i = 0; i < out.size() && ok(); ++i)
      out[i] = read_one(pointer + "/" + std::to_string(i));
    if (size && out.size() != *size) {
      fail(pointer,
           "found " + std::to_string(out.size()) + " elements, expected " + std::to_string(*size));
    }
    return out;
  }

  void fail(const std::string& pointer, const std::string& what) {
    if (ok()) error_ = source_ + ": " + prefix_ + pointer + ": " + what;
  }

 private:
  static std::string found(const Json& v) { return scenarios::describe_json(v); }

  const Json& doc_;
  std::string source_, prefix_;
  std::string error_;
};

}  // namespace orchsim::eval
