#include "scenarios/json_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace orchsim::scenarios {

bool nests_too_deep(const std::string& text) {
  NestingLimit limit;
  try {
    const Json parsed = Json::parse(text, limit.callback());
  } catch (const Json::exception&) {  // not valid JSON: another check's to report
  }
  return limit.exceeded();
}

bool is_utf8(const std::string& text) {
  try {
    const std::string written = Json(text).dump();
    return true;
  } catch (const Json::type_error&) {
    return false;
  }
}

std::string overflowing_number(const Json::out_of_range& e) {
  // e.what(): "[json.exception.out_of_range.406] number overflow parsing '1e999'"
  const std::string what = e.what();
  const auto open = what.find('\''), close = what.rfind('\'');
  return open < close ? what.substr(open + 1, close - open - 1) : what;
}

std::size_t overflow_offset(const std::string& text, bool ignore_comments) {
  // A SAX parse stops at the number and, unlike the exception, is told where.
  struct Sax final : nlohmann::json_sax<Json> {
    std::size_t offset = 0;
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t position, const std::string& token,
                     const nlohmann::detail::exception&) override {
      offset = position >= token.size() ? position - token.size() : 0;
      return false;
    }
  } sax;
  Json::sax_parse(text, &sax, Json::input_format_t::json, /*strict=*/true, ignore_comments);
  return sax.offset;
}

std::string number_overflow_message(const std::string& text, const Json::out_of_range& e,
                                    bool ignore_comments) {
  const std::size_t offset = overflow_offset(text, ignore_comments);
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return fmt::format("found the number {} at line {}, column {}, expected {}",
                     overflowing_number(e), line, col, kFiniteNumber);
}

std::optional<Json> override_value(const std::string& pointer, const std::string& value,
                                   Diagnostics& d) {
  if (nests_too_deep(value)) {
    d.error(pointer, fmt::format("--set: found a value nested more than {0} levels deep, "
                                 "expected at most {0}",
                                 kMaxJsonNesting));
    return std::nullopt;
  }
  if (pointer.empty()) {
    d.error(pointer,
            "--set: found the empty pointer (the whole document), expected the pointer "
            "of a value such as /run/seed");
    return std::nullopt;
  }
  try {
    return Json::parse(value);
  } catch (const Json::parse_error&) {
    if (!is_utf8(value)) {
      d.error(pointer, "--set: found a value that is not UTF-8 text, expected JSON or text");
      return std::nullopt;
    }
    return Json(value);  // not JSON: a string
  } catch (const Json::out_of_range& e) {
    d.error(pointer, fmt::format("--set: found the number {}, expected {}", overflowing_number(e),
                                 kFiniteNumber));
    return std::nullopt;
  }
}

std::string pointer_join(const std::string& base, const std::string& key) {
  std::string escaped;
  for (char c : key) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return base + "/" + escaped;
}

std::string describe_json(const Json& j) {
  switch (j.type()) {
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return fmt::format("an array of {}", j.size());
    case Json::value_t::null:
      return "null";
    default: {
      // Never throws: a string set in memory (not parsed) may hold bytes
      // that are not UTF-8, which a strict dump() refuses with an exception.
      std::string s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
      if (s.size() > 40) s = s.substr(0, 37) + "...";
      return s;
    }
  }
}

ObjectReader::ObjectReader(const Json& j, std::string pointer, Diagnostics& diagnostics)
    : pointer_(std::move(pointer)), diagnostics_(diagnostics) {
  if (j.is_object()) {
    object_ = &j;
  } else {
    diagnostics_.error(pointer_, fmt::format("found {}, expected an object", describe_json(j)));
  }
}

bool ObjectReader::has(const std::string& key) const { return object_ && object_->contains(key); }

const Json* ObjectReader::peek(const std::string& key) const {
  if (!object_) return nullptr;
  const auto it = object_->find(key);
  return it == object_->end() ? nullptr : &*it;
}

const Json* ObjectReader::child(const std::string& key) {
  known_.push_back(key);
  if (!object_) return nullptr;
  const auto it = object_->find(key);
  return it == object_->end() ? nullptr : &*it;
}

namespace {
std::string range_text(Range r) {
  const bool lo = std::isfinite(r.min), hi = std::isfinite(r.max);
  if (lo && hi) return fmt::format("a number in [{}, {}]", r.min, r.max);
  if (r.min == std::numeric_limits<double>::min()) return "a number > 0";
  if (lo) return fmt::format("a number >= {}", r.min);
  if (hi) return fmt::format("a number <= {}", r.max);
  return "a number";
}
}  // namespace

