// Reads one JSON object of a scenario, checking each value and collecting
// every problem into Diagnostics with its JSON pointer. Keys the format does
// not know are errors ("did you mean ...?"), reported by finish().
//
//   ObjectReader r(json, "/agents/0", diagnostics);
//   std::string name = r.string("name", "");               // required when default is absent
//   double p = r.number("transient_error", 0.0, {0.0, 1.0});
//   r.finish();                                            // unknown keys
#pragma once

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/diagnostics.hpp"

namespace orchsim::scenarios {

using Json = nlohmann::ordered_json;  // keeps the file's key order

// Allowed closed interval for a number.
struct Range {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  static Range non_negative() { return {0.0}; }
  static Range positive() { return {std::numeric_limits<double>::min()}; }
  static Range probability() { return {0.0, 1.0}; }
};

// The deepest nesting an orchsim file may have: scenarios need about 10,
// reports and baselines fewer. Parsing is iterative, but copying a parsed
// value recurses once per level, and nlohmann does so itself while parsing
// when an ordered_json object grows (its elements are copied, not moved):
// 100,000 levels of brackets overflowed the stack.
inline constexpr int kMaxJsonNesting = 64;

// A parser callback that drops every container starting deeper than
// kMaxJsonNesting, so it is never built, copied or printed:
//
//   NestingLimit limit;
//   Json doc = Json::parse(text, limit.callback());
//   if (limit.exceeded()) refuse("nested more than 64 levels deep");
class NestingLimit {
 public:
  bool keep(int depth, Json::parse_event_t event) {
    const bool starts =
        event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start;
    if (starts && depth >= kMaxJsonNesting) exceeded_ = true;
    return !(starts && depth >= kMaxJsonNesting);
  }
  Json::parser_callback_t callback() {
    return [this](int depth, Json::parse_event_t event, Json&) { return keep(depth, event); };
  }
  bool exceeded() const { return exceeded_; }

 private:
  bool exceeded_ = false;
};

// True when JSON text nests deeper than kMaxJsonNesting (whether or not it
// is otherwise valid JSON); parses with NestingLimit, so it never recurses.
bool nests_too_deep(const std::string& text);

// Whether `text` can be written as a JSON string: dump() throws for bytes
// that are not UTF-8, and a string set in memory (not parsed) may hold them.
bool is_utf8(const std::string& text);

// Debian's nlohmann (3.11.2) throws out_of_range, not parse_error, for a
// number no double can hold (1e999), and without a position. These give
// its text and where it starts in `text` (as a byte offset).
std::string overflowing_number(const Json::out_of_range& e);
std::size_t overflow_offset(const std::string& text, bool ignore_comments);
inline constexpr const char* kFiniteNumber = "a finite number (a double: at most about 1.8e308)";
// "found the number 1e999 at line 3, column 12, expected a finite number ...".
std::string number_overflow_message(const std::string& text, const Json::out_of_range& e,
                                    bool ignore_comments);

// The value of one --set override (`pointer`=`value`): JSON when it parses,
// else the text as a string. Refused, with a diagnostic at `pointer`: the
// empty pointer (it would replace the whole document), values nested past
// kMaxJsonNesting, numbers beyond a double, text that is not UTF-8.
std::optional<Json> override_value(const std::string& pointer, const std::string& value,
                                   Diagnostics& d);

std::string pointer_join(const std::string& base, const std::string& key);
std::string describe_json(const Json& j);  // short text of a found value: `-5`, `"abc"`, an object

class ObjectReader {
 public:
  // Reports a problem (and reads nothing) when `j` is not an object.
  ObjectReader(const Json& j, std::string pointer, Diagnostics& diagnostics);

  bool valid() const { return object_ != nullptr; }
  const std::string& pointer() const { return pointer_; }
  std::string at(const std::string& key) const { return pointer_join(pointer_, key); }
  Diagnostics& diagnostics() { return diagnostics_; }

  // Marks `key` as known; returns the value or nullptr when absent.
  const Json* child(const std::string& key);
  bool has(const std::string& key) const;
  // The value at `key` without marking it known (for checks across keys).
  const Json* peek(const std::string& key) const;
  // The whole object (nullptr when it is not one), for a key whose meaning
  // depends on the others (a call node's on_revisit rules patch the node).
  const Json* object() const { return object_; }

  // Typed getters. With a default, the key is optional; without, it is
  // required (a missing key is a problem and the returned value is a
  // placeholder). Out-of-range or wrongly typed values are problems.
  double number(const std::string& key, std::optional<double> fallback, Range range = {});
  // Any integer in [0, 2^64 - 1] (seeds): what does not fit is an error, never wrapped.
  std::uint64_t unsigned_integer(const std::string& key, std::optional<std::uint64_t> fallback);
  std::int64_t integer(const std::string& key, std::optional<std::int64_t> fallback,
                       Range range = {});
  bool boolean(const std::string& key, std::optional<bool> fallback);
  std::string string(const std::string& key, std::optional<std::string> fallback);
  // A string that must be one of `choices`.
  std::string choice(const std::string& key, std::optional<std::string> fallback,
                     const std::vector<std::string>& choices);

  // Reports keys never asked for, with the nearest known key as a hint.
  void finish();

 private:
  const Json* object_ = nullptr;
  std::string pointer_;
  Diagnostics& diagnostics_;
  std::vector<std::string> known_;
};

}  // namespace orchsim::scenarios
