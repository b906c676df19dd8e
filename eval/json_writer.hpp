// A JSON text written as it goes, into a string, with the bytes nlohmann's
// dump() writes for the same document (its number forms and its string
// escapes), without building the document: for the request log's lines,
// where building each kept request as an ordered_json and dumping it cost
// ~480 k instructions a request and most of a small run's time.
//
//   std::string line;
//   JsonWriter w(line);
//   w.begin_object().key("id").value(7).key("ms").number(1.5, 6).end_object();
//   // line == R"({"id":7,"ms":1.5})"
//
// Keys are literals: plain ASCII, not escaped. Commas are placed by the
// writer: a value after a value in the same object or array gets one.
#pragma once

#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "eval/json_number.hpp"

namespace orchsim::eval {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }

  JsonWriter& key(std::string_view k) {
    assert(plain(k));
    comma();
    out_ += '"';
    out_ += k;
    out_ += "\":";
    after_key_ = true;
    return *this;
  }

  // Integers as nlohmann writes them (decimal); bool as true/false.
  template <typename T>
  requires std::is_integral_v<T> JsonWriter& value(T x) {
    comma();
    if constexpr (std::is_same_v<T, bool>) {
      out_ += x ? "true" : "false";
    } else {
      char buf[24];
      out_.append(buf, static_cast<std::size_t>(std::to_chars(buf, buf + sizeof buf, x).ptr - buf));
    }
    return done();
  }

  // A double as nlohmann writes one: its shortest digits (Grisu2), with a
  // ".0" when it is whole; null when not finite.
  JsonWriter& value(double x) {
    comma();
    if (!std::isfinite(x)) {
      out_ += "null";
    } else {
      char buf[64];
      char* end = nlohmann::detail::to_chars(buf, buf + sizeof buf, x);
      out_.append(buf, static_cast<std::size_t>(end - buf));
    }
    return done();
  }

  // json_number(v, decimals), written: rounded, no "-0.0", null if missing.
  JsonWriter& number(std::optional<double> v, int decimals) {
    if (!v || !std::isfinite(*v)) return null();
    return value(round_to(*v, decimals));
  }

  JsonWriter& null() {
    comma();
    out_ += "null";
    return done();
  }

  // A string, escaped as nlohmann escapes it; bytes that are not UTF-8
  // become U+FFFD (nlohmann's `replace` handler, as the decision log's
  // names): a log never fails at the end of a long run over one name.
  JsonWriter& string(std::string_view s) {
    comma();
    if (plain(s)) {
      out_ += '"';
      out_ += s;
      out_ += '"';
    } else {
      out_ += nlohmann::json(std::string(s))
                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    return done();
  }

 private:
  // Printable ASCII other than '"' and '\\': written as it is by nlohmann.
  static bool plain(std::string_view s) {
    for (const char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') return false;
    }
    return true;
  }
  void comma() {
    if (need_comma_ && !after_key_) out_ += ',';
    after_key_ = false;
  }
  JsonWriter& done() {
    need_comma_ = true;
    return *this;
  }
  JsonWriter& open(char c) {
    comma();
    out_ += c;
    need_comma_ = false;
    return *this;
  }
  JsonWriter& close(char c) {
    out_ += c;
    after_key_ = false;
    return done();
  }

  std::string& out_;
  bool need_comma_ = false;  // a value came before in this object or array
  bool after_key_ = false;   // a key was just written: its value needs no comma
};

}  // namespace orchsim::eval