double ObjectReader::number(const std::string& key, std::optional<double> fallback, Range range) {
  const Json* v = child(key);
  if (!v) {
    if (!fallback && object_) diagnostics_.error(at(key), "missing, expected " + range_text(range));
    return fallback.value_or(0.0);
  }
  if (!v->is_number()) {
    diagnostics_.error(at(key),
                       fmt::format("found {}, expected {}", describe_json(*v), range_text(range)));
    return fallback.value_or(0.0);
  }
  const double x = v->get<double>();
  if (!std::isfinite(x)) {  // e.g. 1e999, which the parser reads as infinity
    diagnostics_.error(at(key),
                       fmt::format("found {}, expected a finite number", describe_json(*v)));
    return fallback.value_or(0.0);
  }
  if (!(x >= range.min && x <= range.max)) {
    diagnostics_.error(at(key),
                       fmt::format("found {}, expected {}", describe_json(*v), range_text(range)));
  }
  return x;
}

std::int64_t ObjectReader::integer(const std::string& key, std::optional<std::int64_t> fallback,
                                   Range range) {
  const Json* v = child(key);
  const std::string expected = "an integer" + (std::isfinite(range.min) || std::isfinite(range.max)
                                                   ? " (" + range_text(range) + ")"
                                                   : std::string());
  if (!v) {
    if (!fallback && object_) diagnostics_.error(at(key), "missing, expected " + expected);
    return fallback.value_or(0);
  }
  if (!v->is_number_integer()) {
    diagnostics_.error(at(key), fmt::format("found {}, expected {}", describe_json(*v), expected));
    return fallback.value_or(0);
  }
  if (v->is_number_unsigned() &&
      v->get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    // Would wrap to a negative number: name what was written.
    diagnostics_.error(at(key),
                       fmt::format("found {}, expected {} (at most {})", v->get<std::uint64_t>(),
                                   expected, std::numeric_limits<std::int64_t>::max()));
    return fallback.value_or(0);
  }
  const auto x = v->get<std::int64_t>();
  if (!(static_cast<double>(x) >= range.min && static_cast<double>(x) <= range.max)) {
    diagnostics_.error(at(key), fmt::format("found {}, expected {}", x, expected));
  }
  return x;
}

std::uint64_t ObjectReader::unsigned_integer(const std::string& key,
                                             std::optional<std::uint64_t> fallback) {
  const Json* v = child(key);
  const std::string expected = "an integer from 0 to 18446744073709551615";
  if (!v) {
    if (!fallback && object_) diagnostics_.error(at(key), "missing, expected " + expected);
    return fallback.value_or(0);
  }
  // nlohmann reads non-negative integers up to 2^64 - 1 as unsigned (a
  // document built in memory may hold them signed); a negative one is signed,
  // a larger one a float.
  const bool fits =
      v->is_number_unsigned() || (v->is_number_integer() && v->get<std::int64_t>() >= 0);
  if (!fits) {
    diagnostics_.error(at(key), fmt::format("found {}, expected {}", describe_json(*v), expected));
    return fallback.value_or(0);
  }
  return v->get<std::uint64_t>();
}

bool ObjectReader::boolean(const std::string& key, std::optional<bool> fallback) {
  const Json* v = child(key);
  if (!v) {
    if (!fallback && object_) diagnostics_.error(at(key), "missing, expected true or false");
    return fallback.value_or(false);
  }
  if (!v->is_boolean()) {
    diagnostics_.error(at(key), fmt::format("found {}, expected true or false", describe_json(*v)));
    return fallback.value_or(false);
  }
  return v->get<bool>();
}

std::string ObjectReader::string(const std::string& key, std::optional<std::string> fallback) {
  const Json* v = child(key);
  if (!v) {
    if (!fallback && object_) diagnostics_.error(at(key), "missing, expected a string");
    return fallback.value_or("");
  }
  if (!v->is_string()) {
    diagnostics_.error(at(key), fmt::format("found {}, expected a string", describe_json(*v)));
    return fallback.value_or("");
  }
  return v->get<std::string>();
}

std::string ObjectReader::choice(const std::string& key, std::optional<std::string> fallback,
                                 const std::vector<std::string>& choices) {
  const bool present = has(key);
  std::string s = string(key, fallback);
  if (present && child(key)->is_string() &&
      std::find(choices.begin(), choices.end(), s) == choices.end()) {
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
    const std::string near = closest_match(s, choices);
    diagnostics_.error(at(key), fmt::format("found \"{}\", expected one of: {}", s, list),
                       near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
    return fallback.value_or(choices.front());
  }
  return s;
}

void ObjectReader::finish() {
  if (!object_) return;
  for (auto it = object_->begin(); it != object_->end(); ++it) {
    if (std::find(known_.begin(), known_.end(), it.key()) != known_.end()) continue;
    if (it.key() == "$comment" || it.key().rfind("//", 0) == 0) continue;  // annotations
    const std::string near = closest_match(it.key(), known_);
    std::string expected;
    for (const auto& k : known_) {
      if (std::find(known_.begin(), known_.end(), k) - known_.begin() ==
          &k - known_.data()) {  // first occurrence only
        expected += (expected.empty() ? "" : ", ") + k;
      }
    }
    diagnostics_.error(at(it.key()), fmt::format("unknown key, expected one of: {}", expected),
                       near.empty() ? "" : fmt::format("did you mean \"{}\"?", near));
  }
}

}  // namespace orchsim::scenarios
